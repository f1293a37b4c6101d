"""A case as the flat facts both evaluators read, cut to what was known on a date."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from operator import attrgetter
from typing import Any

from spo_advisor.engine.derived import derived_values
from spo_advisor.engine.risk_record import risk_facts_on
from spo_advisor.engine.timeline import Timeline
from spo_advisor.language.conditions import RECORD_DATE_FIELD, Scope
from spo_advisor.language.fields import AS_OF, DERIVED_PREFIX, case_fields
from spo_advisor.model.case import Case
from spo_advisor.model.places import TERRITORIAL_FORCES


def _plain(value: Any) -> Any:
    """``value`` as rules read it: a code as its value (``_value_``: ``value`` without the
    descriptor), a list as a new list of plain values."""
    if isinstance(value, enum.Enum):
        return value._value_
    if isinstance(value, list):
        return [item._value_ if isinstance(item, enum.Enum) else _plain(item)
                for item in value]
    return value


_PLAIN_TYPES = frozenset({str, int, bool, date, type(None)})
"""Values rules read as they are (anything else goes through :func:`_plain`)."""


@dataclass(frozen=True)
class _Reader:
    """Reads named fields of a model in one call (``operator.attrgetter`` follows dotted
    paths), each as rules read it: a code as its value, a list copied."""

    names: tuple[str, ...]
    get: Callable[[Any], tuple[Any, ...]]

    @classmethod
    def of(cls, names: Iterable[str]) -> _Reader:
        names = tuple(names)
        getter = attrgetter(*names)
        return cls(names, (lambda model: (getter(model),)) if len(names) == 1 else getter)

    def read(self, model: Any) -> dict[str, Any]:
        return {name: value if value.__class__ in _PLAIN_TYPES else _plain(value)
                for name, value in zip(self.names, self.get(model), strict=True)}


@cache
def _scalars() -> _Reader:
    """Every rule-visible field of the case, by its dotted path (the nested models are
    never null: each defaults to an empty one)."""
    return _Reader.of(path for path in case_fields().scalars
                      if path != AS_OF and not path.startswith(DERIVED_PREFIX))


@cache
def _rows() -> dict[str, _Reader]:
    """The rule-visible fields of a record of each dated collection."""
    return {collection: _Reader.of(fields)
            for collection, fields in case_fields().collections.items()}


def _record_date(record: dict[str, Any]) -> date | None:
    """The date a record became known: ``date`` (incidents, actions, risk assessments),
    ``made_on`` (existing orders)."""
    day: date | None = record.get(RECORD_DATE_FIELD) or record.get("made_on")
    return day


DATED_COLLECTIONS = ("incidents", "actions", "risk_assessments", "existing_orders")


def home_after_move(values: dict[str, Any], as_of: date) -> dict[str, Any]:
    """Where the suspect lives on ``as_of`` when a move is recorded by then (SPA 2019
    s.1(3): the force that may apply follows the suspect): the force moved to (unknown
    when not recorded), living in the holding force's area when that is the force moved
    to, and in a London borough not known (unless the City of London). Before the move,
    and without one, the recorded values stand."""
    moved_on = values["suspect.moved_on"]
    if moved_on is None or moved_on > as_of:
        return {}
    moved_to, force = values["suspect.moved_to_force"], values["police_force"]
    lives = values["suspect.lives_in_force_area"]
    if force in TERRITORIAL_FORCES:
        lives = None if moved_to is None else moved_to == force
    return {"suspect.home_force": moved_to, "suspect.lives_in_force_area": lives,
            "london_borough": "city_of_london" if moved_to == "city_of_london" else None}


def excluded_records(case: Case, as_of: date) -> list[tuple[str, date]]:
    """The path (``incidents[4]``, 0-based in input order) and date of every record dated
    after ``as_of``: left out of the assessment, and said so."""
    found = []
    for collection in DATED_COLLECTIONS:
        for index, record in enumerate(getattr(case, collection)):
            day = _record_date(vars(record))  # the record's fields, without dumping the case
            if day is not None and day > as_of:
                found.append((f"{collection}[{index}]", day))
    return found


Rows = list[tuple[date | None, dict[str, Any]]]
"""A dated collection's records as the rules see them, each with the date it became
known (None: undated)."""


@dataclass
class _Cuts:
    """The records of each collection known on one day, cut once for every scope of that
    day (a replay makes one for each fact it sets aside), by the rows they are cut from
    (held with them, so that their identity is not reused while kept)."""

    day: date | None = None
    by_rows: dict[int, tuple[Rows, list[dict[str, Any]]]] = field(default_factory=dict)

    def known_on(self, rows: Rows, day: date) -> list[dict[str, Any]]:
        if day != self.day:
            self.day = day
            self.by_rows.clear()
        kept = self.by_rows.get(id(rows))
        if kept is None:
            known = [row for known_on, row in rows if known_on is None or known_on <= day]
            kept = self.by_rows[id(rows)] = (rows, known)
        return kept[1]


@dataclass(frozen=True)
class Prepared:
    """A case read once for scopes on any date: its rule-visible fields by path, and each
    dated collection's rows; the cuts of them shared with the cases prepared like it."""

    scalars: dict[str, Any]
    rows: dict[str, Rows]
    timeline: Timeline
    cuts: _Cuts = field(default_factory=_Cuts, compare=False)


def prepare(case: Case, like: Prepared | None = None,
            changed: frozenset[str] = frozenset()) -> Prepared:
    """The parts of a scope that do not depend on the date; with ``like`` (prepared from a
    case that differs from ``case`` only in the top-level fields ``changed``), the
    collections not changed are not read again."""
    rows: dict[str, Rows] = {}
    for collection, reader in _rows().items():
        if like is not None and collection not in changed:
            rows[collection] = like.rows[collection]
            continue
        found = []
        for record in getattr(case, collection):
            row = reader.read(record)
            if collection == "existing_orders" and row["expires_on"] is not None \
                    and row["until_further_order"] is None:
                # SPA 2019 s.3: a fixed period or until further order; an expiry date
                # recorded makes the order fixed-term
                row["until_further_order"] = False
            found.append((_record_date(vars(record)), row))
        rows[collection] = found
    timeline = like.timeline if like is not None and "incidents" not in changed \
        else Timeline(case.incidents)
    return Prepared(_scalars().read(case), rows, timeline,
                    _Cuts() if like is None else like.cuts)


def case_scope(case: Case, as_of: date, prepared: Prepared | None = None) -> Scope:
    """The values of every rule-visible field, and the records dated on or before ``as_of``.

    A record dated after ``as_of`` was not known on that date, so it is left out.
    ``prepared`` (:func:`prepare` of the same case) saves reading the case again, for a
    replay on many dates.
    """
    prepared = prepared or prepare(case)
    values = dict(prepared.scalars)
    if case.risk_assessments:  # else the risk facts are the undated ones, read already
        risk = risk_facts_on(case, as_of).values
        values.update((path, _plain(value)) for path, value in risk.items() if path in values)
    values[AS_OF] = as_of
    values.update(home_after_move(values, as_of))
    values.update(derived_values(case, as_of, values, prepared.timeline))
    stage_on = case.criminal_justice.stage_on
    if stage_on is not None and stage_on > as_of:  # the stage was not reached by as_of
        values["criminal_justice.stage"] = None
    records = {collection: prepared.cuts.known_on(rows, as_of)
               for collection, rows in prepared.rows.items()}
    return Scope(as_of, values, records, {})
