"""``spo-advisor rules check``: every problem in a rule-set directory, one per line.

Besides everything the loader refuses (:func:`spo_advisor.language.rules.read_ruleset`), two
drafting faults are refused here. The library still evaluates such rules correctly, so
they do not stop a rule set from loading, but a rule set that has them is not clean:

- ``negation_only``: a rule with no positive test (every field, fact or count test sits
  under an odd number of ``not``) that holds on a case where nothing is known: every
  fact null, no incidents and no orders recorded, on some date. Such a rule reads the
  absence of records as proof of absence (a count over no incidents is false, so its
  negation is true). State what must be present, e.g. ``{field: as_of, before: …}``
  rather than ``{not: {field: as_of, on_or_after: …}}``, or join the negation to the
  positive fact it qualifies (incidents are recorded, and none shows violence). A
  negation-only rule over facts that are unknown when nothing is known (``not`` of a
  nullable field) is allowed: it stays unknown on such a case. Checked only on a rule set
  that loads, since it evaluates the rules.
- ``overlapping_dates``: two rules with the same conclusion (the same derived fact) where
  one ends (``in_force.to``) and the other starts (``in_force.from``) after the first starts and on or before the day it ends.
  The second was written to follow the first, yet both are in force on the days between
  (both ends are inclusive). Rules with one conclusion that are in force together in any
  other way are alternative grounds, which is allowed.

A rule set that loads is also compiled for durable_rules, rule by rule, as an evaluation
would compile it: ``engine_compile`` names each rule the engine cannot take (such as one
whose ``any`` and ``all`` multiply out to too many conjunctions), so it fails here rather
than when a case is assessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from itertools import permutations
from pathlib import Path

from spo_advisor.engine.durable_host import compile_failures
from spo_advisor.engine.evaluator import evaluate_ruleset
from spo_advisor.engine.facts import case_scope
from spo_advisor.language.conditions import FieldTest, Node, Not, children, walk
from spo_advisor.language.labels import missing_labels
from spo_advisor.language.rules import (
    HEADER_FILE,
    LABELS_FILE,
    Rule,
    RuleSet,
    problem_order,
    read_ruleset,
)
from spo_advisor.model.case_reading import load_case
from spo_advisor.model.errors import Problem, RuleSetError
from spo_advisor.model.logic import Truth

EARLIEST, LATEST = date(1990, 1, 1), date(2100, 1, 1)
"""Probe dates before and after every date a rule set can name."""


def check_directory(directory: str | Path) -> list[Problem]:
    """All problems in the rule set at ``directory``, sorted by file, line and column; an
    empty list when it is clean."""
    reading = read_ruleset(directory)
    problems = [*reading.problems, *overlapping_dates(reading.rules)]
    if reading.ruleset is not None:
        problems += negation_only(reading.ruleset)
        problems += engine_problems(reading.ruleset)
        problems += _label_problems(reading.ruleset)
    return sorted(problems, key=problem_order)


def _label_problems(ruleset: RuleSet) -> list[Problem]:
    """A malformed label table, or a code it leaves without a label (only for a rule set
    that has a table: one without reads codes as themselves)."""
    if not (Path(ruleset.directory) / LABELS_FILE).is_file():
        return []
    try:
        return missing_labels(ruleset)
    except RuleSetError as error:
        return list(error.problems)


def engine_problems(ruleset: RuleSet) -> list[Problem]:
    """Each rule durable_rules cannot compile, at its ``when``; a failure of the rule set
    as a whole at its header file."""
    problems = []
    for rule, message in compile_failures(ruleset):
        if rule is None:
            problems.append(Problem("engine_compile", message,
                                    file=str(Path(ruleset.directory) / HEADER_FILE)))
        else:
            problems.append(_problem(rule, "engine_compile", message, ("when",)))
    return problems


def negation_only(ruleset: RuleSet) -> list[Problem]:
    """The rules with no positive test that hold on a case where nothing is known."""
    suspects = [rule for rule in ruleset.rules if not has_positive_leaf(rule.when)]
    if not suspects:
        return []
    holds = holding_with_nothing_known(ruleset)
    return [_problem(rule, "negation_only",
                     "the condition has no positive part (every test is negated) and holds "
                     f"on a case where nothing is known (as of {holds[rule.id]}); state what "
                     "must be present", ("when",))
            for rule in suspects if rule.id in holds]


def holding_with_nothing_known(ruleset: RuleSet) -> dict[str, date]:
    """Each rule that is true for a case where nothing is known, with the first date it is.

    The dates probed are every date the rule set names, the day before and the day after,
    and :data:`EARLIEST` and :data:`LATEST`: with nothing else dated, no rule's truth can
    change between them.
    """
    empty = load_case({"case_id": "nothing-known"})
    found: dict[str, date] = {}
    for day in _probe_dates(ruleset):
        verdicts = evaluate_ruleset(ruleset, case_scope(empty, day)).rules
        for rule_id, verdict in verdicts.items():
            if verdict.truth is Truth.TRUE:
                found.setdefault(rule_id, day)
    return found


def named_dates(ruleset: RuleSet) -> set[date]:
    """Every date the rule set names: parameters, dates in force and dates in conditions."""
    named = {parameter.value for parameter in ruleset.header.parameters.values()}
    for rule in ruleset.rules:
        named |= {day for day in (rule.in_force.start, rule.in_force.end) if day}
        named |= {node.operand for node in walk(rule.when)
                  if isinstance(node, FieldTest) and isinstance(node.operand, date)}
    return named


def _probe_dates(ruleset: RuleSet) -> list[date]:
    shifts = (timedelta(days=-1), timedelta(0), timedelta(days=1))
    around = {day + shift for day in named_dates(ruleset) for shift in shifts}
    return sorted({EARLIEST, LATEST} | around)


def has_positive_leaf(node: Node, negated: bool = False) -> bool:
    """Whether some test (field, fact or count) in ``node`` sits under an even number of
    ``not``."""
    if isinstance(node, Not):
        return has_positive_leaf(node.part, not negated)
    parts = children(node)
    if parts:
        return any(has_positive_leaf(part, negated) for part in parts)
    return not negated


def overlapping_dates(rules: Iterable[Rule]) -> Iterator[Problem]:
    """Rules that start before a rule with the same conclusion ends (module docstring)."""
    groups: dict[str, list[Rule]] = {}
    for rule in rules:
        groups.setdefault(rule.fact, []).append(rule)
    for same, group in groups.items():
        for first, second in permutations(group, 2):
            end, start = first.in_force.end, second.in_force.start
            if end is None or start is None or start > end or _reversed(first, second):
                continue
            if first.in_force.start is not None and first.in_force.start >= start:
                continue
            last = min(end, second.in_force.end or end)
            yield _problem(second, "overlapping_dates",
                           f"starts on {start}, but rule {first.id!r} with the same conclusion "
                           f"(fact {same!r}) is in force to {end}, that day included: both are in "
                           f"force from {start} to {last}", ("in_force", "from"))


def _reversed(*rules: Rule) -> bool:
    """Whether a rule's dates are reversed (reported by the loader, so not compared)."""
    return any(r.in_force.start and r.in_force.end and r.in_force.start > r.in_force.end
               for r in rules)


def _problem(rule: Rule, code: str, message: str, path: tuple[str, ...]) -> Problem:
    mark = rule.position(*path)
    return Problem(code, message, f"At Rule(id={rule.id}) > {'.'.join(path)}", rule.file,
                   mark.line, mark.column)
