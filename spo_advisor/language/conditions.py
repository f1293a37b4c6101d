"""The condition language: its nodes, evaluated in three-valued logic; what it uses.

Parsing rule YAML into nodes is :mod:`spo_advisor.language.condition_parser`.

The pure-Python evaluation here is the source of every explanation, and on Pythons where
durable_rules cannot be built it is also the engine. Interpreted (:func:`evaluate`), it
never short-circuits: every node gets a truth value, so "why not" and "unknown" can be
read off the whole tree. Nodes compare by identity (each is one place in one rule) and
evaluate themselves. Each condition can also be compiled into a closure
(:attr:`Node.compiled`) giving the same verdict without the trace: the conditions on the
records a count reads run so; a whole rule set runs as one generated function
(:mod:`spo_advisor.engine.generated`), which the tests prove gives the closures' verdicts.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any

from spo_advisor.language.fields import FieldSpec
from spo_advisor.model.logic import Truth

OPERATORS: dict[str, tuple[str, ...]] = {
    "is": ("bool", "int", "enum", "str"),
    "in": ("int", "enum", "str"),
    "contains": ("enum_list",),
    "contains_any": ("enum_list",),
    "at_least": ("int",),
    "at_most": ("int",),
    "on_or_after": ("date",),
    "before": ("date",),
}
COUNT_KEYS = ("count", "where", "within_days", "dated_after", "at_least")
DATED_AFTER_KEYS = ("collection", "date", "where")
MAX_WITHIN_DAYS = 36_525
"""Longest window a count may look back: with a case's dates from 1900 on, the date
arithmetic never leaves the calendar."""
RECORD_DATE_FIELD = "date"


class AsOf:
    """The operand ``as_of``: the date of assessment."""

    def __reduce__(self) -> str:
        return "AS_OF_OPERAND"  # one instance, also in a process that unpickles a rule set

    def __repr__(self) -> str:
        return "as_of"


AS_OF_OPERAND = AsOf()
Operand = bool | int | str | date | tuple[Any, ...] | AsOf


@dataclass(frozen=True, eq=False)
class Node:
    """A condition; ``crumb`` locates it inside its rule (``when > all[1]``).

    Nodes compare and hash by identity: each is one place in one rule, and traces map
    nodes to verdicts.
    """

    crumb: str

    def verdict(self, values: Mapping[str, Any], scope: Scope, trace: Trace | None) -> Verdict:
        """This node's verdict with field values from ``values``; the verdicts of the
        nodes below it go into ``trace``."""
        raise NotImplementedError

    @cached_property
    def compiled(self) -> Compiled:
        """This condition compiled once into a closure: the same verdict as
        :func:`evaluate`, without a trace (see :func:`compile_condition`)."""
        return compile_condition(self)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without its closures, which are compiled again where they are used."""
        return {key: value for key, value in self.__dict__.items() if key not in _CLOSURES}


@dataclass(frozen=True, eq=False)
class AllOf(Node):
    parts: tuple[Node, ...]

    def verdict(self, values: Mapping[str, Any], scope: Scope, trace: Trace | None) -> Verdict:
        return kleene(_parts(self.parts, values, scope, trace), Truth.FALSE, FALSE, TRUE)


@dataclass(frozen=True, eq=False)
class AnyOf(Node):
    parts: tuple[Node, ...]

    def verdict(self, values: Mapping[str, Any], scope: Scope, trace: Trace | None) -> Verdict:
        return kleene(_parts(self.parts, values, scope, trace), Truth.TRUE, TRUE, FALSE)


@dataclass(frozen=True, eq=False)
class Not(Node):
    part: Node

    def verdict(self, values: Mapping[str, Any], scope: Scope, trace: Trace | None) -> Verdict:
        inner = self.part.verdict(values, scope, trace)
        if trace is not None:
            trace[self.part] = inner
        if inner.truth is Truth.UNKNOWN:
            return inner
        return FALSE if inner.truth is Truth.TRUE else TRUE


@dataclass(frozen=True, eq=False)
class FactRef(Node):
    name: str

    def verdict(self, values: Mapping[str, Any], scope: Scope, trace: Trace | None) -> Verdict:
        return scope.derived[self.name]


@dataclass(frozen=True, eq=False)
class FieldTest(Node):
    path: str
    op: str
    operand: Operand
    spec: FieldSpec
    test: Callable[[Any, Any], bool] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "test", _TESTS[self.op])

    def verdict(self, values: Mapping[str, Any], scope: Scope, trace: Trace | None) -> Verdict:
        value = values.get(self.path)
        if value is None:
            return Verdict(Truth.UNKNOWN, frozenset((scope.prefix + self.path,)))
        return TRUE if self.test(value, scope.as_of if self.operand is AS_OF_OPERAND
                                 else self.operand) else FALSE


@dataclass(frozen=True, eq=False)
class DatedAfter:
    """A count's second test, of one record's date against other records' dates: the
    record (its ``date``) is dated after the ``date`` field of a record of ``collection``
    matching ``where`` (an incident after the ``made_on`` of an order protecting the
    victim). Three-valued: a record on the same day, or against a record whose date is
    unknown, could be either."""

    collection: str
    date: str
    where: Node | None

    @cached_property
    def compiled_where(self) -> Compiled | None:
        """``where`` compiled, for the records of ``collection``."""
        return None if self.where is None else compile_condition(self.where,
                                                                 f"{self.collection}.")

    def shape(self) -> Hashable:
        return (self.collection, self.date, None if self.where is None else shape(self.where))

    def __getstate__(self) -> dict[str, Any]:
        return {key: value for key, value in self.__dict__.items() if key not in _CLOSURES}


@dataclass(frozen=True, eq=False)
class Count(Node):
    collection: str
    where: Node | None
    within_days: int | None
    at_least: int
    dated_after: DatedAfter | None = None

    @cached_property
    def counted(self) -> Hashable:
        """What this count counts, without ``at_least``: counts that share it share their
        numbers, however they are placed in the rules."""
        return (self.collection, None if self.where is None else shape(self.where),
                self.within_days, None if self.dated_after is None else self.dated_after.shape())

    @cached_property
    def compiled_where(self) -> Compiled | None:
        """``where`` compiled, for the records of ``collection``."""
        return None if self.where is None else compile_condition(self.where,
                                                                 f"{self.collection}.")

    def verdict(self, values: Mapping[str, Any], scope: Scope, trace: Trace | None) -> Verdict:
        certain, possible, unknown = count_matches(self, scope)
        if certain >= self.at_least:
            return TRUE
        if possible < self.at_least:
            return FALSE
        return Verdict(Truth.UNKNOWN, unknown)


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, AllOf | AnyOf):
        return node.parts
    if isinstance(node, Not):
        return (node.part,)
    return ()


def walk(node: Node) -> Iterator[Node]:
    """Every node of a condition tree, parents before children (not into ``where``)."""
    yield node
    for child in children(node):
        yield from walk(child)


def shape(node: Node) -> Hashable:
    """What a condition tests, without where it stands: equal for conditions that always
    give the same verdict on the same facts."""
    if isinstance(node, FieldTest):
        return ("field", node.path, node.op, node.operand)
    if isinstance(node, FactRef):
        return ("fact", node.name)
    if isinstance(node, Count):
        return ("count", node.counted, node.at_least)
    return (type(node).__name__, tuple(shape(child) for child in children(node)))


# ------------------------------------------------------------------------ evaluation


@dataclass(frozen=True, slots=True)
class Verdict:
    """A truth value and, when unknown, the case fields whose absence made it so."""

    truth: Truth
    unknown_fields: frozenset[str] = frozenset()


TRUE = Verdict(Truth.TRUE)
FALSE = Verdict(Truth.FALSE)
Trace = dict[Node, Verdict]
"""The verdict of every node of a condition tree, by node."""


@dataclass(frozen=True)
class Scope:
    """The facts a condition is evaluated against.

    ``values`` maps field paths to values (``None`` = not known); ``records`` holds the
    dated collections, already cut to records dated on or before ``as_of``. The numbers
    each count finds are kept with the scope, so a count repeated across rules, or by
    both engines, is made once per scope; a scope made with ``dataclasses.replace`` may
    hold other facts, and counts afresh.
    """

    as_of: date
    values: Mapping[str, Any]
    records: Mapping[str, Sequence[Mapping[str, Any]]]
    derived: Mapping[str, Verdict]
    prefix: str = ""
    counts: dict[Hashable, tuple[int, int, frozenset[str]]] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    def with_derived(self, derived: Mapping[str, Verdict]) -> Scope:
        """The same facts with these derived verdicts. The counts made so far are shared:
        counts never depend on derived facts."""
        changed = dataclasses.replace(self, derived=derived)
        object.__setattr__(changed, "counts", self.counts)
        return changed


_TESTS: dict[str, Callable[[Any, Any], bool]] = {
    "is": operator.eq,
    "in": lambda value, operand: value in operand,
    "contains": operator.contains,
    "contains_any": lambda value, operand: any(item in value for item in operand),
    "at_least": operator.ge,
    "on_or_after": operator.ge,
    "at_most": operator.le,
    "before": operator.lt,
}


def compare(op: str, value: Any, operand: Any) -> bool:
    """Apply one operator to a known value. ``operand`` is already resolved."""
    return bool(_TESTS[op](value, operand))


def evaluate(node: Node, scope: Scope, trace: Trace | None = None) -> Verdict:
    """Evaluate a condition in three-valued logic, recording every node's verdict in ``trace``
    (each node after the nodes below it)."""
    verdict = node.verdict(scope.values, scope, trace)
    if trace is not None:
        trace[node] = verdict
    return verdict


def _parts(parts: tuple[Node, ...], values: Mapping[str, Any], scope: Scope,
           trace: Trace | None) -> list[Verdict]:
    """The verdicts of ``parts``, each traced after the nodes below it."""
    if trace is None:
        return [part.verdict(values, scope, None) for part in parts]
    verdicts = []
    for part in parts:
        verdict = trace[part] = part.verdict(values, scope, trace)
        verdicts.append(verdict)
    return verdicts


def kleene(parts: Sequence[Verdict], decisive: Truth, decided: Verdict,
            otherwise: Verdict) -> Verdict:
    """Kleene's ``all`` (``decisive`` false) or ``any`` (``decisive`` true) of ``parts``:
    ``decided`` if a part is decisive, else unknown (with the unknown parts' fields) if a
    part is unknown, else ``otherwise``."""
    unknown: list[frozenset[str]] = []
    for part in parts:
        if part.truth is decisive:
            return decided
        if part.truth is Truth.UNKNOWN:
            unknown.append(part.unknown_fields)
    if unknown:
        return Verdict(Truth.UNKNOWN, unknown[0].union(*unknown[1:]))
    return otherwise


def count_matches(node: Count, scope: Scope) -> tuple[int, int, frozenset[str]]:
    """Records that certainly match, that could match, and the fields left unknown."""
    found = scope.counts.get(node.counted)
    if found is None:
        found = scope.counts[node.counted] = _count(node, scope)
    return found


def _count(node: Count, scope: Scope) -> tuple[int, int, frozenset[str]]:
    records = scope.records.get(node.collection, ())
    if node.within_days is not None:
        earliest = scope.as_of - timedelta(days=node.within_days)
        records = [r for r in records if r[RECORD_DATE_FIELD] >= earliest]
    where = node.compiled_where
    after = None
    if node.dated_after is not None:
        after = _dated_after_test(node.dated_after, scope)
        if after is None:  # no record is dated after one: none matches (a replay's common case)
            return 0, 0, frozenset()
    if where is None and after is None:
        return len(records), len(records), frozenset()
    certain = possible = 0
    unknown: set[str] = set()
    for record in records:
        verdict = TRUE if where is None else where(record, scope)  # reads only as_of
        if after is not None and verdict.truth is not Truth.FALSE:
            verdict = kleene((verdict, after(record[RECORD_DATE_FIELD])),
                             Truth.FALSE, FALSE, TRUE)
        certain += verdict.truth is Truth.TRUE
        possible += verdict.truth is not Truth.FALSE
        unknown |= verdict.unknown_fields
    return certain, possible, frozenset(unknown)


def _dated_after_test(after: DatedAfter, scope: Scope) -> Callable[[date], Verdict] | None:
    """Whether a record dated on a day is dated after a matching record of
    ``after.collection`` (known on ``scope.as_of``): true after one that certainly matches
    and is dated earlier; unknown on the same day (which came first is not recorded), or
    against one that may match or whose date is unknown; else false. None when no record
    of the collection may match: then the test is false on every day."""
    where, field_path = after.compiled_where, f"{after.collection}.{after.date}"
    others = []
    for record in scope.records.get(after.collection, ()):
        matching = TRUE if where is None else where(record, scope)
        if matching.truth is not Truth.FALSE:
            others.append((matching, record[after.date]))
    if not others:
        return None
    same_day = Verdict(Truth.UNKNOWN, frozenset((field_path,)))

    def dated_after(day: date) -> Verdict:
        verdicts = []
        for matching, other_day in others:
            if other_day is None or other_day == day:
                verdicts.append(kleene((matching, same_day), Truth.FALSE, FALSE, TRUE))
            elif other_day < day:
                verdicts.append(matching)
        return kleene(verdicts, Truth.TRUE, TRUE, FALSE)

    return dated_after


# --------------------------------------------------------------- compiled evaluation

Compiled = Callable[[Mapping[str, Any], Scope], Verdict]
"""A condition compiled: its verdict from field values and a scope."""
_CLOSURES = frozenset({"compiled", "compiled_where"})
"""The cached properties of nodes that hold compiled closures."""


def compile_condition(node: Node, prefix: str = "") -> Compiled:
    """``node`` as a closure giving the verdict :func:`evaluate` gives (for the fields of
    records of a collection, ``prefix`` is ``"collection."``). Stops at the first decisive
    part of ``all``/``any``: the verdict is the same, only no trace is kept."""
    if isinstance(node, AllOf | AnyOf):
        return _compile_kleene(node, prefix)
    if isinstance(node, Not):
        return _compile_not(compile_condition(node.part, prefix))
    if isinstance(node, FieldTest):
        return _compile_field(node, prefix)
    if isinstance(node, FactRef):
        name = node.name
        return lambda values, scope: scope.derived[name]
    assert isinstance(node, Count)
    return _compile_count(node)


def _compile_kleene(node: AllOf | AnyOf, prefix: str) -> Compiled:
    parts = tuple(compile_condition(part, prefix) for part in node.parts)
    decisive, decided, otherwise = ((Truth.FALSE, FALSE, TRUE) if isinstance(node, AllOf)
                                    else (Truth.TRUE, TRUE, FALSE))
    unknown_truth = Truth.UNKNOWN

    def kleene_of(values: Mapping[str, Any], scope: Scope) -> Verdict:
        unknown: list[frozenset[str]] = []
        for part in parts:
            verdict = part(values, scope)
            truth = verdict.truth
            if truth is decisive:
                return decided
            if truth is unknown_truth:
                unknown.append(verdict.unknown_fields)
        if unknown:
            return Verdict(unknown_truth, unknown[0].union(*unknown[1:]))
        return otherwise

    return kleene_of


def _compile_not(part: Compiled) -> Compiled:
    def negated(values: Mapping[str, Any], scope: Scope) -> Verdict:
        inner = part(values, scope)
        if inner.truth is Truth.UNKNOWN:
            return inner
        return FALSE if inner.truth is Truth.TRUE else TRUE

    return negated


_SET_TESTS: dict[str, Callable[[Any, frozenset[Any]], bool]] = {
    "in": lambda value, operand: value in operand,
    "contains_any": lambda value, operand: not operand.isdisjoint(value),
}
"""The tests of a list operand, on the operand as a set: the same answers, found faster."""


def field_test(node: FieldTest) -> tuple[Callable[[Any, Any], bool], Any]:
    """The test a compiled field comparison makes, and its operand (a list operand as a
    set, for the tests that read it so)."""
    if node.op in _SET_TESTS and isinstance(node.operand, tuple):
        return _SET_TESTS[node.op], frozenset(node.operand)
    return node.test, node.operand


def _compile_field(node: FieldTest, prefix: str) -> Compiled:
    path = node.path
    test, operand = field_test(node)
    unknown = Verdict(Truth.UNKNOWN, frozenset((prefix + path,)))
    if operand is AS_OF_OPERAND:
        def against_as_of(values: Mapping[str, Any], scope: Scope) -> Verdict:
            value = values.get(path)
            if value is None:
                return unknown
            return TRUE if test(value, scope.as_of) else FALSE

        return against_as_of

    def tested(values: Mapping[str, Any], scope: Scope) -> Verdict:
        value = values.get(path)
        if value is None:
            return unknown
        return TRUE if test(value, operand) else FALSE

    return tested


def _compile_count(node: Count) -> Compiled:
    at_least = node.at_least

    def counted(values: Mapping[str, Any], scope: Scope) -> Verdict:
        certain, possible, unknown = count_matches(node, scope)
        if certain >= at_least:
            return TRUE
        if possible < at_least:
            return FALSE
        return Verdict(Truth.UNKNOWN, unknown)

    return counted
