"""The shapes of a rule set's files, as written: the header (``ruleset.yaml``: parameters,
open questions, orders and their limbs, risk and stalking summaries) and each rule (id,
title, citation, limb, dates in force, condition, conclusion). :mod:`spo_advisor.language.rules`
validates files against them and builds the :class:`~spo_advisor.language.rules.RuleSet`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

RULE_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)


class Parameter(_Strict):
    """A dated value of the rule set, with its legal source."""

    value: date
    source: str = Field(min_length=1)
    unconfirmed: str | None = None


class LimbSpec(_Strict):
    """One limb of an order's test, read from a derived fact (docs/contract.md, "Decisions").

    The limb is ``met`` when ``fact`` holds (or, written with ``unless``, when that fact
    fails: a limb met by the absence of something, such as an order in force). Otherwise: a trigger that nothing in the
    record shows (``shown``, else ``fact``, not true) is ``not_met``; a limb with a
    ``not_met`` fact is ``not_met`` only when that fact holds, else ``unknown``; a
    ``judgement`` limb the record can show but never refute is ``unknown``; any other limb
    follows its fact (false: ``not_met``, unknown: ``unknown``).
    """

    limb: str = Field(pattern=NAME.pattern)
    text: str = Field(min_length=1)
    citation: str | None = Field(None, min_length=1)
    fact: str | None = Field(None, pattern=NAME.pattern)
    unless: str | None = Field(None, pattern=NAME.pattern)
    gate: bool = False
    trigger: bool = False
    shown: str | None = Field(None, pattern=NAME.pattern)
    not_met: str | None = Field(None, pattern=NAME.pattern)
    judgement: bool = False

    def facts(self) -> list[tuple[str, str]]:
        """The facts this limb reads, by the key that names them."""
        return [(key, name) for key in ("fact", "unless", "shown", "not_met")
                if (name := getattr(self, key)) is not None]


class OrderSpec(_Strict):
    """An order the rule set decides, and its test limb by limb."""

    title: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    limbs: list[LimbSpec] = Field(min_length=1)


class RiskSpec(_Strict):
    high: str
    medium: str
    indicators: list[str]
    context: list[str] = []


class StalkingSpec(_Strict):
    four_met: str


class Header(_Strict):
    """The contents of ``ruleset.yaml``."""

    name: str = Field(pattern=NAME.pattern)
    version: str = Field(min_length=1)
    jurisdiction: str = Field(pattern=NAME.pattern)
    parameters: dict[str, Parameter] = {}
    open_questions: list[str] = []
    orders: dict[str, OrderSpec] = Field(min_length=1)
    risk: RiskSpec
    stalking: StalkingSpec


class InForce(_Strict):
    start: date | None = Field(None, alias="from")
    end: date | None = Field(None, alias="to")

    def covers(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


class Conclusion(_Strict):
    """What a rule concludes: a derived fact."""

    fact: str = Field(pattern=NAME.pattern)


class RuleSpec(_Strict):
    """One rule as written in a rule file (its condition still raw).

    ``citation`` and ``limb`` default to empty so that their absence is reported in the
    rule author's terms (``missing_citation``, ``missing_limb``) rather than pydantic's.
    """

    id: str = Field(pattern=RULE_ID.pattern)
    title: str = Field(min_length=1)
    citation: str = ""
    limb: str = ""
    in_force: InForce = InForce.model_validate({})
    note: str | None = None
    when: Any
    then: Conclusion


class RuleFile(_Strict):
    rules: list[Any]
