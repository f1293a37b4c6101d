"""A rule set as one generated Python function that evaluates every rule and fact in
order: no closure call per condition, no lookup of a rule by name.

Each condition becomes straight-line code over two local variables per node, its truth
and the fields left unknown, following the same three-valued logic as the closures of
:func:`~spo_advisor.language.conditions.compile_condition`: ``all``/``any`` stop at the
first decisive part, a field that is null is unknown (naming the field), ``not`` keeps
the unknown fields, facts are read as the rules concluding them left them, and counts go
through the scope's shared cache (:func:`~spo_advisor.language.conditions.count_matches`).
``tests/test_property_engine.py`` proves the verdicts equal the closures' on generated cases.

The source is made once per rule set and names every value from the rule files through
the function's constants (rule ids, fact names and field paths only as ``repr`` literals),
so nothing in a rule file is ever executed.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Hashable, Iterable
from datetime import timedelta
from functools import lru_cache
from typing import Any

from spo_advisor.language.conditions import (
    AS_OF_OPERAND,
    FALSE,
    RECORD_DATE_FIELD,
    TRUE,
    AllOf,
    AnyOf,
    Count,
    FactRef,
    FieldTest,
    Node,
    Not,
    Scope,
    Verdict,
    count_matches,
    field_test,
    kleene,
    walk,
)
from spo_advisor.language.rules import Rule, RuleSet
from spo_advisor.model.logic import Truth

Evaluate = Callable[[Scope, dict[str, Verdict], dict[str, Verdict]], None]
"""``evaluate(scope, rules, facts)``: fills ``rules`` and ``facts`` (``facts`` is the
scope's ``derived``) with every verdict."""

NOT_IN_FORCE = FALSE
"""A rule not in force on the date is false."""

_INFIX = {operator.eq: "==", operator.ge: ">=", operator.le: "<=", operator.lt: "<"}
"""Operator functions written as the comparison they make."""


def fact_verdict(rule_verdicts: list[Verdict]) -> Verdict:
    """A fact holds if any rule concluding it holds; it fails only if all of them fail."""
    return kleene(rule_verdicts, Truth.TRUE, TRUE, FALSE)


class _Writer:
    """Writes the source of one rule set's evaluation, and the constants it names."""

    def __init__(self, conditions: Iterable[Node]) -> None:
        self.lines: list[str] = []
        self.counting: list[str] = []
        """The functions counting records, written apart from the evaluation."""
        self.counters: dict[str, str] = {}
        self.counted: dict[str, list[Count]] = {}
        """The counts of each collection in ``conditions`` (one of those counting the
        same), but those dated after other records (counted apart)."""
        kept: dict[Hashable, Count] = {}
        for node in (node for condition in conditions for node in walk(condition)):
            if isinstance(node, Count) and node.dated_after is None:
                kept.setdefault(node.counted, node)
        for node in kept.values():
            self.counted.setdefault(node.collection, []).append(node)
        self.constants: dict[str, Any] = {
            "T": Truth.TRUE, "F": Truth.FALSE, "U": Truth.UNKNOWN, "EMPTY": frozenset(),
            "TRUE": TRUE, "FALSE": FALSE, "Verdict": Verdict, "NOT_IN_FORCE": NOT_IN_FORCE,
            "fact_verdict": fact_verdict, "count_matches": count_matches}
        self.names = 0

    def fresh(self) -> str:
        self.names += 1
        return str(self.names)

    def constant(self, value: Any) -> str:
        name = f"C{self.fresh()}"
        self.constants[name] = value
        return name

    def emit(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)

    def node(self, node: Node, indent: int, prefix: str = "") -> str:
        """Code setting ``t<n>`` (the node's truth) and ``u<n>`` (its unknown fields,
        empty unless the truth is unknown); returns ``<n>``. ``get`` reads a field (of
        the case, or of a record of a collection: its fields are named ``prefix`` and
        the field)."""
        if isinstance(node, FieldTest):
            return self.field(node, indent, prefix)
        if isinstance(node, Count):
            return self.count(node, indent)
        if isinstance(node, FactRef):
            n = self.fresh()
            self.emit(indent, f"v{n} = facts[{node.name!r}]")
            self.emit(indent, f"t{n} = v{n}.truth; u{n} = v{n}.unknown_fields")
            return n
        if isinstance(node, Not):
            inner = self.node(node.part, indent, prefix)
            n = self.fresh()
            self.emit(indent, f"t{n} = F if t{inner} is T else (T if t{inner} is F else U)")
            self.emit(indent, f"u{n} = u{inner}")
            return n
        assert isinstance(node, AllOf | AnyOf)
        return self.kleene(node, indent, prefix)

    def count(self, node: Count, indent: int) -> str:
        """A count's numbers, from the scope's cache (shared by every count of the same
        records, and filled ahead by a replay) or made there, with every other count of
        its collection, in one pass over the records; then its verdict."""
        n = self.fresh()
        if node.dated_after is not None:
            self.emit(indent, f"c{n} = count_matches({self.constant(node)}, scope)")
        else:
            key = self.constant(node.counted)
            self.emit(indent, f"c{n} = counts.get({key})")
            self.emit(indent, f"if c{n} is None:")
            self.emit(indent + 1, f"{self.counter(node.collection)}(scope, counts)")
            self.emit(indent + 1, f"c{n} = counts[{key}]")
        least = node.at_least
        self.emit(indent, f"if c{n}[0] >= {least}:")
        self.emit(indent + 1, f"t{n} = T; u{n} = EMPTY")
        self.emit(indent, f"elif c{n}[1] < {least}:")
        self.emit(indent + 1, f"t{n} = F; u{n} = EMPTY")
        self.emit(indent, "else:")
        self.emit(indent + 1, f"t{n} = U; u{n} = c{n}[2]")
        return n

    def counter(self, collection: str) -> str:
        """The function counting, in one pass over the records of ``collection`` known on
        the date, every count of them: the records that certainly match its ``where`` (in
        its window), those that could, and the fields left unknown (as
        :func:`~spo_advisor.language.conditions.count_matches` counts them). It keeps
        each count's numbers in the scope's cache, but those kept there already."""
        if collection in self.counters:
            return self.counters[collection]
        name = self.counters[collection] = f"count_{collection}"
        evaluation, self.lines = self.lines, []
        nodes = self.counted[collection]
        self.emit(0, f"def {name}(scope, counts):")
        self.emit(1, f"as_of = scope.as_of; records = scope.records.get({collection!r}, ())")
        for index, node in enumerate(nodes):
            self.emit(1, f"certain{index} = possible{index} = 0; unknown{index} = EMPTY")
            if node.within_days is not None:
                delta = self.constant(timedelta(days=node.within_days))
                self.emit(1, f"since{index} = as_of - {delta}")
        self.emit(1, "for record in records:")
        self.emit(2, "get = record.get")
        for index, node in enumerate(nodes):
            indent = 2
            if node.within_days is not None:
                self.emit(2, f"if record[{RECORD_DATE_FIELD!r}] >= since{index}:")
                indent = 3
            if node.where is None:
                self.emit(indent, f"certain{index} += 1; possible{index} += 1")
                continue
            matches = self.node(node.where, indent, f"{collection}.")
            self.emit(indent, f"if t{matches} is T:")
            self.emit(indent + 1, f"certain{index} += 1; possible{index} += 1")
            self.emit(indent, f"elif t{matches} is U:")
            self.emit(indent + 1, f"possible{index} += 1; "
                                  f"unknown{index} = unknown{index} | u{matches}")
        for index, node in enumerate(nodes):
            key = self.constant(node.counted)
            self.emit(1, f"counts.setdefault({key}, "
                         f"(certain{index}, possible{index}, unknown{index}))")
        self.counting += self.lines
        self.lines = evaluation
        return name

    def field(self, node: FieldTest, indent: int, prefix: str) -> str:
        n = self.fresh()
        test, operand = field_test(node)
        right = "as_of" if operand is AS_OF_OPERAND else self.constant(operand)
        if test in _INFIX:
            holds = f"v{n} {_INFIX[test]} {right}"
        elif test is operator.contains:
            holds = f"{right} in v{n}"
        elif node.op == "in" and isinstance(operand, frozenset):
            holds = f"v{n} in {right}"
        elif node.op == "contains_any" and isinstance(operand, frozenset):
            holds = f"not {right}.isdisjoint(v{n})"
        else:
            holds = f"{self.constant(test)}(v{n}, {right})"
        self.emit(indent, f"v{n} = get({node.path!r})")
        self.emit(indent, f"if v{n} is None:")
        unknown = self.constant(frozenset((prefix + node.path,)))
        self.emit(indent + 1, f"t{n} = U; u{n} = {unknown}")
        self.emit(indent, "else:")
        self.emit(indent + 1, f"t{n} = T if {holds} else F; u{n} = EMPTY")
        return n

    def kleene(self, node: AllOf | AnyOf, indent: int, prefix: str) -> str:
        """``all`` (``any``): false (true) at the first false (true) part, the parts after
        it not evaluated; else unknown with every unknown part's fields; else true
        (false)."""
        n = self.fresh()
        decisive, otherwise = ("F", "T") if isinstance(node, AllOf) else ("T", "F")
        self.emit(indent, f"t{n} = {otherwise}; u{n} = EMPTY")
        for part in node.parts:
            p = self.node(part, indent, prefix)
            self.emit(indent, f"if t{p} is {decisive}:")
            self.emit(indent + 1, f"t{n} = {decisive}; u{n} = EMPTY")
            self.emit(indent, "else:")
            indent += 1
            self.emit(indent, f"if t{p} is U:")
            self.emit(indent + 1, f"t{n} = U; u{n} = u{n} | u{p}")
        return n

    def rule(self, rule: Rule, completes: tuple[str, ...] | None) -> None:
        """A rule's verdict into ``rules``; the fact it completes (the last of the rules
        concluding it) into ``facts``."""
        self.emit(1, f"# {rule.id}")
        indent = 1
        start, end = rule.in_force.start, rule.in_force.end
        if start is not None or end is not None:
            bounds = [f"as_of < {self.constant(start)}" if start is not None else "",
                      f"as_of > {self.constant(end)}" if end is not None else ""]
            self.emit(1, f"if {' or '.join(b for b in bounds if b)}:")
            self.emit(2, "r = NOT_IN_FORCE")
            self.emit(1, "else:")
            indent = 2
        root = self.node(rule.when, indent)
        if isinstance(rule.when, FactRef):
            self.emit(indent, f"r = v{root}")
        else:
            self.emit(indent, f"r = TRUE if t{root} is T else (FALSE if t{root} is F "
                              f"else Verdict(U, u{root}))")
        self.emit(1, f"rules[{rule.id!r}] = r")
        if completes is None:
            return
        if len(completes) == 1:
            self.emit(1, f"facts[{rule.fact!r}] = r")
        else:
            verdicts = ", ".join(f"rules[{rule_id!r}]" for rule_id in completes)
            self.emit(1, f"facts[{rule.fact!r}] = fact_verdict([{verdicts}])")


    def function(self, name: str, label: str) -> Any:
        """The function ``name`` written, compiled (``label`` names its source)."""
        namespace = dict(self.constants)
        code = compile("\n".join(self.counting + self.lines), f"<{label}>", "exec")
        exec(code, namespace)  # noqa: S102  source written here; rule-file values are constants
        return namespace[name]


_HEAD = "values = scope.values; get = values.get; as_of = scope.as_of; counts = scope.counts"
"""The first line of a generated evaluation: what its conditions read."""


@lru_cache(maxsize=16)
def evaluation_of(ruleset: RuleSet) -> Evaluate:
    """The rule set's evaluation as one function, generated and compiled once."""
    writer = _Writer(rule.when for rule in ruleset.rules)
    writer.emit(0, "def evaluate(scope, rules, facts):")
    writer.emit(1, _HEAD)
    last = {fact: rules[-1].id for fact, rules in ruleset.rules_for_fact.items()}
    for rule in ruleset.rules:
        completes = None
        if rule.fact is not None and last[rule.fact] == rule.id:
            completes = tuple(r.id for r in ruleset.rules_for_fact[rule.fact])
        writer.rule(rule, completes)
    function: Evaluate = writer.function("evaluate", f"rule set {ruleset.name}")
    return function


@lru_cache(maxsize=256)
def truth_of(condition: Node) -> Callable[[Scope], Truth]:
    """A condition read beside the rules (a drafting prompt's, say) as a generated
    function: its truth on a scope whose derived facts are evaluated."""
    writer = _Writer([condition])
    writer.emit(0, "def truth(scope):")
    writer.emit(1, f"{_HEAD}; facts = scope.derived")
    writer.emit(1, f"return t{writer.node(condition, 1)}")
    function: Callable[[Scope], Truth] = writer.function("truth", condition.crumb)
    return function

