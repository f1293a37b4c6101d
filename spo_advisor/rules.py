"""Rule files → a validated :class:`RuleSet`, with file, line and column in every problem.

A rule-set directory holds ``ruleset.yaml`` (name, version, dated parameters, orders and
their precedence) and rule files (``*.yaml`` with a ``rules:`` list). See
``docs/rule_language.md``. Every problem in every file is collected before raising one
:class:`~spo_advisor.errors.RuleSetError`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from spo_advisor.conditions import Node, ParseContext, parse_condition, suggest
from spo_advisor.errors import Problem, RuleSetError
from spo_advisor.fields import case_fields
from spo_advisor.logic import Decision
from spo_advisor.yamlio import Mark, YamlProblem, read_yaml

HEADER_FILE = "ruleset.yaml"
RULE_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)


class Parameter(_Strict):
    """A dated value of the rule set, with its legal source."""

    value: date
    source: str = Field(min_length=1)
    unconfirmed: str | None = None


class OrderSpec(_Strict):
    """An order the rule set decides, and the precedence of its decision rules."""

    title: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    default: Decision
    precedence: list[str] = Field(min_length=1)


class RiskSpec(_Strict):
    high: str
    medium: str
    indicators: list[str]


class StalkingSpec(_Strict):
    four_met: str


class Header(_Strict):
    """The contents of ``ruleset.yaml``."""

    name: str = Field(pattern=NAME.pattern)
    version: str = Field(min_length=1)
    jurisdiction: str = Field(pattern=NAME.pattern)
    parameters: dict[str, Parameter] = {}
    orders: dict[str, OrderSpec] = Field(min_length=1)
    risk: RiskSpec
    stalking: StalkingSpec


class InForce(_Strict):
    start: date | None = Field(None, alias="from")
    end: date | None = Field(None, alias="to")

    def covers(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


class Conclusion(_Strict):
    """What a rule concludes: a derived fact, or a decision for an order."""

    fact: str | None = Field(None, pattern=NAME.pattern)
    order: str | None = None
    decision: Decision | None = None


class RuleSpec(_Strict):
    """One rule as written in a rule file (its condition still raw)."""

    id: str = Field(pattern=RULE_ID.pattern)
    title: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    limb: str = Field(min_length=1)
    in_force: InForce = InForce()
    note: str | None = None
    when: Any
    then: Conclusion


class RuleFile(_Strict):
    rules: list[Any]


@dataclass(frozen=True)
class Rule:
    """A validated rule with its parsed condition."""

    id: str
    title: str
    citation: str
    limb: str
    in_force: InForce
    note: str | None
    when: Node
    fact: str | None
    order: str | None
    decision: Decision | None
    facts_used: frozenset[str]
    file: str
    line: int

    def in_force_on(self, day: date) -> bool:
        return self.in_force.covers(day)


@dataclass(frozen=True)
class RuleSet:
    """A loaded rule set: header, rules in evaluation order, and its content hash."""

    header: Header
    rules: tuple[Rule, ...]
    """Topologically ordered: every rule comes after the rules concluding facts it uses."""
    sha256: str
    directory: str

    @property
    def name(self) -> str:
        return self.header.name

    @property
    def version(self) -> str:
        return self.header.version

    @cached_property
    def by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    @cached_property
    def rules_for_fact(self) -> dict[str, tuple[Rule, ...]]:
        grouped: dict[str, list[Rule]] = {}
        for rule in self.rules:
            if rule.fact:
                grouped.setdefault(rule.fact, []).append(rule)
        return {fact: tuple(rules) for fact, rules in grouped.items()}

    @property
    def orders(self) -> dict[str, OrderSpec]:
        return self.header.orders

    def __hash__(self) -> int:
        return hash(self.sha256)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RuleSet) and other.sha256 == self.sha256


class _Collector:
    """Collects problems, placing each at a file, line and column."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, code: str, message: str, file: str, marks: dict[tuple[str | int, ...], Mark],
            path: tuple[str | int, ...], location: str = "", suggestion: str | None = None) -> None:
        mark = _nearest_mark(marks, path)
        self.problems.append(Problem(code, message, location, file, mark.line, mark.column,
                                     suggestion))

    def add_validation(self, error: ValidationError, file: str,
                       marks: dict[tuple[str | int, ...], Mark], base: tuple[str | int, ...],
                       location: str, choices_for: dict[str, list[str]] | None = None) -> None:
        for item in error.errors():
            loc = tuple(item["loc"])
            where = ".".join(str(part) for part in loc)
            code = "unknown_key" if item["type"] == "extra_forbidden" else "invalid_value"
            suggestion = None
            if code == "unknown_key" and choices_for is not None:
                suggestion = suggest(str(loc[-1]), choices_for.get(".".join(map(str, loc[:-1])), []))
            message = "unknown key" if code == "unknown_key" else item["msg"]
            crumb = f"{location} > {where}" if location else where
            self.add(code, message, file, marks, (*base, *loc), crumb, suggestion)


def _nearest_mark(marks: dict[tuple[str | int, ...], Mark], path: tuple[str | int, ...]) -> Mark:
    while path and path not in marks:
        path = path[:-1]
    return marks.get(path, Mark(1, 1))


RULE_KEYS: dict[str, list[str]] = {
    "": ["id", "title", "citation", "limb", "in_force", "note", "when", "then"],
    "then": ["fact", "order", "decision"],
    "in_force": ["from", "to"],
}


def load_ruleset(directory: str | Path) -> RuleSet:
    """Load and validate the rule set in ``directory``.

    Raises :class:`RuleSetError` listing every problem found, each with file, line and
    column and, where one fits, a suggestion.
    """
    root = Path(directory)
    collector = _Collector()
    header_path = root / HEADER_FILE
    if not header_path.is_file():
        raise RuleSetError([Problem("missing_header", f"no {HEADER_FILE} in the rule-set directory",
                                    file=str(header_path))])
    texts: dict[Path, str] = {}
    for path in [header_path, *sorted(p for p in root.glob("*.yaml") if p.name != HEADER_FILE)]:
        try:
            texts[path] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            collector.problems.append(Problem("unreadable", "file cannot be read as UTF-8 text",
                                              file=str(path)))
    header, header_marks = _load_header(header_path, texts.get(header_path), collector)
    specs = _load_rule_specs(root, texts, collector)
    if header is None:
        raise RuleSetError(collector.problems)
    rules = _build_rules(header, (str(header_path), header_marks), specs, collector)
    if collector.problems:
        raise RuleSetError(collector.problems)
    digest = hashlib.sha256()
    for path in sorted(texts):
        digest.update(path.name.encode() + b"\0" + texts[path].encode() + b"\0")
    return RuleSet(header, rules, digest.hexdigest(), str(root))


def _read(path: Path, text: str | None, collector: _Collector) -> tuple[Any, dict[tuple[str | int, ...], Mark]]:
    if text is None:
        return None, {}
    try:
        return read_yaml(text, str(path))
    except YamlProblem as error:
        collector.problems.append(error.problem)
        return None, {}


Marks = dict[tuple[str | int, ...], Mark]


def _load_header(path: Path, text: str | None, collector: _Collector) -> tuple[Header | None, Marks]:
    data, marks = _read(path, text, collector)
    if data is None:
        return None, marks
    try:
        return Header.model_validate(data), marks
    except ValidationError as error:
        collector.add_validation(error, str(path), marks, (), "ruleset")
        return None, marks


@dataclass(frozen=True)
class _Spec:
    spec: RuleSpec
    file: str
    marks: dict[tuple[str | int, ...], Mark]
    base: tuple[str | int, ...]


def _load_rule_specs(root: Path, texts: dict[Path, str], collector: _Collector) -> list[_Spec]:
    specs: list[_Spec] = []
    for path, text in texts.items():
        if path.name == HEADER_FILE:
            continue
        data, marks = _read(path, text, collector)
        if data is None:
            continue
        try:
            rule_file = RuleFile.model_validate(data)
        except ValidationError as error:
            collector.add_validation(error, str(path), marks, (), "")
            continue
        for index, raw in enumerate(rule_file.rules):
            base = ("rules", index)
            rule_id = raw.get("id") if isinstance(raw, dict) else None
            location = f"At Rule(id={rule_id})" if isinstance(rule_id, str) else f"At rules[{index}]"
            try:
                specs.append(_Spec(RuleSpec.model_validate(raw), str(path), marks, base))
            except ValidationError as error:
                collector.add_validation(error, str(path), marks, base, location, RULE_KEYS)
    return specs


def _build_rules(header: Header, header_source: tuple[str, Marks], specs: list[_Spec],
                 collector: _Collector) -> tuple[Rule, ...]:
    parameters = {name: parameter.value for name, parameter in header.parameters.items()}
    known_facts = {s.spec.then.fact for s in specs if s.spec.then.fact}
    seen: dict[str, _Spec] = {}
    rules: list[Rule] = []
    for item in specs:
        spec, file, marks, base = item.spec, item.file, item.marks, item.base
        location = f"At Rule(id={spec.id})"

        def report(code: str, message: str, where: tuple[str | int, ...], crumb: str,
                   suggestion: str | None, *, _file: str = file, _marks: dict[tuple[str | int, ...], Mark] = marks,
                   _location: str = location) -> None:
            collector.add(code, message, _file, _marks, where, f"{_location} > {crumb}", suggestion)

        if spec.id in seen:
            report("duplicate_id", f"rule id already used in {seen[spec.id].file}",
                   (*base, "id"), "id", None)
            continue
        seen[spec.id] = item
        _check_conclusion(spec, header, report, base)
        ctx = ParseContext(case_fields(), parameters, known_facts, report)
        node, facts_used = parse_condition(spec.when, (*base, "when"), ctx)
        start, end = spec.in_force.start, spec.in_force.end
        if start and end and start > end:
            report("reversed_dates", "in_force 'from' is after 'to'", (*base, "in_force"),
                   "in_force", None)
        if node is None:
            continue
        rules.append(Rule(spec.id, spec.title, spec.citation, spec.limb, spec.in_force, spec.note,
                          node, spec.then.fact, spec.then.order, spec.then.decision,
                          frozenset(facts_used), file, _nearest_mark(marks, base).line))
    _check_orders(header, header_source, {rule.id: rule for rule in rules}, seen, collector)
    _check_summaries(header_source, header, known_facts, collector)
    return _topological(rules, collector)


def _check_conclusion(spec: RuleSpec, header: Header, report: Any, base: tuple[str | int, ...]) -> None:
    then = spec.then
    where = (*base, "then")
    if (then.fact is None) == (then.order is None):
        report("invalid_conclusion", "'then' needs either 'fact' or 'order' with 'decision'",
               where, "then", None)
    elif then.order is not None:
        if then.order not in header.orders:
            report("unknown_order", f"unknown order {then.order!r}", (*where, "order"), "then",
                   suggest(then.order, sorted(header.orders)))
        if then.decision is None:
            report("invalid_conclusion", "an order conclusion needs a 'decision'", where, "then",
                   None)
    elif then.decision is not None:
        report("invalid_conclusion", "a fact conclusion takes no 'decision'", where, "then", None)


def _check_orders(header: Header, header_source: tuple[str, Marks], rules: dict[str, Rule],
                  specs: dict[str, _Spec], collector: _Collector) -> None:
    header_file, marks = header_source
    listed: dict[str, str] = {}
    for order, spec in header.orders.items():
        for index, rule_id in enumerate(spec.precedence):
            rule = rules.get(rule_id)
            problem = None
            if rule_id not in specs:
                problem = ("unknown_rule", f"precedence names an unknown rule {rule_id!r}",
                           suggest(rule_id, sorted(specs)))
            elif rule is not None and rule.order != order:
                problem = ("wrong_order", f"rule {rule_id!r} does not decide {order!r}", None)
            elif rule_id in listed:
                problem = ("duplicate_precedence", f"rule {rule_id!r} listed twice", None)
            if problem:
                collector.add(problem[0], problem[1], header_file, marks,
                              ("orders", order, "precedence", index),
                              f"At Order({order}) > precedence[{index}]", problem[2])
            listed[rule_id] = order
    for rule in rules.values():
        if rule.order is not None and rule.id not in listed:
            collector.problems.append(Problem(
                "no_precedence", f"decision rule for {rule.order!r} is not in that order's precedence",
                f"At Rule(id={rule.id})", rule.file, rule.line))


def _check_summaries(header_source: tuple[str, Marks], header: Header, known_facts: set[str],
                     collector: _Collector) -> None:
    header_file, marks = header_source
    names: list[tuple[tuple[str | int, ...], str]] = [
        (("risk", "high"), header.risk.high), (("risk", "medium"), header.risk.medium),
        (("stalking", "four_met"), header.stalking.four_met)]
    names += [(("risk", "indicators", i), fact) for i, fact in enumerate(header.risk.indicators)]
    for where, fact in names:
        if fact not in known_facts:
            collector.add("unknown_fact", f"no rule concludes the fact {fact!r}", header_file,
                          marks, where, "ruleset > " + ".".join(map(str, where)),
                          suggest(fact, sorted(known_facts)))


def _topological(rules: list[Rule], collector: _Collector) -> tuple[Rule, ...]:
    """Order rules so each comes after the rules concluding the facts it uses."""
    concluding: dict[str, list[Rule]] = {}
    for rule in rules:
        if rule.fact:
            concluding.setdefault(rule.fact, []).append(rule)
    ordered: list[Rule] = []
    state: dict[str, int] = {}  # 1 = in progress, 2 = done

    def visit(rule: Rule, chain: tuple[str, ...]) -> None:
        if state.get(rule.id) == 2:
            return
        if state.get(rule.id) == 1:
            collector.problems.append(Problem(
                "cycle", "facts depend on themselves: " + " > ".join((*chain, rule.id)),
                f"At Rule(id={rule.id})", rule.file, rule.line))
            return
        state[rule.id] = 1
        for fact in sorted(rule.facts_used):
            for dependency in concluding.get(fact, []):
                visit(dependency, (*chain, rule.id))
        state[rule.id] = 2
        ordered.append(rule)

    for rule in rules:
        visit(rule, ())
    return tuple(ordered)
