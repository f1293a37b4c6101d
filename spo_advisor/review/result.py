"""The review's output: a case replayed date by date, as the contract has it
(docs/contract.md, "Review (output)")."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from spo_advisor.advice.changes import Change
from spo_advisor.model.display import Displayable
from spo_advisor.model.logic import Decision
from spo_advisor.model.result import Assessment, Excluded, OutputModel, RiskLevel, RulesetInfo
from spo_advisor.review.reason_codes import ReasonCheck


class TimelineRow(OutputModel):
    """The decisions on one incident, action or risk-assessment date."""

    date: date
    incidents: int = Field(description="Incidents recorded on this date")
    actions: list[str] = Field(description="Actions recorded on this date")
    risk_assessments: int = Field(0, description="Risk assessments dated on this date")
    decisions: dict[str, Decision]
    risk: RiskLevel
    assumed: list[str] = Field(
        default_factory=list,
        description="Undated facts a decision of this date turned on (see assumptions)")


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


class Review(Displayable, OutputModel):
    """A case replayed on each of its dates, its recorded actions checked against the law.

    ``model_dump(mode="json")`` gives the contract's JSON. It carries what a decision
    record needs to be checked later (library version, engine, rule set and its hash, the
    date, the hash of the input) and ``record_sha256``, the digest of all the rest
    (:mod:`spo_advisor.model.digest`). In a notebook it displays as HTML.
    """

    schema_version: Literal["2"] = "2"
    case_id: str
    as_of: date = Field(description="The date of the review: later records are left out")
    excluded: list[Excluded] = Field(
        default_factory=list, description="Records dated after as_of, left out")
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
    assumptions: list[str] = Field(
        default_factory=list,
        description="Undated facts a decision turned on that the replay took as known "
                    "before assessed_on: risk facts no dated assessment held, orders "
                    "without made_on, a criminal-justice stage without stage_on")
    findings: list[str]
    what_would_change: list[Change] = Field(
        description="Unknown facts that would change a decision on the review date")
    conduct: list[ConductMark]
    assessment: Assessment = Field(description="The assessment on the review date")
    record_sha256: str | None = Field(
        default=None,
        description="sha256 of the canonical JSON of every other key of this record")
