"""What would change the answer: unknown facts that, once established, change a decision.

For every order decided ``consider`` or ``not_recommended``, each case field left unknown
in a rule that is itself unknown is set, one at a time, to each value that can matter,
and the rules are evaluated again (the pure evaluator only: one evaluation per value).
Booleans are tried true and false; enumerations each allowed value (a list of them each
single value, and empty); free text each value the rule conditions name, and one they do
not; whole numbers and dates one value from each interval between the operands of the
rule conditions that test the field. A field of dated records
(``incidents.violence``) is set on the records where it is not recorded.

Each change is also a question in plain words, from the rule set's labels ("Is the victim
very frightened? If yes: Stalking Protection Order becomes recommended."); the result is a
:class:`~spo_advisor.advice.changes.Questions` list that renders them grouped by order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from spo_advisor.advice.assess import load_rules, run_rules
from spo_advisor.advice.changes import Change, OrderChange, Questions
from spo_advisor.advice.decide import decide_evaluated
from spo_advisor.engine.derived import rederive
from spo_advisor.engine.facts import case_scope
from spo_advisor.language.conditions import AS_OF_OPERAND, Count, FieldTest, Scope, walk
from spo_advisor.language.fields import FieldSpec, case_fields, case_paths
from spo_advisor.language.labels import Labels, labels_for
from spo_advisor.language.rules import RuleSet
from spo_advisor.model.case import Case
from spo_advisor.model.case_reading import load_case
from spo_advisor.model.logic import Decision, Truth
from spo_advisor.model.places import place_contradictions

OPEN_DECISIONS = (Decision.CONSIDER, Decision.NOT_RECOMMENDED)
"""The decisions whose changes are looked for."""

IMPACT = {Decision.RECOMMENDED: 3, Decision.CONSIDER: 2, Decision.NOT_RECOMMENDED: 1,
          Decision.NOT_AVAILABLE: 1}
"""Weight of one order changing to a decision: the ranking sums them."""


def what_would_change(case: Case | dict[str, Any] | str | Path, as_of: date | None = None, *,
                      rules: RuleSet | str | Path | None = None) -> Questions:
    """The unknown facts of ``case`` that, if established, would change the decision for
    an order decided ``consider`` or ``not_recommended``, most impact first: a list of
    :class:`Change`, which displays in a notebook (and renders with ``explain()``,
    ``to_markdown()``, ``to_html()``) as questions grouped by order.

    Impact is the sum over the orders changed of 3 for a change to recommended, 2 to
    consider, 1 to not_recommended or not_available.
    """
    case = load_case(case)
    ruleset = rules if isinstance(rules, RuleSet) else load_rules(rules)
    return changes_in_scope(ruleset, case_scope(case, case.as_of(as_of)))


def changes_in_scope(ruleset: RuleSet, scope: Scope) -> Questions:
    """:func:`what_would_change` on facts already cut to a date."""
    labels = _labels(ruleset)
    baseline, _ = run_rules(ruleset, scope, "python")
    now = decide_evaluated(ruleset, baseline)
    if not any(decision in OPEN_DECISIONS for decision in now.values()):
        return Questions((), labels)
    unknown = case_paths(frozenset().union(*(verdict.unknown_fields for verdict in
                                             baseline.rules.values()
                                             if verdict.truth is Truth.UNKNOWN)))
    found = [change for path in unknown
             for change in _field_changes(ruleset, scope, path, now, labels)]
    ranked = sorted(enumerate(found), key=lambda item: (-_impact(item[1]), item[0]))
    return Questions((change for _, change in ranked), labels)


def _labels(ruleset: RuleSet) -> Labels:
    """The rule set's labels, an order without one named by its title."""
    table = labels_for(ruleset)
    titles = {code: spec.title for code, spec in ruleset.orders.items()}
    return table.model_copy(update={"orders": titles | table.orders})


def _impact(change: Change) -> int:
    return sum(IMPACT[item.to] for item in change.changes)


# ------------------------------------------------------------------------- the trials


@dataclass(frozen=True)
class _Trial:
    value: Any
    low: Any = None
    """For ordered fields: the interval [low, high) the value stands for (None: open)."""
    high: Any = None
    label: str | None = None
    """How the condition names the value, when not by the value itself."""


def _field_changes(ruleset: RuleSet, scope: Scope, path: str,
                   now: Mapping[str, Decision], labels: Labels) -> list[Change]:
    spec, collection = _spec(path)
    trials = list(_trials(ruleset, spec, path, scope.as_of))
    outcomes: list[tuple[OrderChange, ...]] = []
    records: int | None = None
    for trial in trials:
        changed, records = _set(scope, path, collection, trial.value)
        if _impossible(changed.values):  # a value the case model would refuse here
            outcomes.append(())
            continue
        evaluation, _ = run_rules(ruleset, changed, "python")
        then = decide_evaluated(ruleset, evaluation)
        outcomes.append(tuple(OrderChange(order=order, now=decision, to=then[order])
                              for order, decision in now.items()
                              if decision in OPEN_DECISIONS and then[order] != decision))
    groups = _ordered_groups(trials, outcomes) if spec.kind in ("int", "date") \
        else _unordered_groups(trials, outcomes)
    return [_change(path, spec, group, outcome, records, labels)
            for group, outcome in groups if outcome]


def _impossible(values: Mapping[str, Any]) -> bool:
    """Do the places of these facts contradict each other, so no case could hold them?"""
    return bool(place_contradictions(
        values["jurisdiction"], values["police_force"], values["suspect.home_force"],
        values["suspect.lives_in_force_area"], values["london_borough"]))


def _spec(path: str) -> tuple[FieldSpec, str | None]:
    """The field's kind, and its collection when it is a field of dated records."""
    fields = case_fields()
    head, _, name = path.partition(".")
    if path not in fields.scalars and head in fields.collections:
        return fields.collections[head][name], head
    return fields.scalars[path], None


def _set(scope: Scope, path: str, collection: str | None, value: Any) -> tuple[Scope, int | None]:
    """The scope with the field set; for a record field, on the records lacking it."""
    if collection is None:
        values = {**scope.values, path: value}
        return dataclasses.replace(scope, values={**values, **rederive(values)}), None
    name = path.partition(".")[2]
    rows = scope.records.get(collection, ())
    lacking = sum(row[name] is None for row in rows)
    new_rows = [{**row, name: value} if row[name] is None else row for row in rows]
    return dataclasses.replace(scope, records={**scope.records, collection: new_rows}), lacking


def _trials(ruleset: RuleSet, spec: FieldSpec, path: str, day: date) -> Iterator[_Trial]:
    if spec.kind == "bool":
        yield from (_Trial(True), _Trial(False))
    elif spec.kind == "enum":
        yield from (_Trial(choice) for choice in spec.choices)
    elif spec.kind == "str":
        named = list(dict.fromkeys(
            item for test in _tests(ruleset).get(path, ()) for item in _operands(test, day)))
        yield from (_Trial(item) for item in named)
        other = "other"
        while other in named:
            other += "_"
        yield _Trial(other, label="none of " + ", ".join(named))
    elif spec.kind == "enum_list":
        yield _Trial([])
        yield from (_Trial([choice]) for choice in spec.choices)
    else:
        yield from _interval_trials(spec, sorted({
            bound for test in _tests(ruleset).get(path, ()) for bound in _bounds(test, day)}))


def _interval_trials(spec: FieldSpec, bounds: list[Any]) -> Iterator[_Trial]:
    """One value for each interval the bounds cut the line into: below the first bound,
    then from each bound to the next."""
    if not bounds:
        return
    step: Any = 1 if spec.kind == "int" else timedelta(days=1)
    below = bounds[0] - step
    if spec.kind != "int" or below >= 0:
        yield _Trial(below, None, bounds[0])
    for low, high in zip(bounds, [*bounds[1:], None], strict=True):
        yield _Trial(low, low, high)


def _operands(test: FieldTest, day: date) -> tuple[Any, ...]:
    operand = day if test.operand is AS_OF_OPERAND else test.operand
    return operand if isinstance(operand, tuple) else (operand,)


def _bounds(test: FieldTest, day: date) -> Iterator[Any]:
    """Where the test's answer can change: each value ``v`` such that ``v`` and the value
    just below it may be answered differently."""
    for operand in _operands(test, day):
        if test.op in ("is", "in"):
            yield from (operand, operand + 1)
        elif test.op == "at_most":
            yield operand + 1
        else:  # at_least, on_or_after, before
            yield operand


@lru_cache(maxsize=8)
def _tests(ruleset: RuleSet) -> dict[str, tuple[FieldTest, ...]]:
    """Every field test of the rule set by field path (``incidents.violence`` for a test
    inside a count of incidents)."""
    found: dict[str, list[FieldTest]] = {}
    for rule in ruleset.rules:
        for node in walk(rule.when):
            if isinstance(node, FieldTest):
                found.setdefault(node.path, []).append(node)
            elif isinstance(node, Count) and node.where is not None:
                for inner in walk(node.where):
                    if isinstance(inner, FieldTest):
                        found.setdefault(f"{node.collection}.{inner.path}", []).append(inner)
    return {path: tuple(tests) for path, tests in found.items()}


# ------------------------------------------------------------------ grouping and text

Outcome = tuple[OrderChange, ...]


def _ordered_groups(trials: list[_Trial],
                    outcomes: list[Outcome]) -> list[tuple[list[_Trial], Outcome]]:
    """Neighbouring intervals with the same outcome, merged."""
    groups: list[tuple[list[_Trial], Outcome]] = []
    for trial, outcome in zip(trials, outcomes, strict=True):
        if groups and groups[-1][1] == outcome:
            groups[-1][0].append(trial)
        else:
            groups.append(([trial], outcome))
    return groups


def _unordered_groups(trials: list[_Trial],
                      outcomes: list[Outcome]) -> list[tuple[list[_Trial], Outcome]]:
    """Values with the same outcome, together, in the order first tried."""
    groups: dict[Outcome, list[_Trial]] = {}
    for trial, outcome in zip(trials, outcomes, strict=True):
        groups.setdefault(outcome, []).append(trial)
    return [(group, outcome) for outcome, group in groups.items()]


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]"
    return str(value)


def _condition(spec: FieldSpec, group: list[_Trial]) -> str:
    if spec.kind in ("int", "date"):
        return _interval_text(spec, group[0].low, group[-1].high)
    shown = [trial.label or _show(trial.value) for trial in group]
    return "is " + (shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1])


def _interval_text(spec: FieldSpec, low: Any, high: Any) -> str:
    """``[low, high)`` in words; None is an open end."""
    is_int = spec.kind == "int"
    if low is None:
        return f"is under {high}" if is_int else f"is before {high}"
    if high is None:
        return f"is {low} or more" if is_int else f"is on or after {low}"
    last = high - (1 if is_int else timedelta(days=1))
    return f"is {low}" if last == low else f"is from {low} to {last}"


def _answer(spec: FieldSpec, group: list[_Trial], condition: str) -> str:
    """The answer that gives the change, in words: "yes", "no", "18 or more", "stranger or
    neighbour", "violence" (a list of one), "none" (an empty list)."""
    if spec.kind == "bool":
        return "yes" if group[0].value else "no"
    if spec.kind in ("int", "date"):
        return condition.removeprefix("is ")
    shown = [trial.label or _words(trial.value) for trial in group]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def _words(value: Any) -> str:
    if isinstance(value, list):
        return " and ".join(map(_words, value)) or "none"
    return str(value).replace("_", " ")


def _question(path: str, spec: FieldSpec, group: list[_Trial], condition: str,
              outcome: Outcome, records: int | None, labels: Labels) -> str:
    where = ""
    if records is not None:
        where = f" (where not recorded: {records} record{'' if records == 1 else 's'})"
    effects = "; ".join(f"{labels.order(item.order)} becomes {labels.decision(item.to.value)}"
                        for item in outcome)
    asked = labels.question(path)  # the path itself when the table has no question
    asked += "" if asked.endswith("?") else "?"
    return f"{asked} If {_answer(spec, group, condition)}{where}: {effects}."


def _change(path: str, spec: FieldSpec, group: list[_Trial], outcome: Outcome,
            records: int | None, labels: Labels) -> Change:
    condition = _condition(spec, group)
    where = ""
    if records is not None:
        where = f" where it is not recorded ({records} record{'' if records == 1 else 's'})"
    effects = ", ".join(f"{item.order}: {item.to.value}" for item in outcome)
    values = [trial.value.isoformat() if isinstance(trial.value, date) else trial.value
              for trial in group]
    return Change(field=path, condition=condition, values=values, records=records,
                  changes=list(outcome), text=f"{effects} if {path} {condition}{where}",
                  question=_question(path, spec, group, condition, outcome, records, labels))
