"""Recorded reason codes judged against the law on the date they were recorded.

A rule set may carry a table of reason codes (``review/reason_codes.yaml`` in its
directory). Each code is either never a legal bar (``valid: false``), or judged on the
facts of the action's date (``valid_when``: a condition in the rule language, which may
use the rule set's derived facts), or on the rule set's decision for an order on that
date (``decision_of``). Unknown is not "no": a judgement that turns on a fact the record
lacks is ``valid: null`` and names the fact.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from spo_advisor.engine.evaluator import Evaluation
from spo_advisor.language.condition_parser import ParseContext, parse_condition, suggest
from spo_advisor.language.conditions import Node, evaluate
from spo_advisor.language.fields import case_fields
from spo_advisor.language.rules import REASON_CODES_FILE, RuleSet, _Collector
from spo_advisor.model.errors import RuleSetError
from spo_advisor.model.logic import Decision, Truth
from spo_advisor.model.yamlio import YamlProblem, read_text, read_yaml

NO_TABLE_TEXT = "This rule set has no judgement for this reason code."

_DECISION_TRUTH = {
    Decision.NOT_RECOMMENDED: Truth.TRUE,
    Decision.NOT_AVAILABLE: Truth.TRUE,
    Decision.RECOMMENDED: Truth.FALSE,
    Decision.CONSIDER: Truth.UNKNOWN,
}


class ReasonCheck(BaseModel):
    """One recorded reason, judged: ``valid`` is false when it is not a legal bar, true
    when it is a bar or a sound reason, null when that turns on facts not recorded."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    valid: bool | None
    text: str = Field(description="Why, in one line of plain English")
    citation: str
    unknown: list[str] = Field(
        default_factory=list, description="Case fields whose being unknown left this open")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)


class _Texts(_Strict):
    valid: str = Field(min_length=1)
    not_valid: str = Field(min_length=1)
    unknown: str = Field(min_length=1)


class _CodeSpec(_Strict):
    citation: str = Field(min_length=1)
    valid: bool | None = None
    valid_when: Any = None
    decision_of: str | None = None
    text: str | _Texts

    @model_validator(mode="after")
    def _one_kind(self) -> _CodeSpec:
        kinds = [self.valid is not None, self.valid_when is not None,
                 self.decision_of is not None]
        if sum(kinds) != 1:
            raise ValueError("give exactly one of valid, valid_when, decision_of")
        if self.valid is not None and not isinstance(self.text, str):
            raise ValueError("a fixed judgement takes one text")
        if self.valid is None and isinstance(self.text, str):
            raise ValueError("a judgement on the facts takes texts for valid, not_valid, unknown")
        return self


class _TableFile(_Strict):
    codes: dict[str, _CodeSpec] = Field(min_length=1)


@dataclass(frozen=True)
class ReasonEntry:
    """A code of the table with its parsed condition (for ``valid_when``)."""

    code: str
    spec: _CodeSpec
    condition: Node | None


@dataclass(frozen=True)
class ReasonTable:
    """A rule set's reason-code table; empty (``sha256`` None) when it has none."""

    codes: Mapping[str, ReasonEntry]
    sha256: str | None


def load_reason_table(ruleset: RuleSet) -> ReasonTable:
    """The reason-code table of ``ruleset`` (read once per rule set).

    Raises :class:`RuleSetError` listing every problem in the file, with line and column.
    """
    return _load(Path(ruleset.directory), ruleset)


@lru_cache(maxsize=8)
def _load(directory: Path, ruleset: RuleSet) -> ReasonTable:
    """Cached by directory too: equal rule sets in two directories may differ in tables."""
    path = directory / REASON_CODES_FILE
    if not path.is_file():
        return ReasonTable({}, None)
    name = str(path)
    try:
        text = read_text(path)
        data, marks = read_yaml(text, name)
    except YamlProblem as error:
        raise RuleSetError([error.problem]) from None
    collector = _Collector()
    try:
        table = _TableFile.model_validate(data)
    except ValidationError as error:
        collector.add_validation(error, name, marks, (), "reason codes")
        raise RuleSetError(collector.problems) from None
    parameters = {key: value.value for key, value in ruleset.header.parameters.items()}
    codes: dict[str, ReasonEntry] = {}
    for code, spec in table.codes.items():
        location = f"At ReasonCode({code})"

        def report(problem_code: str, message: str, where: tuple[str | int, ...], crumb: str,
                   suggestion: str | None, *, _location: str = location) -> None:
            if crumb.startswith("when"):  # the parser names the root of a rule's condition
                crumb = "valid_" + crumb
            collector.add(problem_code, message, name, marks, where, f"{_location} > {crumb}",
                          suggestion)

        condition = None
        if spec.valid_when is not None:
            context = ParseContext(case_fields(), parameters, set(ruleset.rules_for_fact), report)
            condition, _ = parse_condition(spec.valid_when, ("codes", code, "valid_when"), context)
        if spec.decision_of is not None and spec.decision_of not in ruleset.orders:
            report("unknown_order", f"unknown order {spec.decision_of!r}",
                   ("codes", code, "decision_of"), "decision_of",
                   suggest(spec.decision_of, sorted(ruleset.orders)))
        codes[code] = ReasonEntry(code, spec, condition)
    if collector.problems:
        raise RuleSetError(collector.problems)
    return ReasonTable(codes, hashlib.sha256(text.encode("utf-8")).hexdigest())


def judge_reason(table: ReasonTable, code: str, evaluation: Evaluation,
                 decisions: Mapping[str, Decision]) -> ReasonCheck:
    """Judge one recorded reason against the facts (``evaluation``) and ``decisions`` of
    the date it was recorded."""
    entry = table.codes.get(code)
    if entry is None:
        return ReasonCheck(code=code, valid=None, text=NO_TABLE_TEXT, citation="")
    spec = entry.spec
    if isinstance(spec.text, str):
        return ReasonCheck(code=code, valid=spec.valid, text=spec.text, citation=spec.citation)
    unknown: frozenset[str] = frozenset()
    if entry.condition is not None:
        verdict = evaluate(entry.condition, evaluation.scope)
        truth, unknown = verdict.truth, verdict.unknown_fields
    else:
        assert spec.decision_of is not None
        truth = _DECISION_TRUTH[decisions[spec.decision_of]]
    text = {Truth.TRUE: spec.text.valid, Truth.FALSE: spec.text.not_valid,
            Truth.UNKNOWN: spec.text.unknown}[truth]
    return ReasonCheck(code=code, valid=truth.as_bool(), text=text, citation=spec.citation,
                       unknown=sorted(unknown))
