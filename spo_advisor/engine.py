"""durable_rules as the inference engine. The only module that imports ``durable``.

Each rule is compiled twice, to the cases where it is certainly true and where it is
certainly false (Kleene logic in disjunctive normal form), so that a fact left unknown
fires neither. Firing asserts a verdict fact; verdicts of rules that conclude a derived
fact assert that fact, which later rules join on (forward chaining).

What the wrapper guards against (see docs/engine.md):
- one private host with no background threads; each rule set registered once under a
  name derived from its content hash, from a deep copy of its definition;
- session ids leased from a pool whose ids are checked not to share engine state, and
  deleted in ``finally``;
- one lock around every engine call (the C engine is not thread-safe);
- exceptions inside actions, engine error codes, and state left from an earlier
  evaluation are raised as :class:`~spo_advisor.errors.EngineError`, never returned.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from spo_advisor.conditions import (
    AS_OF_OPERAND, AllOf, AnyOf, Count, FactRef, FieldTest, Node, Not, Scope, count_matches,
)
from spo_advisor.errors import EngineError
from spo_advisor.fields import AS_OF
from spo_advisor.logic import Truth
from spo_advisor.rules import Rule, RuleSet

try:
    from durable import engine as _durable
except ImportError:  # Python 3.13+: durable-rules does not build there
    _durable = None

MAX_TERMS = 512
SESSION_POOL_SIZE = 8

Expr = dict[str, Any]
# A conjunction: expressions on the case fact, and (fact name, "T" | "F") joins.
Term = tuple[frozenset[str], frozenset[tuple[str, str]]]


def available() -> bool:
    """Whether durable_rules could be imported on this Python."""
    return _durable is not None


# ----------------------------------------------------------------- fact encoding


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


@dataclass(frozen=True)
class _Compiled:
    definition: dict[str, Any]
    counts: tuple[Count, ...]


class _Compiler:
    """Turns a rule set into a durable_rules ruleset definition."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.counts: dict[Count, int] = {}
        self.exprs: dict[str, Expr] = {}

    def literal(self, expr: Expr) -> str:
        name = repr(sorted(expr.items(), key=repr))
        self.exprs.setdefault(name, expr)
        return name

    def field(self, node: FieldTest, truth: bool) -> list[Term]:
        key = _key(node.path)
        exists = self.literal({"$ex": {key: 1}})
        operand = node.operand

        def on_case(*exprs: Expr) -> Term:
            return frozenset({exists, *(self.literal(e) for e in exprs)}), frozenset()

        if node.op in ("contains", "contains_any"):
            choices = operand if isinstance(operand, tuple) else (operand,)
            flags = [_flag(node.path, str(c)) for c in choices]
            if truth:
                return [(frozenset({self.literal({flag: 1})}), frozenset()) for flag in flags]
            return [(frozenset(self.literal({flag: 0}) for flag in flags), frozenset())]
        if node.op in ("is", "in"):
            values = operand if isinstance(operand, tuple) else (operand,)
            if truth:
                return [on_case({key: _encode(v)}) for v in values]
            return [on_case(*({"$neq": {key: _encode(v)}} for v in values))]
        target: Any = {"$m": AS_OF} if operand is AS_OF_OPERAND else _encode(operand)
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
        index = self.counts.setdefault(node, len(self.counts))
        expr = ({"$gte": {f"count_{index}_certain": node.at_least}} if truth
                else {"$lt": {f"count_{index}_possible": node.at_least}})
        return [(frozenset({self.literal(expr)}), frozenset())]

    def _product(self, parts: list[list[Term]]) -> list[Term]:
        result: list[Term] = [(frozenset(), frozenset())]
        for part in parts:
            result = [(a[0] | b[0], a[1] | b[1]) for a in result for b in part]
            if len(result) > MAX_TERMS:
                raise EngineError("a rule is too complex for the engine (too many terms)")
        return result

    def in_force_terms(self, rule: Rule, truth: bool) -> list[Term]:
        start, end = rule.in_force.start, rule.in_force.end
        as_of = _key(AS_OF)
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
        definition: dict[str, Any] = {}
        counter = itertools.count()
        for rule in self.ruleset.rules:
            for truth in (True, False):
                verdict = "T" if truth else "F"
                for term in self.in_force_terms(rule, truth):
                    index = next(counter)
                    patterns = self._patterns(term)
                    definition[f"r{index}"] = {
                        "all": patterns,
                        "run": _asserting({"t": "r", "r": rule.id, "v": verdict, "via": index},
                                          [name for p in patterns[1:] for name in p]),
                    }
        for fact, rules in self.ruleset.rules_for_fact.items():
            for rule in rules:
                index = next(counter)
                definition[f"f{index}"] = {
                    "all": [{"v": {"$and": [{"t": "r"}, {"r": rule.id}, {"v": "T"}]}}],
                    "run": _asserting({"t": "d", "n": fact, "v": "T", "via": index}, ["v"]),
                }
            index = next(counter)
            definition[f"f{index}"] = {
                "all": [{f"v{i}": {"$and": [{"t": "r"}, {"r": rule.id}, {"v": "F"}]}}
                        for i, rule in enumerate(rules)],
                "run": _asserting({"t": "d", "n": fact, "v": "F", "via": index},
                                  [f"v{i}" for i in range(len(rules))]),
            }
        # Verdicts of decision rules feed no other rule; this keeps them in the engine's
        # state, where the results are read.
        definition["keep"] = {"all": [{"v": {"t": "r"}}], "run": _no_op}
        return _Compiled(definition, tuple(sorted(self.counts, key=self.counts.__getitem__)))

    def _patterns(self, term: Term) -> list[dict[str, Any]]:
        case_exprs = [{"t": "case"}, *(self.exprs[name] for name in sorted(term[0]))]
        patterns: list[dict[str, Any]] = [{"c": {"$and": case_exprs}}]
        for i, (fact, value) in enumerate(sorted(term[1])):
            patterns.append({f"d{i}": {"$and": [{"t": "d"}, {"n": fact}, {"v": value}]}})
        return patterns


def _no_op(c: Any) -> None:
    return None


def _asserting(fact: dict[str, Any], joined: list[str]) -> Callable[[Any], None]:
    """An action asserting ``fact``. Its ``via`` names the facts it joined, so the same
    conclusion reached through different matches is a distinct fact: the engine refuses
    an identical fact a second time."""

    def action(c: Any) -> None:
        via = ",".join(str(getattr(c, name).via) for name in joined)
        try:
            c.assert_fact(dict(fact, via=f"{fact['via']}:{via}"))
        except (_durable.MessageNotHandledException, _durable.MessageObservedException):
            pass

    return action


def encode_facts(scope: Scope, counts: tuple[Count, ...]) -> dict[str, Any]:
    """The case fact: known values by key (unknowns left out), list flags and counts."""
    from spo_advisor.fields import case_fields

    fact: dict[str, Any] = {"t": "case"}
    specs = case_fields().scalars
    for path, value in scope.values.items():
        if value is None:
            continue
        if specs[path].kind == "enum_list":
            for choice in specs[path].choices:
                fact[_flag(path, choice)] = int(choice in value)
        else:
            fact[_key(path)] = _encode(value)
    for index, node in enumerate(counts):
        certain, possible, _ = count_matches(node, scope)
        fact[f"count_{index}_certain"] = certain
        fact[f"count_{index}_possible"] = possible
    return fact


# ----------------------------------------------------------------- the private host


class _Engine:
    """One private durable_rules host per process, shared by all threads under one lock."""

    def __init__(self) -> None:
        assert _durable is not None

        class QuietHost(_durable.Host):  # type: ignore[misc,name-defined]
            def _run(self) -> None:
                """No dispatch threads: this library uses no timers or queued events."""

        self.host = QuietHost()
        self.lock = threading.RLock()
        self.compiled: dict[str, tuple[str, _Compiled]] = {}
        self.free: list[str] = []
        self.sessions = threading.Condition(threading.Lock())
        self.nonce = itertools.count()

    def register(self, ruleset: RuleSet) -> tuple[str, _Compiled]:
        with self.lock:
            if ruleset.sha256 not in self.compiled:
                name = f"spo_{ruleset.sha256[:32]}"
                compiled = _Compiler(ruleset).compile()
                self.host.register_rulesets({name: copy.deepcopy(compiled.definition)})
                self.compiled[ruleset.sha256] = (name, compiled)
                if not self.free:
                    self.free = self._checked_sessions(name)
            return self.compiled[ruleset.sha256]

    def _checked_sessions(self, name: str) -> list[str]:
        """Session ids that are shown, by probing, not to share the engine's state."""
        sids = [f"session-{i}" for i in range(SESSION_POOL_SIZE)]
        try:
            for sid in sids:
                self._run(name, {"t": "r", "r": "probe", "v": "T", "via": -1, "sid": sid})
            for sid in sids:
                facts = self.host.get_facts(name, sid)
                if [f.get("sid") for f in facts] != [sid]:
                    raise EngineError("engine session ids collide; refusing to run")
        finally:
            for sid in sids:
                self._delete(name, sid)
        return sids

    def _run(self, name: str, fact: dict[str, Any]) -> None:
        try:
            self.host.assert_fact(name, fact)
        except _durable.MessageNotHandledException:
            pass  # no rule matched: a normal outcome

    def _delete(self, name: str, sid: str) -> None:
        try:
            self.host.delete_state(name, sid)
        except Exception:  # noqa: BLE001 - a session that was never created has no state
            pass

    @contextmanager
    def lease(self) -> Iterator[str]:
        with self.sessions:
            while not self.free:
                self.sessions.wait()
            sid = self.free.pop()
        try:
            yield sid
        finally:
            with self.sessions:
                self.free.append(sid)
                self.sessions.notify()

    def evaluate(self, ruleset: RuleSet, scope: Scope) -> dict[str, Truth]:
        name, compiled = self.register(ruleset)
        fact = encode_facts(scope, compiled.counts)
        nonce = next(self.nonce)
        with self.lease() as sid:
            fact.update(sid=sid, nonce=nonce)
            with self.lock:
                try:
                    self._check_empty(name, sid)
                    self.host.assert_fact(name, fact)
                    state = self.host.get_state(name, sid)
                    facts = self.host.get_facts(name, sid)
                except _durable.MessageNotHandledException:
                    state, facts = {}, [fact]
                except Exception as error:  # the C engine raises bare errors with codes
                    raise EngineError(f"the rule engine failed: {type(error).__name__}") from None
                finally:
                    self._delete(name, sid)
        return _verdicts(ruleset, state, facts, nonce)

    def _check_empty(self, name: str, sid: str) -> None:
        try:
            leftover = self.host.get_facts(name, sid)
        except Exception:  # noqa: BLE001 - error 309: no state for this session, as expected
            return
        if leftover:
            raise EngineError("engine session still holds facts from an earlier evaluation")


def _verdicts(ruleset: RuleSet, state: dict[str, Any], facts: list[dict[str, Any]],
              nonce: int) -> dict[str, Truth]:
    if "exception" in state:
        raise EngineError("an engine action failed")
    cases = [f for f in facts if f.get("t") == "case"]
    if len(cases) != 1 or cases[0].get("nonce") != nonce:
        raise EngineError("engine state does not belong to this evaluation")
    truths = {rule.id: Truth.UNKNOWN for rule in ruleset.rules}
    for fact in facts:
        if fact.get("t") != "r":
            continue
        seen = Truth.TRUE if fact["v"] == "T" else Truth.FALSE
        if truths.get(fact["r"], seen) not in (Truth.UNKNOWN, seen):
            raise EngineError("the engine found a rule both true and false")
        truths[fact["r"]] = seen
    return truths


_ENGINE: _Engine | None = None
_ENGINE_LOCK = threading.Lock()


def evaluate_with_durable(ruleset: RuleSet, scope: Scope) -> dict[str, Truth]:
    """Every rule's truth on this case, as durable_rules infers it."""
    global _ENGINE
    if _durable is None:
        raise EngineError("durable_rules is not installed on this Python")
    with _ENGINE_LOCK:
        if _ENGINE is None:
            _ENGINE = _Engine()
    return _ENGINE.evaluate(ruleset, scope)
