"""Rule files → a validated :class:`RuleSet`, with file, line and column in every problem.

A rule-set directory holds ``ruleset.yaml`` (name, version, dated parameters, open
questions, orders and their limbs) and rule files (``*.yaml`` with a ``rules:`` list). See
``docs/rule_language.md``. Every problem in every file is collected before raising one
:class:`~spo_advisor.model.errors.RuleSetError`: a broken header does not hide the problems of
the rules, nor a broken rule those of its condition.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from spo_advisor.language.condition_parser import ParseContext, parse_condition, suggest
from spo_advisor.language.conditions import Node
from spo_advisor.language.fields import case_fields
from spo_advisor.language.rule_specs import (
    Header,
    InForce,
    OrderSpec,
    RuleFile,
    RuleSpec,
)
from spo_advisor.language.rule_text import unknown_paths
from spo_advisor.model.errors import Problem, RuleSetError
from spo_advisor.model.yamlio import Mark, YamlProblem, read_text, read_yaml

HEADER_FILE = "ruleset.yaml"
_INDEXED = re.compile(r"(\w+)\[(\d+)\]")

YamlPath = tuple[str | int, ...]
Marks = Mapping[YamlPath, Mark]
START = Mark(1, 1)


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
    fact: str
    facts_used: frozenset[str]
    file: str
    line: int
    marks: Marks = field(default_factory=dict, compare=False, hash=False, repr=False)
    """Line and column of every key written in the rule, by path inside the rule."""

    def in_force_on(self, day: date) -> bool:
        return self.in_force.covers(day)

    def position(self, *path: str | int) -> Mark:
        """Where ``path`` (``"in_force", "from"``) is written in the rule, else its nearest
        written parent."""
        return _nearest_mark(self.marks, path, Mark(self.line, 1))

    def locate(self, crumb: str) -> Mark:
        """Where the part of the condition with breadcrumb ``crumb`` (``when > all[1]``)
        is written."""
        return self.position(*crumb_path(crumb))


def crumb_path(crumb: str) -> YamlPath:
    """The path inside a rule of a condition breadcrumb: ``when > all[1] > not`` →
    ``("when", "all", 1, "not")``."""
    path: list[str | int] = []
    for part in crumb.split(" > "):
        indexed = _INDEXED.fullmatch(part)
        path += [indexed[1], int(indexed[2])] if indexed else [part]
    return tuple(path)


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


@dataclass(frozen=True)
class Reading:
    """All that reading a rule-set directory found.

    ``ruleset`` is None when a problem stops it from loading; ``rules`` holds every rule
    that could be built all the same, so further checks can look at them;
    ``problems`` are sorted by file, line and column.
    """

    ruleset: RuleSet | None
    rules: tuple[Rule, ...]
    problems: tuple[Problem, ...]


def problem_order(problem: Problem) -> tuple[str, int, int]:
    """Sort key: file, line, column (problems without a place first)."""
    return problem.file or "", problem.line or 0, problem.column or 0


Report = Callable[[str, str, YamlPath, str, "str | None"], None]
"""report(code, message, path inside the rule, breadcrumb after the rule, suggestion)."""


class _Collector:
    """Collects problems, placing each at a file, line and column."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, code: str, message: str, file: str, marks: Marks, path: YamlPath,
            location: str = "", suggestion: str | None = None) -> None:
        mark = _nearest_mark(marks, path)
        self.problems.append(Problem(code, message, location, file, mark.line, mark.column,
                                     suggestion))

    def add_validation(self, error: ValidationError, file: str, marks: Marks, base: YamlPath,
                       location: str, choices_for: dict[str, list[str]] | None = None) -> None:
        for item in error.errors():
            loc = tuple(item["loc"])
            where = ".".join(str(part) for part in loc)
            code, message, suggestion = _validation_problem(item, loc, choices_for)
            crumb = " > ".join(part for part in (location, where) if part)
            self.add(code, message, file, marks, (*base, *loc), crumb, suggestion)

    def at_rule(self, rule: Rule, code: str, message: str) -> None:
        """A problem with a whole built rule, placed where the rule starts."""
        mark = rule.position()
        self.problems.append(Problem(code, message, f"At Rule(id={rule.id})", rule.file,
                                     mark.line, mark.column))

    def rule_reporter(self, file: str, marks: Marks, base: YamlPath, location: str) -> Report:
        """A ``report`` function for problems inside one rule, crumbed ``At Rule(id=…)``."""

        def report(code: str, message: str, where: YamlPath, crumb: str,
                   suggestion: str | None) -> None:
            self.add(code, message, file, marks, where,
                     f"{location} > {crumb}" if crumb else location, suggestion)

        return report


def _validation_problem(item: Any, loc: YamlPath, choices_for: dict[str, list[str]] | None
                        ) -> tuple[str, str, str | None]:
    """A pydantic error in the rule author's terms: code, message, suggestion."""
    kind = item["type"]
    if kind == "extra_forbidden":
        choices = (choices_for or {}).get(".".join(map(str, loc[:-1])), [])
        return "unknown_key", "unknown key", suggest(str(loc[-1]), choices)
    if kind == "missing":
        return "missing_key", "required key is missing", None
    if kind in ("string_too_short", "too_short"):
        return "invalid_value", "must not be empty", None
    if kind in ("model_type", "dict_type"):
        return "invalid_value", "expected a mapping", None
    if kind == "string_pattern_mismatch":
        return "invalid_value", PATTERN_MESSAGES.get(str(loc[-1]), PATTERN_MESSAGES[""]), None
    if kind == "enum":
        allowed = re.findall(r"'([^']*)'", item.get("ctx", {}).get("expected", ""))
        return "invalid_value", item["msg"], suggest(item.get("input"), allowed)
    return "invalid_value", item["msg"], None


def _nearest_mark(marks: Marks, path: YamlPath, default: Mark = START) -> Mark:
    while path and path not in marks:
        path = path[:-1]
    return marks.get(path, default)


RULE_KEYS: dict[str, list[str]] = {
    "": ["id", "title", "citation", "limb", "in_force", "note", "when", "then"],
    "then": ["fact"],
    "in_force": ["from", "to"],
}
HEADER_KEYS: dict[str, list[str]] = {
    "": list(Header.model_fields),
}
PATTERN_MESSAGES = {
    "id": "must be lower-case names joined by dots, e.g. spo.acts",
    "": "must be snake_case (lower-case letters, digits, underscores)",
}
REQUIRED_TEXTS = (
    ("citation", "missing_citation", "a rule needs a citation: the provision it encodes"),
    ("limb", "missing_limb",
     "a rule needs its limb: a short paraphrase of the legal text it encodes"),
)


def load_ruleset(directory: str | Path) -> RuleSet:
    """Load and validate the rule set in ``directory``.

    Raises :class:`RuleSetError` listing every problem found, each with file, line and
    column and, where one fits, a suggestion.
    """
    reading = read_ruleset(directory)
    if reading.ruleset is None:
        raise RuleSetError(reading.problems)
    return reading.ruleset


def read_ruleset(directory: str | Path) -> Reading:
    """Read and validate the rule set in ``directory`` without raising: every problem,
    the rule set when there are none, and the rules that could be built either way."""
    root = Path(directory)
    collector = _Collector()
    header_path = root / HEADER_FILE
    if not header_path.is_file():
        problem = Problem("missing_header", f"no {HEADER_FILE} in the rule-set directory",
                          file=str(header_path))
        return Reading(None, (), (problem,))
    texts: dict[Path, str] = {}
    for path in [header_path, *sorted(p for p in root.glob("*.yaml") if p.name != HEADER_FILE)]:
        try:
            texts[path] = read_text(path)
        except YamlProblem as error:
            collector.problems.append(error.problem)
        except (OSError, UnicodeDecodeError):
            collector.problems.append(Problem("unreadable", "file cannot be read as UTF-8 text",
                                              file=str(path)))
    header_data, header_marks = _read(header_path, texts.get(header_path), collector)
    header = _validate_header(header_data, str(header_path), header_marks, collector)
    specs = _load_rule_specs(texts, collector)
    rules = _build_rules(_raw_parameters(header_data), specs, collector)
    if header is not None:
        concluded = _concluded_facts(specs)
        _check_orders(header, (str(header_path), header_marks), concluded, collector)
        _check_summaries((str(header_path), header_marks), header, concluded, collector)
    ordered = _topological(rules, collector)
    problems = tuple(sorted(collector.problems, key=problem_order))
    if problems or header is None:
        return Reading(None, ordered, problems)
    return Reading(RuleSet(header, ordered, _sha256(root, texts), str(root)), ordered, ())


TERMS_FILE = Path("court_terms") / "court_terms.yaml"
"""The drafting prompts for court terms, read beside the rules by :mod:`spo_advisor.advice.court_terms`."""
REASON_CODES_FILE = Path("review") / "reason_codes.yaml"
"""The review's reason-code table, read beside the rules by :mod:`spo_advisor.review.reason_codes`."""
LABELS_FILE = Path("labels") / "labels.yaml"
"""The plain labels of every code, read beside the rules by :mod:`spo_advisor.language.labels`."""
COMPANION_FILES = (TERMS_FILE, REASON_CODES_FILE, LABELS_FILE)
"""Files of a rule set that are read after its rules; covered by its ``sha256`` too."""


def _sha256(root: Path, texts: dict[Path, str]) -> str:
    """The identity of a rule set: every file it loads (its rules, and the companion files
    that exist), by name and content. A companion that cannot be read counts as such; its
    own loader refuses it when it is used."""
    digest = hashlib.sha256()
    for path in sorted(texts):
        digest.update(path.name.encode() + b"\0" + texts[path].encode() + b"\0")
    for relative in COMPANION_FILES:
        path = root / relative
        if not path.is_file():
            continue
        try:
            content = read_text(path).encode()
        except (YamlProblem, OSError, UnicodeDecodeError):
            content = b"\xff(unreadable)"  # never the UTF-8 of a file that can be read
        digest.update(relative.as_posix().encode() + b"\0" + content + b"\0")
    return digest.hexdigest()


def _read(path: Path, text: str | None, collector: _Collector) -> tuple[Any, Marks]:
    if text is None:
        return None, {}
    try:
        return read_yaml(text, str(path))
    except YamlProblem as error:
        collector.problems.append(error.problem)
        return None, {}


def _validate_header(data: Any, file: str, marks: Marks, collector: _Collector) -> Header | None:
    if data is None:
        return None
    try:
        return Header.model_validate(data)
    except ValidationError as error:
        collector.add_validation(error, file, marks, (), "ruleset", HEADER_KEYS)
        return None


def _raw_parameters(data: Any) -> dict[str, date]:
    """The parameters of a header as written, valid or not: rule conditions are checked
    against them even when the header as a whole is not valid."""
    raw = data.get("parameters") if isinstance(data, dict) else None
    if not isinstance(raw, dict):
        return {}
    return {name: spec["value"] for name, spec in raw.items()
            if isinstance(spec, dict) and isinstance(spec.get("value"), date)}


@dataclass(frozen=True)
class _Spec:
    """One entry of a rule file: its validated spec (None if invalid) and the raw data."""

    raw: Any
    spec: RuleSpec | None
    file: str
    marks: Marks
    base: YamlPath

    @property
    def rule_id(self) -> str | None:
        rule_id = self.raw.get("id") if isinstance(self.raw, dict) else None
        return rule_id if isinstance(rule_id, str) else None

    @property
    def location(self) -> str:
        return f"At Rule(id={self.rule_id})" if self.rule_id else f"At rules[{self.base[-1]}]"

    def relative_marks(self) -> dict[YamlPath, Mark]:
        size = len(self.base)
        return {path[size:]: mark for path, mark in self.marks.items()
                if path[:size] == self.base}


def _load_rule_specs(texts: dict[Path, str], collector: _Collector) -> list[_Spec]:
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
            collector.add_validation(error, str(path), marks, (), "", {"": ["rules"]})
            continue
        for index, raw in enumerate(rule_file.rules):
            item = _Spec(raw, None, str(path), marks, ("rules", index))
            try:
                item = dataclasses.replace(item, spec=RuleSpec.model_validate(raw))
            except ValidationError as error:
                collector.add_validation(error, item.file, marks, item.base, item.location,
                                         RULE_KEYS)
            specs.append(item)
    return specs


def _concluded_facts(specs: list[_Spec]) -> set[str]:
    """Every fact some rule concludes, read from the raw rules so that one invalid rule
    does not make the facts it concludes look unknown everywhere else."""
    facts = set()
    for item in specs:
        then = item.raw.get("then") if isinstance(item.raw, dict) else None
        fact = then.get("fact") if isinstance(then, dict) else None
        if isinstance(fact, str):
            facts.add(fact)
    return facts


def _build_rules(parameters: dict[str, date], specs: list[_Spec],
                 collector: _Collector) -> list[Rule]:
    known_facts = _concluded_facts(specs)
    seen: dict[str, _Spec] = {}
    rules: list[Rule] = []
    for item in specs:
        report = collector.rule_reporter(item.file, item.marks, item.base, item.location)
        base, spec = item.base, item.spec
        node: Node | None = None
        facts_used: set[str] = set()
        if isinstance(item.raw, dict) and "when" in item.raw:
            ctx = ParseContext(case_fields(), parameters, known_facts, report)
            node, facts_used = parse_condition(item.raw["when"], (*base, "when"), ctx)
        if spec is None:
            continue
        duplicate = spec.id in seen
        if duplicate:
            report("duplicate_id", f"rule id already used in {seen[spec.id].file}",
                   (*base, "id"), "id", None)
        seen.setdefault(spec.id, item)
        for key, code, message in REQUIRED_TEXTS:
            if not getattr(spec, key).strip():
                report(code, message, (*base, key), key if key in item.raw else "", None)
        for path in unknown_paths(spec.limb, case_fields().scalars):
            report("unknown_field", f"the limb text names an unknown case field {path!r}",
                   (*base, "limb"), "limb", suggest(path, sorted(case_fields().scalars)))
        start, end = spec.in_force.start, spec.in_force.end
        if start and end and start > end:
            report("reversed_dates", "in_force 'from' is after 'to'", (*base, "in_force"),
                   "in_force", None)
        if node is None or duplicate:
            continue
        rules.append(Rule(spec.id, spec.title, spec.citation, spec.limb, spec.in_force, spec.note,
                          node, spec.then.fact,
                          frozenset(facts_used), item.file, _nearest_mark(item.marks, base).line,
                          item.relative_marks()))
    return rules


def _check_orders(header: Header, header_source: tuple[str, Marks], known_facts: set[str],
                  collector: _Collector) -> None:
    """Every limb reads facts some rule concludes; each order has one trigger and
    distinct limb names; only judgement limbs may read no fact."""
    header_file, marks = header_source
    for order, spec in header.orders.items():
        where_order: YamlPath = ("orders", order, "limbs")
        problems: list[tuple[YamlPath, str, str, str | None]] = []
        triggers = [limb.limb for limb in spec.limbs if limb.trigger]
        if len(triggers) != 1:
            problems.append((where_order, "trigger_count",
                             f"needs exactly one trigger limb, has {len(triggers)}", None))
        names: set[str] = set()
        for index, limb in enumerate(spec.limbs):
            where: YamlPath = (*where_order, index)
            if limb.limb in names:
                problems.append((where, "duplicate_limb", f"limb {limb.limb!r} listed twice", None))
            names.add(limb.limb)
            if limb.fact is not None and limb.unless is not None:
                problems.append((where, "fact_and_unless", "give 'fact' or 'unless', not both",
                                 None))
            if limb.fact is None and limb.unless is None \
                    and not (limb.judgement and limb.citation):
                problems.append((where, "limb_without_fact",
                                 "only a judgement limb with its own citation may read no fact",
                                 None))
            problems += [((*where, key), "unknown_fact", f"no rule concludes the fact {name!r}",
                          suggest(name, sorted(known_facts)))
                         for key, name in limb.facts() if name not in known_facts]
        for where, code, message, hint in problems:
            collector.add(code, message, header_file, marks, where,
                          "ruleset > " + ".".join(map(str, where)), hint)


def _check_summaries(header_source: tuple[str, Marks], header: Header, known_facts: set[str],
                     collector: _Collector) -> None:
    header_file, marks = header_source
    names: list[tuple[YamlPath, str]] = [
        (("risk", "high"), header.risk.high), (("risk", "medium"), header.risk.medium),
        (("stalking", "four_met"), header.stalking.four_met)]
    names += [(("risk", "indicators", i), fact) for i, fact in enumerate(header.risk.indicators)]
    names += [(("risk", "context", i), fact) for i, fact in enumerate(header.risk.context)]
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
            collector.at_rule(rule, "cycle",
                              "facts depend on themselves: " + " > ".join((*chain, rule.id)))
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
