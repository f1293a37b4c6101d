"""A case's incidents in date order, read once, so the derived fields of any date cost
a search, not a pass over every incident: what keeps a replay over many dates linear."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import date, timedelta

from spo_advisor.engine.escalation import WINDOW_DAYS, rises
from spo_advisor.model.case import Incident


class Timeline:
    """The incidents sorted by date (input order kept within a date), and for each
    position the behaviour codes seen before it."""

    def __init__(self, incidents: Sequence[Incident]) -> None:
        self.incidents = sorted(incidents, key=lambda incident: incident.date)
        self.dates = [incident.date for incident in self.incidents]
        self.act_days = sorted({i.date for i in self.incidents if i.behaviours})
        self.days = sorted(set(self.dates))
        seen: set[str] = set()
        self._escalating: dict[date, bool] = {}
        self.seen_before: list[frozenset[str]] = []
        for incident in self.incidents:
            self.seen_before.append(frozenset(seen))
            seen.update(incident.behaviours)

    def act_dates(self, day: date) -> int:
        """Distinct dates on or before ``day`` with an act recorded."""
        return bisect_right(self.act_days, day)

    def occasions(self, day: date) -> int:
        """Distinct incident dates on or before ``day``."""
        return bisect_right(self.days, day)

    def escalating(self, day: date) -> bool:
        """Did the 90 days up to ``day`` rise against the 90 days before them
        (:func:`spo_advisor.engine.escalation.rises`)? False when either window is empty.
        Kept by day: a replay asks again for every fact it sets aside on that day."""
        found = self._escalating.get(day)
        if found is None:
            found = self._escalating[day] = self._rises_by(day)
        return found

    def _rises_by(self, day: date) -> bool:
        later_start = day - timedelta(days=WINDOW_DAYS)
        earlier_start = later_start - timedelta(days=WINDOW_DAYS)
        first_later = bisect_right(self.dates, later_start)
        end = bisect_right(self.dates, day)
        first_earlier = bisect_right(self.dates, earlier_start)
        later, earlier = self.incidents[first_later:end], self.incidents[first_earlier:first_later]
        if not later or not earlier:
            return False
        return rises(later, earlier, self.seen_before[first_later])
