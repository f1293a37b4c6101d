"""The scrutiny's output: the figures of a caseload, each with the case ids behind it."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from spo_advisor.model.display import Displayable
from spo_advisor.model.logic import Decision
from spo_advisor.model.result import OutputModel, RulesetInfo


class Count(OutputModel):
    """A number of cases and their ids, sorted."""

    count: int
    case_ids: list[str]


class ItemCount(Count):
    """Cases counted under one item: a reason code or a fact path."""

    item: str


class OrderFigures(OutputModel):
    """One followed order across a group of cases."""

    order: str
    indicated: Count = Field(description="First indicated (recommended or consider) on a "
                                         "replay date")
    first_recommended: Count = Field(description="Indicated, first as recommended")
    first_consider: Count = Field(description="Indicated, first as consider")
    applied: Count = Field(description="Applied for (or issued), or an order obtained")
    obtained: Count = Field(description="An order of this kind made in the case")
    applied_after_indication: Count = Field(
        description="Applied for on or after the first indication: the delays below")
    applied_without_indication: Count = Field(
        description="Applied for before the rules indicated the order, or when they never did")
    delay_median_days: float | None = Field(
        description="Median days from first indication to application; null without one")
    delay_p90_days: int | None = Field(
        description="90th percentile (nearest rank) of the same days; null without one")
    missed: Count = Field(description="Indicated and neither applied for nor obtained")
    not_judged: Count = Field(description="Consider on the stop date, turning on facts "
                                          "not known: the library could not judge")
    unknown_facts: list[ItemCount] = Field(
        default_factory=list,
        description="For the whole period: the facts the not-judged cases turned on, most "
                    "frequent first")


class GroupFigures(OutputModel):
    """The figures of one month (of entry) or one relationship."""

    group: str
    cases: Count
    orders: list[OrderFigures]


class ReasonFigures(OutputModel):
    """The reasons recorded for not applying in the missed SPO opportunities, most
    frequent first; a case counts once per reason and judgement."""

    legal_bars: list[ItemCount] = Field(description="Judged a legal bar or a sound reason")
    not_legal_bars: list[ItemCount] = Field(description="Judged not a legal bar")
    not_judged: list[ItemCount] = Field(description="Cannot be judged on the record")
    no_reason_recorded: Count = Field(
        description="Missed opportunities with no reason recorded for not applying")


class BadLineFigure(OutputModel):
    """A line excluded from the figures: its number and problem codes (never a value)."""

    line: int
    codes: list[str]


class TrackDetail(OutputModel):
    """One followed order of one case, for the detailed report."""

    order: str
    indicated_on: date | None
    indicated_as: Decision | None
    applied_on: date | None
    obtained_on: date | None
    delay_days: int | None
    final: Decision
    unknown: list[str]


class ReasonDetail(OutputModel):
    """A reason recorded for not applying for an SPO, judged."""

    date: date
    code: str
    valid: bool | None


class CaseDetail(OutputModel):
    """The facts behind one case's figures (only with ``detail``)."""

    case_id: str
    entered_on: date
    relationship: str
    orders: list[TrackDetail]
    reasons: list[ReasonDetail]


class Scrutiny(Displayable, OutputModel):
    """A caseload replayed case by case and counted: ``model_dump(mode="json")`` is its
    JSON; ``to_html()`` the report; in a notebook it displays as HTML."""

    kind: Literal["scrutiny"] = "scrutiny"
    date_from: date
    date_to: date
    as_of: date = Field(description="The stop date of every replay")
    ruleset: RulesetInfo
    library_version: str
    lines: int = Field(description="Lines (or items) read")
    bad_lines: list[BadLineFigure] = Field(description="Lines excluded: not valid cases")
    outside_period: int = Field(description="Valid cases entered outside the period")
    undated: int = Field(description="Valid cases with no dated record")
    cases: Count = Field(description="Cases in the period")
    orders: list[OrderFigures]
    spo_reasons: ReasonFigures
    by_month: list[GroupFigures]
    by_relationship: list[GroupFigures]
    detail: list[CaseDetail] | None = Field(
        default=None, description="Each case's own figures; only when asked for")
