"""``review``: a case replayed as it stood on each incident and action date.

On each date the case is assessed with the facts known by then and the law in force
then. Each recorded police action is set against the decisions of its date, and each
reason recorded for it is judged against the law (:mod:`spo_advisor.reason_codes`). The
findings say, in plain language, what a complaint reviewer would ask about.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from spo_advisor.assess import (
    assess,
    input_sha256,
    library_version,
    load_rules,
    risk_of,
    run_rules,
)
from spo_advisor.case import Case, Incident, load_case
from spo_advisor.decide import decide_all
from spo_advisor.facts import case_scope
from spo_advisor.logic import Decision, Truth, any_of
from spo_advisor.reason_codes import ReasonCheck, judge_reason, load_reason_table
from spo_advisor.result import Assessment, OutputModel, RiskLevel, RulesetInfo
from spo_advisor.rules import RuleSet
from spo_advisor.whatif import Change, changes_in_scope

ORDER_NOUN = {
    "spo": "an SPO",
    "interim_spo": "an interim SPO",
    "spo_variation": "a variation or renewal of the SPO",
    "dvpn_dvpo": "a DVPN/DVPO",
    "dapn_dapo": "a DAPN/DAPO",
    "non_molestation_order": "a non-molestation order",
    "restraining_order": "a restraining order",
    "sexual_risk_order": "a Sexual Risk Order",
}
"""How findings name each order of the contract."""

ACTIONS: dict[str, tuple[str | None, str]] = {
    "spo_applied": ("spo", "SPO application"),
    "interim_spo_applied": ("interim_spo", "interim SPO application"),
    "dvpn_issued": ("dvpn_dvpo", "DVPN"),
    "dapn_issued": ("dapn_dapo", "DAPN"),
    "nmo_signposted": ("non_molestation_order", "signposting to a non-molestation order"),
    "restraining_order_requested": ("restraining_order", "request for a restraining order"),
    "spo_considered_not_applied": ("spo", "decision not to apply"),
    "no_action": (None, "record of no action"),
}
"""Each recorded action: the order it concerns and how findings name it."""

DECLINED = "spo_considered_not_applied"
NO_ACTION = "no_action"


class TimelineRow(OutputModel):
    """The decisions on one incident or action date."""

    date: date
    incidents: int = Field(description="Incidents recorded on this date")
    actions: list[str] = Field(description="Actions recorded on this date")
    decisions: dict[str, Decision]
    risk: RiskLevel


class ActionReview(OutputModel):
    """A recorded action, the decisions of its date, and its reasons judged."""

    date: date
    action: str
    decisions_then: dict[str, Decision]
    reasons: list[ReasonCheck]


class ConductMark(OutputModel):
    """One incident, for the chart of conduct over time."""

    date: date
    behaviours: list[str]
    violence_or_threats: bool | None = Field(
        description="Violence, strangulation, a weapon or threats; null if not known")


class Review(OutputModel):
    """A case replayed on each of its dates, its recorded actions checked against the law.

    ``model_dump(mode="json")`` gives the contract's JSON. It carries what a decision
    record needs to be checked later (library version, rule set and its hash, the date,
    the hash of the input). In a notebook it displays as HTML.
    """

    case_id: str
    as_of: date = Field(description="The date of the review: later records are left out")
    ruleset: RulesetInfo
    reason_codes_sha256: str | None = Field(
        description="sha256 of the rule set's reason-code table; null if it has none")
    engine: Literal["durable_rules", "python"] = Field(
        description="The engine that inferred the decisions on each date")
    library_version: str
    input_sha256: str = Field(description="sha256 of the canonical JSON of the input case")
    timeline: list[TimelineRow]
    first_recommended: dict[str, date | None] = Field(
        description="The first date each order was recommended; null if never")
    actions: list[ActionReview]
    findings: list[str]
    what_would_change: list[Change] = Field(
        description="Unknown facts that would change a decision on the review date")
    conduct: list[ConductMark]
    assessment: Assessment = Field(description="The assessment on the review date")

    def explain(self) -> str:
        """The review as readable text."""
        from spo_advisor.review_render import review_text

        return review_text(self)

    def to_markdown(self) -> str:
        from spo_advisor.review_render import review_markdown

        return review_markdown(self)

    def to_html(self) -> str:
        """A self-contained HTML report (no external assets)."""
        from spo_advisor.review_render import review_html

        return review_html(self)

    def _repr_html_(self) -> str:
        return self.to_html()


def review(case: Case | dict[str, Any] | str | Path, as_of: date | None = None, *,
           rules: RuleSet | str | Path | None = None) -> Review:
    """Replay ``case`` on each incident and action date up to ``as_of`` (else the case's
    ``assessed_on``, else today) and check each recorded action against the law.

    Raises :class:`~spo_advisor.errors.CaseError` for a bad case and
    :class:`~spo_advisor.errors.RuleSetError` for a bad rule set or reason-code table.
    """
    case = load_case(case)
    ruleset = rules if isinstance(rules, RuleSet) else load_rules(rules)
    table = load_reason_table(ruleset)
    day = case.as_of(as_of)
    incidents = sorted((i for i in case.incidents if i.date <= day), key=lambda i: i.date)
    actions = sorted((a for a in case.actions if a.date <= day), key=lambda a: a.date)
    dates = sorted({i.date for i in incidents} | {a.date for a in actions})
    # Each date needs only its decisions and risk: one evaluation (checked against the
    # engine), not a full explained assessment. The review date gets the full assessment.
    evaluations = {when: run_rules(ruleset, case_scope(case, when))[0] for when in dates}
    decisions = {when: decide_all(ruleset, evaluation.truths())
                 for when, evaluation in evaluations.items()}
    timeline = [TimelineRow(date=when, incidents=sum(i.date == when for i in incidents),
                            actions=[a.action.value for a in actions if a.date == when],
                            decisions=decisions[when],
                            risk=risk_of(ruleset, evaluations[when]).level)
                for when in dates]
    first = {order: next((row.date for row in timeline
                          if row.decisions[order] is Decision.RECOMMENDED), None)
             for order in ruleset.orders}
    reviewed = []
    for action in actions:
        checks = [judge_reason(table, code.value, evaluations[action.date], decisions[action.date])
                  for code in action.reasons]  # judged on the facts of the action's date
        reviewed.append(ActionReview(date=action.date, action=action.action.value,
                                     decisions_then=decisions[action.date], reasons=checks))
    left_out = (len(case.incidents) - len(incidents)) + (len(case.actions) - len(actions))
    now = assess(case, day, rules=ruleset)
    return Review(
        case_id=case.case_id, as_of=day, ruleset=now.ruleset, reason_codes_sha256=table.sha256,
        engine=now.engine, library_version=library_version(), input_sha256=input_sha256(case),
        timeline=timeline, first_recommended=first, actions=reviewed,
        findings=findings(ruleset, first, reviewed, day, left_out),
        what_would_change=changes_in_scope(ruleset, case_scope(case, day)),
        conduct=[_mark(incident) for incident in incidents], assessment=now)


def _mark(incident: Incident) -> ConductMark:
    threats = None if incident.threats is None else bool(incident.threats)
    serious = any_of(Truth.of(value) for value in
                     (incident.violence, incident.strangulation, incident.weapon, threats))
    return ConductMark(date=incident.date, behaviours=[b.value for b in incident.behaviours],
                       violence_or_threats=serious.as_bool())


# ---------------------------------------------------------------------------- findings


def _noun(ruleset: RuleSet, order: str) -> str:
    return ORDER_NOUN.get(order) or f"the {ruleset.orders[order].title}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def findings(ruleset: RuleSet, first: dict[str, date | None], actions: list[ActionReview],
             as_of: date, left_out: int) -> list[str]:
    """Plain-language findings: timing of each action against the first date its order was
    recommended, orders indicated but never acted on, and recorded reasons that are not
    legal bars."""
    found = [text for action in actions for text in _action_findings(ruleset, first, action)]
    taken = {ACTIONS[action.action][0] for action in actions
             if action.action not in (DECLINED, NO_ACTION)}
    for action_type, (order, label) in ACTIONS.items():
        if action_type in (DECLINED, NO_ACTION) or order not in ruleset.orders:
            continue
        start = first.get(order)
        if start is not None and order not in taken:
            found.append(f"No {label} is recorded although {_noun(ruleset, order)} was first "
                         f"indicated on {start}.")
    reasons = [reason for action in actions for reason in action.reasons]
    not_bars = sum(reason.valid is False for reason in reasons)
    open_ = sum(reason.valid is None for reason in reasons)
    total = _plural(len(reasons), "recorded reason")
    if not_bars:
        found.append(f"{not_bars} of {total} "
                     + ("is not a legal bar." if not_bars == 1 else "are not legal bars."))
    if open_:
        found.append(f"{open_} of {total} cannot be judged on what is recorded.")
    if left_out:
        found.append(f"{_plural(left_out, 'record')} dated after {as_of} "
                     + ("was" if left_out == 1 else "were") + " left out.")
    return found


def _action_findings(ruleset: RuleSet, first: dict[str, date | None],
                     action: ActionReview) -> list[str]:
    order, label = ACTIONS[action.action]
    when = action.date
    if order is None:
        recommended = [_noun(ruleset, o) for o, d in action.decisions_then.items()
                       if d is Decision.RECOMMENDED]
        if not recommended:
            return []
        return [(f"On {when} no action was recorded although the rules recommended "
                f"{_join(recommended)}.")]
    if order not in ruleset.orders:
        return []
    noun = _noun(ruleset, order)
    start = first[order]
    if start is not None and start <= when:
        gap = (when - start).days
        if gap == 0:
            return [(f"{_capital(noun)} was first indicated on {when}, the day of the recorded "
                    f"{label}.")]
        return [(f"{_capital(noun)} was first indicated on {start}, {_plural(gap, 'day')} before "
                f"the recorded {label} on {when}.")]
    decided = action.decisions_then[order]
    if action.action == DECLINED and decided is Decision.CONSIDER:
        return [(f"On {when} the rules left {noun} to judgement (consider) when the recorded "
                f"decision was not to apply: the record should show the grounds.")]
    if action.action != DECLINED and decided is Decision.NOT_AVAILABLE:
        return [(f"The recorded {label} on {when} came when the rules show {noun} not available "
                f"on that date.")]
    return []


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
