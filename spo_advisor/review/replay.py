"""``review``: a case replayed as it stood on each incident, action and risk-assessment date.

On each date the case is assessed with the facts known by then (dated risk assessments
merged as :mod:`spo_advisor.engine.risk_record` says, orders from ``made_on``, the criminal-justice
stage from ``stage_on``) and the law in force then. Undated facts a decision still turned
on are listed as assumptions (:mod:`spo_advisor.review.assumptions`). Each recorded police action
is set against the decisions of its date, and each reason recorded for it is judged
against the law of that date (:mod:`spo_advisor.review.reason_codes`), and on the later dates. The
findings (:mod:`spo_advisor.review.findings`) say, in plain language, what a complaint
reviewer would ask about.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from spo_advisor.advice.assess import (
    EngineChoice,
    assess,
    input_sha256,
    library_version,
    load_rules,
    risk_of,
    run_rules,
)
from spo_advisor.advice.decide import decide_evaluated
from spo_advisor.advice.whatif import changes_in_scope
from spo_advisor.engine.evaluator import Evaluation, evaluate_ruleset
from spo_advisor.engine.facts import Prepared, case_scope, excluded_records, prepare
from spo_advisor.engine.replay_counts import ReplayCounts
from spo_advisor.engine.risk_record import risk_facts_on
from spo_advisor.language.conditions import Scope
from spo_advisor.language.labels import labels_for
from spo_advisor.language.rules import RuleSet
from spo_advisor.model.case import Case, Incident
from spo_advisor.model.case_reading import load_case
from spo_advisor.model.digest import sealed
from spo_advisor.model.logic import Decision, Truth, any_of
from spo_advisor.model.result import Excluded
from spo_advisor.review.assumptions import STAGE, touched, turned_on, undated_in_use, without
from spo_advisor.review.findings import (
    ACTIONS,
    Assumption,
    ReasonChange,
    ReviewFacts,
    findings,
)
from spo_advisor.review.reason_codes import ReasonTable, judge_reason, load_reason_table
from spo_advisor.review.result import ActionReview, ConductMark, Review, TimelineRow

__all__ = ["ACTIONS", "ActionReview", "ConductMark", "Review", "TimelineRow", "review"]



def review(case: Case | dict[str, Any] | str | Path, as_of: date | None = None, *,
           rules: RuleSet | str | Path | None = None,
           engine_choice: EngineChoice = "auto") -> Review:
    """Replay ``case`` on each incident, action and risk-assessment date up to ``as_of``
    (else the case's ``assessed_on``, else today) and check each recorded action against
    the law.

    Raises :class:`~spo_advisor.model.errors.CaseError` for a bad case and
    :class:`~spo_advisor.model.errors.RuleSetError` for a bad rule set or reason-code table.
    """
    case = load_case(case)
    ruleset = rules if isinstance(rules, RuleSet) else load_rules(rules)
    table = load_reason_table(ruleset)
    day = case.as_of(as_of)
    incidents = sorted((i for i in case.incidents if i.date <= day), key=lambda i: i.date)
    actions = sorted((a for a in case.actions if a.date <= day), key=lambda a: a.date)
    assessed = [entry.date for entry in case.risk_assessments if entry.date <= day]
    dates = sorted({i.date for i in incidents} | {a.date for a in actions} | set(assessed))
    # Each date needs only its decisions and risk: one evaluation (checked against the
    # engine), not a full explained assessment. The review date gets the full assessment.
    # The case is read once, and the counts are kept across the dates (replay_counts).
    prepared = prepare(case)
    counts = ReplayCounts(ruleset, prepared, dates[0]) if dates else None
    evaluations = {when: run_rules(ruleset, _scope(case, when, prepared, counts),
                                   engine_choice)[0] for when in dates}
    decisions = {when: decide_evaluated(ruleset, evaluation)
                 for when, evaluation in evaluations.items()}
    assumed = {when: _assumed_on(ruleset, case, when, decisions[when], (prepared, counts))
               for when in dates}
    timeline = [TimelineRow(date=when, incidents=sum(i.date == when for i in incidents),
                            actions=[a.action.value for a in actions if a.date == when],
                            risk_assessments=assessed.count(when), decisions=decisions[when],
                            risk=risk_of(ruleset, evaluations[when]).level,
                            assumed=list(assumed[when]))
                for when in dates]
    first = {order: next((row.date for row in timeline
                          if row.decisions[order] is Decision.RECOMMENDED), None)
             for order in ruleset.orders}
    reviewed = [ActionReview(date=action.date, action=action.action.value,
                             decisions_then=decisions[action.date],
                             reasons=[judge_reason(table, code.value, evaluations[action.date],
                                                   decisions[action.date])
                                      for code in action.reasons])
                for action in actions]
    excluded = [Excluded(path=path, date=when) for path, when in excluded_records(case, day)]
    assumptions = _assumptions(case, assumed)
    facts = ReviewFacts(first, reviewed, day, len(excluded), assumptions,
                        _reason_changes(table, reviewed, evaluations, decisions))
    now = assess(case, day, rules=ruleset, engine_choice=engine_choice)
    return sealed(Review(
        case_id=case.case_id, as_of=day, excluded=excluded, ruleset=now.ruleset,
        reason_codes_sha256=table.sha256, engine=now.engine, library_version=library_version(),
        input_sha256=input_sha256(case), timeline=timeline, first_recommended=first,
        actions=reviewed, assumptions=[assumption.path for assumption in assumptions],
        findings=findings(ruleset, labels_for(ruleset), facts),
        what_would_change=changes_in_scope(ruleset, case_scope(case, day)),
        conduct=[_mark(incident) for incident in incidents], assessment=now))


def _scope(case: Case, day: date, prepared: Prepared, counts: ReplayCounts | None,
           changed: frozenset[str] = frozenset()) -> Scope:
    """The scope of ``case`` on ``day``, its counts from the replay's running totals (but
    those over the collections ``changed`` from the prepared case)."""
    scope = case_scope(case, day, prepared)
    return scope if counts is None else counts.fill(scope, changed)


def _assumed_on(ruleset: RuleSet, case: Case, day: date, decisions: dict[str, Decision],
                replay: tuple[Prepared, ReplayCounts | None]) -> tuple[str, ...]:
    """The undated facts a decision on ``day`` turned on (the counterfactual decisions
    come from the evaluator alone: they are compared, never reported)."""
    prepared, counts = replay

    def decide(paths: tuple[str, ...]) -> dict[str, Decision]:
        changed, fields = without(case, paths), touched(paths)
        scope = _scope(changed, day, prepare(changed, prepared, fields), counts, fields)
        return decide_evaluated(ruleset, evaluate_ruleset(ruleset, scope))

    return turned_on(undated_in_use(case, day), decisions, decide)


def _assumptions(case: Case, assumed: dict[date, tuple[str, ...]]) -> list[Assumption]:
    """Each assumed fact once, with the first date a decision turned on it and its value."""
    first: dict[str, date] = {}
    for when, paths in sorted(assumed.items()):
        for path in paths:
            first.setdefault(path, when)
    return [Assumption(path, when, _undated_value(case, path, when))
            for path, when in first.items()]


def _undated_value(case: Case, path: str, day: date) -> Any:
    if path == STAGE:
        stage = case.criminal_justice.stage
        return None if stage is None else stage.value
    if path.startswith("existing_orders["):
        return case.existing_orders[int(path[len("existing_orders["):-1])].type.value
    value = risk_facts_on(case, day).values[path]
    return [getattr(item, "value", item) for item in value] if isinstance(value, list) else value


def _reason_changes(table: ReasonTable, actions: list[ActionReview],
                    evaluations: dict[date, Evaluation],
                    decisions: dict[date, dict[str, Decision]]) -> list[ReasonChange]:
    """Reasons judged on the facts whose judgement on a later replay date differs: the
    first such date for each."""
    later_dates = sorted(evaluations)
    changes = []
    for action in actions:
        for check in action.reasons:
            entry = table.codes.get(check.code)
            if entry is None or entry.spec.valid is not None:
                continue  # not judged, or judged the same on every date
            for when in later_dates:
                if when <= action.date:
                    continue
                later = judge_reason(table, check.code, evaluations[when], decisions[when]).valid
                if later is not check.valid:
                    changes.append(ReasonChange(action.date, check.code, check.valid, when, later))
                    break
    return changes


def _mark(incident: Incident) -> ConductMark:
    threats = None if incident.threats is None else bool(incident.threats)
    serious = any_of(Truth.of(value) for value in
                     (incident.violence, incident.strangulation, incident.weapon, threats))
    return ConductMark(date=incident.date, behaviours=[b.value for b in incident.behaviours],
                       violence_or_threats=serious.as_bool())
