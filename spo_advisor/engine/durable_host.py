"""durable_rules as the inference engine. The only module that imports durable_rules.

Each rule is compiled twice, to the cases where it is certainly true and where it is
certainly false (Kleene logic in disjunctive normal form), so that a fact left unknown
fires neither. A firing records the rule's verdict; a firing of a rule that concludes a
derived fact asserts that fact, which later rules join on (forward chaining).

The Rete network of durable_rules (its C engine, ``durable_rules_engine``) is driven
directly; its Python host layer is not used. That host starts threads that never stop,
keeps one global registry, swallows exceptions raised in actions into the session
state, and re-encodes every fact as JSON several times per firing. What this module
guards against instead:

- each rule set is compiled once, under a lock, and registered as its own engine
  ruleset; the least recently used are freed beyond :data:`MAX_RULESETS`. Each is primed
  with one firing before use: the engine frees an uninitialised pointer when it deletes
  a session in which nothing has fired yet (see :func:`_prime`);
- the engine finds sessions, facts and properties by 32-bit FNV-1 hashes, never by
  value. Evaluations use one session id, one at a time, each leaving it empty; every
  fact id and property name is checked at compile time to have a hash of its own;
- one lock around every engine call (the C engine is not thread-safe): evaluations run
  one at a time, and a caller waits for the lock, however many threads call at once; a
  forked child process starts with a fresh lock and empty sessions;
- every fact carries the evaluation's nonce, and every firing must join only facts with
  that nonce; a session still holding facts before an evaluation starts, an engine error
  code, an exception while handling a firing, a firing of an unknown rule and a rule
  found both true and false are raised as :class:`~spo_advisor.model.errors.EngineError`,
  never returned; every fact an evaluation asserts is retracted after it (one call), so
  the next evaluation reuses the session (creating one costs more than evaluating a
  case), and the session is deleted whenever anything went wrong;
- the engine's limits are kept: properties per fact are counted when a rule set is
  compiled, and joins longer than the engine takes are made in steps.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from spo_advisor.language.conditions import (
    AS_OF_OPERAND,
    AllOf,
    AnyOf,
    Count,
    FactRef,
    FieldTest,
    Node,
    Not,
    Scope,
    count_matches,
    walk,
)
from spo_advisor.language.fields import AS_OF
from spo_advisor.language.rules import Rule, RuleSet
from spo_advisor.model.errors import EngineError
from spo_advisor.model.logic import Truth

try:
    import durable_rules_engine as _durable
except ImportError:  # Python 3.13+: durable-rules does not build there
    _durable = None

MAX_TERMS = 512
"""Most conjunctions one rule may compile to, per verdict."""
MAX_RULESETS = 16
"""Most rule sets kept registered in the engine at once."""
MAX_PROPERTIES = 254
"""Most properties the engine accepts in one fact."""
MAX_JOIN = 16
"""Most facts the engine joins in one rule (longer joins are made in steps)."""

SESSION = "s"
"""The one session id: evaluations are serialised, and each leaves the session empty."""
_HANDLED, _NOT_HANDLED, _OBSERVED = 0, 1, 2  # engine result codes that are not failures
_NO_SESSION = 309  # the engine's error code for a session id with no state
_STALE = "engine session still holds facts from an earlier evaluation"
_PRIMING_FACT = '{"k":0,"sid":"s","id":"prime","t":"prime"}'
"""Fires the priming rule, and no other (see :func:`_prime`)."""
_TOO_COMPLEX = (f"a rule is too complex for the engine (more than {MAX_TERMS} conjunctions "
                "for one verdict: too many any/all combinations)")
_FIXED_PROPERTIES = ("k", "sid", "id", "$s", "t")
"""Property names of the engine's own state fact and of this module's facts."""

Expr = dict[str, Any]
# A conjunction: expressions on the case fact, and (fact name, "T" | "F") joins.
Term = tuple[frozenset[str], frozenset[tuple[str, str]]]


def available() -> bool:
    """Whether durable_rules could be imported on this Python."""
    return _durable is not None


def fnv1_32(text: str) -> int:
    """The engine's 32-bit FNV-1 hash of a name, as it finds properties, facts and sessions."""
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        value ^= byte if byte < 0x80 else (byte - 0x100) & 0xFFFFFFFF  # C's signed char
        value = (value * 16777619) & 0xFFFFFFFF
    return value


def _distinct(bases: Iterable[str], taken: set[int]) -> dict[str, str]:
    """A name for each base whose hash no other name has (a suffix is added on collision)."""
    names: dict[str, str] = {}
    for base in bases:
        name = base
        for suffix in itertools.count(1):
            if fnv1_32(name) not in taken:
                break
            name = f"{base}~{suffix}"
        taken.add(fnv1_32(name))
        names[base] = name
    return names


def _key(path: str) -> str:
    return path.replace(".", "__")


def _flag(path: str, choice: str) -> str:
    return f"{_key(path)}__has__{choice}"


def _encode(value: Any) -> Any:
    """Normalise a value for the engine, whose comparisons are loosely typed."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, date):
        return value.toordinal()
    return value


# ----------------------------------------------------------------- compilation


@dataclass(frozen=True)
class _Firing:
    """What one engine rule means: the verdict it gives and the facts it asserts."""

    rule: str | None
    truth: Truth
    joined: int
    asserts: tuple[str, ...]


@dataclass(frozen=True)
class _Compiled:
    """A rule set compiled for the engine, and how to encode a case for it."""

    definition: dict[str, Any]
    firings: dict[str, _Firing]
    counts: tuple[Count, ...]
    keys: dict[str, str]
    flags: dict[tuple[str, str], str]
    count_keys: tuple[tuple[str, str], ...]
    case_id: str

    def case_body(self, scope: Scope) -> str:
        """The case fact as JSON, less its opening ``{"k":nonce,``."""
        fact: dict[str, Any] = {"sid": SESSION, "id": self.case_id, "t": "c"}
        values = scope.values
        for path, key in self.keys.items():
            value = values.get(path)
            if value is not None:
                fact[key] = _encode(value)
        for (path, choice), key in self.flags.items():
            value = values.get(path)
            if value is not None:
                fact[key] = int(choice in value)
        for node, (certain_key, possible_key) in zip(self.counts, self.count_keys, strict=True):
            certain, possible, _ = count_matches(node, scope)
            fact[certain_key] = certain
            fact[possible_key] = possible
        return json.dumps(fact, separators=(",", ":"))[1:]


class _Compiler:
    """Turns a rule set into an engine ruleset definition and the meaning of each rule."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.property_hashes = taken = {fnv1_32(name) for name in _FIXED_PROPERTIES}
        if len(taken) != len(_FIXED_PROPERTIES):
            raise EngineError("the engine's own property names collide")
        tests = [node for rule in ruleset.rules for node in walk(rule.when)]
        counts: dict[Hashable, Count] = {}
        for node in tests:
            if isinstance(node, Count):
                counts.setdefault(node.counted, node)
        self.counts = tuple(counts.values())
        self.count_index = {counted: index for index, counted in enumerate(counts)}
        paths = {AS_OF} | {n.path for n in tests if isinstance(n, FieldTest)
                           and n.op not in ("contains", "contains_any")}
        choices = {(n.path, str(c)) for n in tests if isinstance(n, FieldTest)
                   and n.op in ("contains", "contains_any")
                   for c in (n.operand if isinstance(n.operand, tuple) else (n.operand,))}
        count_bases = [(f"count_{i}_certain", f"count_{i}_possible")
                       for i in range(len(self.counts))]
        names = _distinct([*(_key(path) for path in sorted(paths)),
                           *(_flag(path, choice) for path, choice in sorted(choices)),
                           *(key for pair in count_bases for key in pair)], taken)
        self.keys = {path: names[_key(path)] for path in sorted(paths)}
        self.flags = {(path, choice): names[_flag(path, choice)]
                      for path, choice in sorted(choices)}
        self.count_keys = tuple((names[a], names[b]) for a, b in count_bases)
        size = len(self.keys) + len(self.flags) + 2 * len(self.counts) + 4  # + k, sid, id, t
        if size > MAX_PROPERTIES:
            raise EngineError(f"the rule set uses too many case fields for the engine ({size}, "
                              f"at most {MAX_PROPERTIES})")
        self.exprs: dict[str, Expr] = {}
        self.ids: dict[str, str] = {}
        self.id_hashes: set[int] = set()
        self.properties: dict[str, str] = {}
        self.definition: dict[str, Any] = {}
        self.firings: dict[str, _Firing] = {}

    def fact_id(self, base: str) -> str:
        """The id of a fact, made on first use: its hash is no other fact's."""
        if base not in self.ids:
            self.ids.update(_distinct([base], self.id_hashes))
        return self.ids[base]

    def property(self, kind: str, name: str) -> str:
        """The property a derived fact, a verdict or a partial join is asserted as, made on
        first use: its hash is no other property's. The engine indexes its first tests by
        property name, so a fact with a property of its own is matched without comparing
        it with every other fact's name."""
        base = f"{kind}__{_key(name)}"
        if base not in self.properties:
            self.properties.update(_distinct([base], self.property_hashes))
        return self.properties[base]

    def literal(self, expr: Expr) -> str:
        name = repr(sorted(expr.items(), key=repr))
        self.exprs.setdefault(name, expr)
        return name

    def field(self, node: FieldTest, truth: bool) -> list[Term]:
        operand = node.operand
        if node.op in ("contains", "contains_any"):
            choices = operand if isinstance(operand, tuple) else (operand,)
            flags = [self.flags[(node.path, str(c))] for c in choices]
            if truth:
                return [(frozenset({self.literal({flag: 1})}), frozenset()) for flag in flags]
            return [(frozenset(self.literal({flag: 0}) for flag in flags), frozenset())]
        key = self.keys[node.path]
        exists = self.literal({"$ex": {key: 1}})

        def on_case(*exprs: Expr) -> Term:
            return frozenset({exists, *(self.literal(e) for e in exprs)}), frozenset()

        if node.op in ("is", "in"):
            values = operand if isinstance(operand, tuple) else (operand,)
            if truth:
                return [on_case({key: _encode(v)}) for v in values]
            return [on_case(*({"$neq": {key: _encode(v)}} for v in values))]
        target: Any = {"$m": self.keys[AS_OF]} if operand is AS_OF_OPERAND else _encode(operand)
        holds, fails = {"at_least": ("$gte", "$lt"), "at_most": ("$lte", "$gt"),
                        "on_or_after": ("$gte", "$lt"), "before": ("$lt", "$gte")}[node.op]
        return [on_case({holds if truth else fails: {key: target}})]

    def terms(self, node: Node, truth: bool) -> list[Term]:
        """The conjunctions under which ``node`` is certainly ``truth``."""
        if isinstance(node, Not):
            return self.terms(node.part, not truth)
        if isinstance(node, AllOf | AnyOf):
            parts = [self.terms(part, truth) for part in node.parts]
            if isinstance(node, AllOf) == truth:
                return self._product(parts)
            return [term for part in parts for term in part]
        if isinstance(node, FactRef):
            return [(frozenset(), frozenset({(node.name, "T" if truth else "F")}))]
        if isinstance(node, FieldTest):
            return self.field(node, truth)
        assert isinstance(node, Count)
        certain, possible = self.count_keys[self.count_index[node.counted]]
        expr = {"$gte": {certain: node.at_least}} if truth else {"$lt": {possible: node.at_least}}
        return [(frozenset({self.literal(expr)}), frozenset())]

    def _product(self, parts: list[list[Term]]) -> list[Term]:
        result: list[Term] = [(frozenset(), frozenset())]
        for part in parts:
            result = [(a[0] | b[0], a[1] | b[1]) for a in result for b in part]
            if len(result) > MAX_TERMS:
                raise EngineError(_TOO_COMPLEX)
        return result

    def in_force_terms(self, rule: Rule, truth: bool) -> list[Term]:
        start, end = rule.in_force.start, rule.in_force.end
        as_of = self.keys[AS_OF]
        bounds = []
        if start:
            bounds.append(({"$gte": {as_of: start.toordinal()}}, {"$lt": {as_of: start.toordinal()}}))
        if end:
            bounds.append(({"$lte": {as_of: end.toordinal()}}, {"$gt": {as_of: end.toordinal()}}))
        body = self.terms(rule.when, truth)
        if truth:
            inside = frozenset(self.literal(b[0]) for b in bounds)
            return [(term[0] | inside, term[1]) for term in body]
        return body + [(frozenset({self.literal(b[1])}), frozenset()) for b in bounds]

    def compile(self) -> _Compiled:
        case_id = self.fact_id("c")
        self.definition["prime"] = {"all": [{"m": {"t": "prime"}}]}
        self.fact_id("prime")
        for rule in self.ruleset.rules:
            self.compile_rule(rule)
        for fact, rules in self.ruleset.rules_for_fact.items():
            if len(rules) > 1:
                patterns = [{f"v{i}": {self.property("r", rule.id): "F"}}
                            for i, rule in enumerate(rules)]
                self._add(patterns, None, Truth.FALSE, (self._fact("d", fact, "F"),))
        return _Compiled(self.definition, self.firings, self.counts, self.keys, self.flags,
                         self.count_keys, case_id)

    def compile_rule(self, rule: Rule) -> None:
        """Add the engine rules that give ``rule``'s verdicts; :class:`EngineError` when it
        compiles to more than :data:`MAX_TERMS` conjunctions for a verdict."""
        for truth in (Truth.TRUE, Truth.FALSE):
            asserts = self._asserts(rule, truth)
            terms = self.in_force_terms(rule, truth is Truth.TRUE)
            if len(terms) > MAX_TERMS:
                raise EngineError(_TOO_COMPLEX)
            for term in terms:
                self._add(self._patterns(term), rule.id, truth, asserts)

    def _add(self, patterns: list[dict[str, Any]], rule: str | None, truth: Truth,
             asserts: tuple[str, ...]) -> None:
        """An engine rule joining ``patterns``. The engine joins at most :data:`MAX_JOIN`
        facts in one rule, so a longer join is made in steps: each step asserts a partial
        fact, which the next step joins on."""
        while len(patterns) > MAX_JOIN:
            name = f"p{len(self.definition)}"
            self.definition[name] = {"all": patterns[:MAX_JOIN]}
            self.firings[name] = _Firing(None, truth, MAX_JOIN, (self._fact("p", name, "T"),))
            patterns = [{"p": {self.property("p", name): "T"}}, *patterns[MAX_JOIN:]]
        name = f"r{len(self.definition)}"
        self.definition[name] = {"all": patterns}
        self.firings[name] = _Firing(rule, truth, len(patterns), asserts)

    def _asserts(self, rule: Rule, truth: Truth) -> tuple[str, ...]:
        """The facts a verdict of ``rule`` asserts: its derived fact, or, when false and
        other rules conclude that fact too, its verdict (joined by the fact's rule)."""
        if rule.fact is None:
            return ()
        if truth is Truth.FALSE and len(self.ruleset.rules_for_fact[rule.fact]) > 1:
            return (self._fact("r", rule.id, "F"),)
        return (self._fact("d", rule.fact, "T" if truth is Truth.TRUE else "F"),)

    def _fact(self, kind: str, name: str, value: str) -> str:
        """A fact as JSON, less its opening ``{"k":nonce,``."""
        fact = {"sid": SESSION, "id": self.fact_id(f"{kind}:{name}:{value}"),
                self.property(kind, name): value}
        return json.dumps(fact, separators=(",", ":"))[1:]

    def _patterns(self, term: Term) -> list[dict[str, Any]]:
        case_exprs = [{"t": "c"}, *(self.exprs[name] for name in sorted(term[0]))]
        patterns: list[dict[str, Any]] = [{"c": {"$and": case_exprs}}]
        for i, (fact, value) in enumerate(sorted(term[1])):
            patterns.append({f"d{i}": {self.property("d", fact): value}})
        return patterns


# ----------------------------------------------------------------- the engine


class _Engine:
    """The registered rule sets of this process, and the one lock around the C engine."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.registered: OrderedDict[str, tuple[int, _Compiled]] = OrderedDict()
        self.nonces = itertools.count(1)
        """Numbers each evaluation; every fact it asserts carries its number."""

    def register(self, ruleset: RuleSet) -> tuple[int, _Compiled]:
        """The engine handle and compilation of ``ruleset``, made on first use."""
        with self.lock:
            entry = self.registered.get(ruleset.sha256)
            if entry is None:
                compiled = _Compiler(ruleset).compile()
                name = f"spo_{ruleset.sha256[:32]}"
                handle = _call(_durable.create_ruleset, name, json.dumps(compiled.definition))
                _prime(handle)
                entry = self.registered[ruleset.sha256] = (handle, compiled)
                while len(self.registered) > MAX_RULESETS:
                    _call(_durable.delete_ruleset, self.registered.popitem(last=False)[1][0])
            self.registered.move_to_end(ruleset.sha256)
            return entry

    def evaluate(self, ruleset: RuleSet, scope: Scope) -> dict[str, Truth]:
        body = self.register(ruleset)[1].case_body(scope)
        with self.lock:
            handle, compiled = self.register(ruleset)  # again: it may have been freed since
            self._check_empty(handle)
            try:
                fired = self._run(handle, compiled, f'{{"k":{next(self.nonces)},', body)
            except EngineError:
                _reset(handle)
                raise
            except Exception as error:  # a fault while handling a firing: never a result
                _reset(handle)
                raise EngineError(f"the rule engine failed: {type(error).__name__}") from error
        truths = {rule.id: Truth.UNKNOWN for rule in ruleset.rules}
        truths.update(fired)
        return truths

    @staticmethod
    def _run(handle: int, compiled: _Compiled, head: str, body: str) -> dict[str, Truth]:
        """Assert the case, handle every firing until the engine has none left, then
        retract every fact asserted (in one call), leaving the session for the next.

        ``head`` opens every fact with this evaluation's nonce.
        """
        asserted = [head + body]
        with _engine_errors():
            verdicts = _Engine._fire(handle, compiled, head, asserted)
            _durable.retract_facts(handle, "[" + ",".join(dict.fromkeys(asserted)) + "]")
        return verdicts

    @staticmethod
    def _fire(handle: int, compiled: _Compiled, head: str,
              asserted: list[str]) -> dict[str, Truth]:
        """:meth:`_run` but the retraction: assert ``asserted`` (the case), and add each
        fact a firing asserts. Calls the C engine directly (its errors are turned into
        :class:`EngineError` around the whole run, not call by call)."""
        verdicts: dict[str, Truth] = {}
        assert_fact, complete = _durable.assert_fact, _durable.complete_and_start_action
        code, state = assert_fact(handle, asserted[0])
        if code == _NOT_HANDLED:
            return verdicts
        if code == _OBSERVED:
            raise EngineError(_STALE)
        if code != _HANDLED:
            raise EngineError(f"the rule engine failed: result code {code}")
        started = _durable.start_action_for_state(handle, state)
        messages: str | None = None if started is None else started[1]
        firings = compiled.firings
        while messages is not None:
            try:
                firing = firings[messages[2:messages.index('"', 2)]]
            except (KeyError, ValueError):
                raise EngineError("the engine fired a rule it was not given") from None
            if messages.count(head) != firing.joined:
                raise EngineError("the engine joined facts that do not belong to this evaluation")
            if (firing.rule is not None
                    and verdicts.setdefault(firing.rule, firing.truth) is not firing.truth):
                raise EngineError("the engine found a rule both true and false")
            for fact in firing.asserts:
                asserted.append(head + fact)
                assert_fact(handle, asserted[-1])
            messages = complete(handle, state)
        return verdicts

    @staticmethod
    def _check_empty(handle: int) -> None:
        """Refuse to run on a session that holds facts, and delete it for the next
        evaluation; an empty session (as every evaluation leaves it) is reused."""
        try:
            facts = _durable.get_facts(handle, SESSION)
        except _durable.error as error:
            if str(error).endswith(f"error code: {_NO_SESSION}"):
                return  # no session yet, or deleted after a failure
            raise EngineError(f"the rule engine failed: {error}") from None
        if facts != "[]":
            _reset(handle)
            raise EngineError(_STALE)


def _prime(handle: int) -> None:
    """Create and delete the session once, through one firing of the priming rule.

    The engine leaves a new session's action context uninitialised and frees it when the
    session is deleted: deleting a session in which nothing has fired yet frees garbage
    and corrupts memory. After one firing the context is cleared, and a deleted session's
    slot is the one the next session takes, so every later session starts clean.
    """
    code, state = _call(_durable.assert_fact, handle, _PRIMING_FACT)
    started = _call(_durable.start_action_for_state, handle, state) if code == _HANDLED else None
    if started is None or not started[1].startswith('{"prime":'):
        raise EngineError("the rule engine failed: the priming rule did not fire")
    if _call(_durable.complete_and_start_action, handle, state) is not None:
        raise EngineError("the rule engine failed: the priming rule fired twice")
    _call(_durable.delete_state, handle, SESSION)


def _reset(handle: int) -> None:
    """Delete the session, whatever it holds (the next evaluation creates it afresh)."""
    try:
        _durable.delete_state(handle, SESSION)
    except _durable.error:
        pass  # no session: nothing to delete


def _call(function: Any, *args: Any) -> Any:
    """Call the C engine; its errors (and its out-of-memory) become :class:`EngineError`."""
    with _engine_errors():
        return function(*args)


@contextmanager
def _engine_errors() -> Iterator[None]:
    """The C engine's errors (and its out-of-memory) raised inside as :class:`EngineError`."""
    try:
        yield
    except (_durable.error, MemoryError) as error:
        text = str(error) if isinstance(error, _durable.error) else "out of memory"
        raise EngineError(f"the rule engine failed: {text}") from None


_ENGINE: _Engine | None = None
_ENGINE_LOCK = threading.Lock()


def _after_fork_in_child() -> None:
    """A forked process starts with fresh locks and empty sessions: a thread of the parent
    may have held a lock, or been between two engine calls, when it forked. (No thread can
    be inside the C engine then: it never releases the interpreter lock.)"""
    global _ENGINE_LOCK
    _ENGINE_LOCK = threading.Lock()
    if _ENGINE is not None:
        _ENGINE.lock = threading.RLock()
        for handle, _ in _ENGINE.registered.values():
            _reset(handle)


if _durable is not None:
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _engine() -> _Engine:
    global _ENGINE
    if _durable is None:
        raise EngineError("durable_rules is not installed on this Python")
    with _ENGINE_LOCK:
        if _ENGINE is None:
            _ENGINE = _Engine()
    return _ENGINE


def evaluate_with_durable(ruleset: RuleSet, scope: Scope) -> dict[str, Truth]:
    """Every rule's truth on this case, as durable_rules infers it."""
    return _engine().evaluate(ruleset, scope)


def compile_failures(ruleset: RuleSet) -> list[tuple[Rule | None, str]]:
    """What durable_rules cannot take in ``ruleset``, compiled as an evaluation would:
    each rule that fails, with why, or (None, why) for the rule set as a whole. Empty when
    it compiles, or when durable_rules is not installed; the rule set is then registered,
    as its first evaluation would register it."""
    if _durable is None:
        return []
    try:
        compiler = _Compiler(ruleset)
    except EngineError as error:
        return [(None, str(error))]
    failures: list[tuple[Rule | None, str]] = []
    for rule in ruleset.rules:
        try:
            compiler.compile_rule(rule)
        except EngineError as error:
            failures.append((rule, str(error)))
    if not failures:
        try:
            _engine().register(ruleset)
        except EngineError as error:
            failures.append((None, str(error)))
    return failures
