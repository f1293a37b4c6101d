"""Escalation derived from the dated incidents (docs/contract.md, "Decisions": escalation).

Escalation is an observed rise in frequency, severity or range. It is never the MARAC
"potential escalation" count of call-outs, which is a referral criterion only. A recorded
``indicators.escalating`` wins; otherwise the 90 days up to the date are compared with the
90 days before those, each holding at least one incident. This module says what a rise is
(:func:`rises`); :class:`spo_advisor.engine.timeline.Timeline` finds the windows of a date,
and the result is a derived field, so both engines read the same value.
"""

from __future__ import annotations

from collections.abc import Sequence

from spo_advisor.model.case import Behaviour, Incident

WINDOW_DAYS = 90
"""Each compared window, in days: a judgement aid of this library, not law."""

_BAND_2 = frozenset({
    Behaviour.FOLLOWING, Behaviour.LOITERING, Behaviour.WATCHING, Behaviour.TURNING_UP,
    Behaviour.PROPERTY_INTERFERENCE, Behaviour.TRACKING_DEVICE, Behaviour.IMPERSONATION,
    Behaviour.PROXY_RECRUITMENT})


def severity_band(incident: Incident) -> int:
    """4 violence, strangulation or a weapon; 3 any threat; 2 physical presence, tracking,
    impersonation or proxies; 1 any other act; 0 nothing recorded."""
    if incident.violence or incident.strangulation or incident.weapon:
        return 4
    if incident.threats:
        return 3
    if any(behaviour in _BAND_2 for behaviour in incident.behaviours):
        return 2
    return 1 if incident.behaviours else 0


def rises(later: Sequence[Incident], earlier: Sequence[Incident],
          seen_before: frozenset[str] | set[str]) -> bool:
    """The later window rose against the earlier one: more incidents, a higher severity
    band, or a behaviour code not in ``seen_before`` (the codes of every incident before
    the later window)."""
    new_codes = {behaviour for incident in later for behaviour in incident.behaviours}
    return (len(later) > len(earlier)
            or max(map(severity_band, later)) > max(map(severity_band, earlier))
            or bool(new_codes - seen_before))
