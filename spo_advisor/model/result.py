"""The Assessment: the public output contract of spo_advisor."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from spo_advisor.model.display import Displayable
from spo_advisor.model.logic import Decision

RiskLevel = Literal["standard", "medium", "high"]


class OutputModel(BaseModel):
    """Base of every output model: immutable, and no keys beyond the contract's."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class RuleRef(OutputModel):
    """A rule that explains a decision: its id, what it says, and the law it encodes."""

    rule: str
    text: str
    citation: str


class CourtTerm(OutputModel):
    """A drafting prompt for a prohibition or requirement to ask the court for."""

    term: str = Field(description="The prohibition or requirement, as a drafting prompt")
    because: str = Field(description="The fact in the case that makes it necessary")
    citation: str


class Limb(OutputModel):
    """One limb of an order's test and where it stands on the record."""

    limb: str
    text: str = Field(description="The limb in words")
    citation: str
    status: Literal["met", "not_met", "unknown"]
    gate: bool = Field(description="True for an availability limb (law in force, area, age, "
                                   "standing, a qualifying relationship)")
    trigger: bool = Field(description="True for the limb the police must show first")
    rules: tuple[str, ...] = Field(description="Rule ids that decided the limb")
    unknown: tuple[str, ...] = Field(description="Fact paths whose value could change the limb")


class Recommendation(OutputModel):
    """The decision for one order, with why, why not, and what is not known."""

    def __reduce__(self) -> tuple[Callable[[bytes], Recommendation], tuple[bytes]]:
        """Pickled as its JSON, and unpickled once per outcome in a process (see
        :func:`recommendation_from_json`): results of worker processes come back cheaply."""
        return recommendation_from_json, (self.__pydantic_serializer__.to_json(self),)

    order: str
    title: str
    decision: Decision
    deciding_rule: str | None = Field(
        description="The first rule of the limb that decided (a failing gate, else a failing "
                    "limb, else the trigger when recommended, else an unknown limb); null "
                    "when no rule of that limb applied")
    reasons: tuple[RuleRef, ...]
    unmet: tuple[RuleRef, ...]
    unknown: tuple[str, ...] = Field(
        description="Case fields whose value could change this decision")
    court_terms: tuple[CourtTerm, ...] = Field(
        default=(), description="Drafting prompts for the officer, not advice to the court")
    limbs: tuple[Limb, ...] = Field(
        default=(), description="The order's test, limb by limb, in order")


@lru_cache(maxsize=1024)
def recommendation_from_json(data: bytes) -> Recommendation:
    """The recommendation whose JSON is ``data``: made once, then shared by every result
    that holds it (recommendations are immutable, and most outcomes recur)."""
    return Recommendation.model_validate_json(data)


class Risk(OutputModel):
    """Escalation risk: the level and the indicators behind it."""

    level: RiskLevel
    indicators: list[str]
    unknown: list[str] = Field(
        description="Case fields whose value could raise the level; empty when it cannot rise")
    context: list[str] = Field(
        default_factory=list,
        description="Facts reported for context that never raise the level "
                    "(e.g. the MARAC referral criterion of potential escalation)")


class Stalking(OutputModel):
    """Recognition of stalking: FOUR and the acts associated with stalking seen."""

    four_met: bool | None
    acts: list[str]


class RulesetInfo(OutputModel):
    name: str
    version: str
    sha256: str


class Excluded(OutputModel):
    """A record dated after the date assessed, left out of the assessment."""

    path: str = Field(description="Where the record is in the case, e.g. incidents[4] "
                                  "(0-based, in input order)")
    date: datetime.date


class Assessment(Displayable, OutputModel):
    """What the rules advise for one case on one date.

    ``model_dump(mode="json")`` gives the contract's JSON. In a notebook it displays as
    HTML; ``explain()``, ``to_markdown()`` and ``to_html()`` give readable renderings.
    """

    schema_version: Literal["2"] = "2"
    case_id: str
    as_of: date
    excluded: list[Excluded] = Field(
        default_factory=list,
        description="Records dated after as_of (incidents, actions, risk assessments, "
                    "existing orders), left out")
    ruleset: RulesetInfo
    recommendations: list[Recommendation]
    risk: Risk
    stalking: Stalking
    engine: Literal["durable_rules", "python"] = Field(
        description="The engine that inferred the decisions (explanations always come from "
                    "the three-valued evaluator, checked to agree)")
    library_version: str
    input_sha256: str = Field(description="sha256 of the canonical JSON of the input case")
    record_sha256: str | None = Field(
        default=None,
        description="sha256 of the canonical JSON of every other key of this record "
                    "(spo_advisor.model.digest)")

    def recommendation(self, order: str) -> Recommendation:
        """The recommendation for one order (``KeyError`` if the rules do not know it)."""
        for item in self.recommendations:
            if item.order == order:
                return item
        raise KeyError(order)

    def decisions(self) -> dict[str, Decision]:
        """Order → decision, for every order."""
        return {item.order: item.decision for item in self.recommendations}

