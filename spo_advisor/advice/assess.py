"""``assess``: one case, one date → an explained :class:`Assessment`."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from spo_advisor.advice.court_terms import CourtTerms, load_court_terms
from spo_advisor.advice.decide import (
    MOST_KEPT,
    LimbResult,
    LimbStatus,
    OrderDecision,
    explain_order,
)
from spo_advisor.engine import durable_host as engine
from spo_advisor.engine.evaluator import Evaluation, evaluate_ruleset
from spo_advisor.engine.facts import case_scope, excluded_records
from spo_advisor.language.conditions import Scope
from spo_advisor.language.rule_specs import LimbSpec
from spo_advisor.language.rule_text import fill, placeholder_paths
from spo_advisor.language.rules import RuleSet, load_ruleset
from spo_advisor.language.shipped import shipped_rules
from spo_advisor.model.case import Case, canonical_json
from spo_advisor.model.case_reading import load_case, parse_case_text
from spo_advisor.model.digest import sealed
from spo_advisor.model.errors import EngineError
from spo_advisor.model.logic import Decision, Truth
from spo_advisor.model.result import (
    Assessment,
    CourtTerm,
    Excluded,
    Limb,
    Recommendation,
    Risk,
    RiskLevel,
    RuleRef,
    RulesetInfo,
    Stalking,
)
from spo_advisor.model.trusted import build

DEFAULT_RULES = shipped_rules()
EngineChoice = Literal["auto", "durable_rules", "python"]


@lru_cache(maxsize=8)
def _cached_ruleset(directory: Path) -> RuleSet:
    return load_ruleset(directory)


def load_rules(directory: str | Path | None = None) -> RuleSet:
    """Load (once per directory) and validate a rule set; the shipped one by default.

    Raises ``TypeError`` naming ``rules`` for anything but a path.
    """
    if directory is not None and not isinstance(directory, str | os.PathLike):
        raise TypeError("rules must be a RuleSet or the path of a rule-set directory, "
                        f"not {type(directory).__name__}")
    return _cached_ruleset(Path(directory or DEFAULT_RULES).resolve())


@lru_cache(maxsize=8)
def court_terms_for(ruleset: RuleSet) -> CourtTerms:
    return load_court_terms(ruleset)


@cache
def library_version() -> str:
    try:
        return metadata.version("spo_advisor")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def input_sha256(case: Case) -> str:
    return hashlib.sha256(canonical_json(case).encode("utf-8")).hexdigest()


def run_rules(ruleset: RuleSet, scope: Scope,
              engine_choice: EngineChoice = "auto") -> tuple[Evaluation, str]:
    """Evaluate the rules; with durable_rules, check it agrees with the evaluator rule by rule.

    A disagreement is an :class:`EngineError`: a wrong answer must never be returned.
    """
    evaluation = evaluate_ruleset(ruleset, scope)
    use_durable = engine_choice == "durable_rules" or (
        engine_choice == "auto" and engine.available())
    if not use_durable:
        return evaluation, "python"
    inferred = engine.evaluate_with_durable(ruleset, scope)
    expected = evaluation.truths()
    differing = sorted(rule for rule, truth in inferred.items() if expected[rule] is not truth)
    if differing:
        raise EngineError("the engine and the evaluator disagree on rules: " + ", ".join(differing))
    return evaluation, "durable_rules"


@lru_cache(maxsize=8)
def _rule_refs(ruleset: RuleSet) -> dict[str, RuleRef]:
    """Each rule as a reason cites it (immutable, so shared by every assessment), but
    those whose text names values of the case (filled by :func:`_rule_ref`)."""
    return {rule.id: RuleRef(rule=rule.id, text=rule.limb, citation=rule.citation)
            for rule in ruleset.rules if not placeholder_paths(rule.limb)}


def _rule_ref(ruleset: RuleSet, rule_id: str, values: Mapping[str, Any]) -> RuleRef:
    """A rule as a reason cites it, its text filled with the values of the case."""
    shared = _rule_refs(ruleset).get(rule_id)
    if shared is not None:
        return shared
    rule = ruleset.by_id[rule_id]
    return build(RuleRef, rule=rule.id, text=fill(rule.limb, values), citation=rule.citation)


@lru_cache(maxsize=8)
def _ruleset_info(ruleset: RuleSet) -> RulesetInfo:
    """The rule set as an assessment names it (immutable, so shared)."""
    return RulesetInfo(name=ruleset.name, version=ruleset.version, sha256=ruleset.sha256)


@lru_cache(maxsize=8)
def _limb_citations(ruleset: RuleSet) -> dict[str, tuple[str, ...]]:
    """Each order's limb citations, in limb order: the limb's own, else that of the rules
    concluding its fact."""
    def citation(limb: LimbSpec) -> str:
        concluding = ruleset.rules_for_fact.get(limb.fact or "", ())
        return limb.citation or "; ".join(dict.fromkeys(r.citation for r in concluding))

    return {order: tuple(map(citation, spec.limbs)) for order, spec in ruleset.orders.items()}


@dataclass(frozen=True)
class _Made:
    """A recommendation and its JSON, with what it was made from (held, so that the
    identities keying it are not reused while it is kept)."""

    decided: OrderDecision
    terms: tuple[CourtTerm, ...]
    recommendation: Recommendation
    json: dict[str, Any]


_MADE: dict[tuple[Any, ...], _Made] = {}
"""Recommendations made, by the identity of the kept explanation
(:func:`~spo_advisor.advice.decide.explain_order`) and court terms they were made from and
the filled texts of their reasons. Recommendations are immutable, so each is shared by
every assessment with that outcome, and so is its JSON, which sealing reads."""


def _recommendation(ruleset: RuleSet, decided: OrderDecision, terms: tuple[CourtTerm, ...],
                    values: Mapping[str, Any]) -> _Made:
    refs = _rule_refs(ruleset)
    filled = tuple([_rule_ref(ruleset, rule, values) for rule in (*decided.reasons,
                                                                  *decided.unmet)
                    if rule not in refs])
    key = (id(decided), tuple(map(id, terms)), tuple(ref.text for ref in filled))
    made = _MADE.get(key)
    if made is None:
        made = _made(ruleset, decided, terms, values)
        if len(_MADE) >= MOST_KEPT:
            _MADE.clear()
        _MADE[key] = made
    return made


def _made(ruleset: RuleSet, decided: OrderDecision, terms: tuple[CourtTerm, ...],
          values: Mapping[str, Any]) -> _Made:
    citations = _limb_citations(ruleset)[decided.order]
    recommendation = build(
        Recommendation,
        order=decided.order, title=ruleset.orders[decided.order].title,
        decision=decided.decision, deciding_rule=decided.deciding_rule,
        reasons=tuple([_rule_ref(ruleset, rule, values) for rule in decided.reasons]),
        unmet=tuple([_rule_ref(ruleset, rule, values) for rule in decided.unmet]),
        unknown=decided.unknown, court_terms=terms,
        limbs=tuple([_limb(limb, citation) for limb, citation in zip(decided.limbs, citations,
                                                                      strict=True)]))
    return _Made(decided, terms, recommendation, recommendation.model_dump(mode="json"))


_STATUS_TEXT = {status: status.value for status in LimbStatus}
"""A limb status as the contract writes it (a plain string)."""


def _limb(limb: LimbResult, citation: str) -> Limb:
    """A limb as the contract has it."""
    spec = limb.spec
    return build(Limb, limb=spec.limb, text=spec.text, citation=citation,
                 status=_STATUS_TEXT[limb.status], gate=spec.gate, trigger=spec.trigger,
                 rules=limb.rules, unknown=limb.unknown)


def risk_of(ruleset: RuleSet, evaluation: Evaluation) -> Risk:
    """The risk level, the indicators behind it and what could raise it."""
    spec = ruleset.header.risk
    high, medium = evaluation.facts[spec.high], evaluation.facts[spec.medium]
    level: RiskLevel = "standard"
    if high.truth is Truth.TRUE:
        level = "high"
    elif medium.truth is Truth.TRUE:
        level = "medium"
    could_rise = [v for v in (high, medium)[: ("high", "medium", "standard").index(level)]
                  if v.truth is Truth.UNKNOWN]
    unknown = sorted(frozenset().union(*(v.unknown_fields for v in could_rise)))
    indicators = [f for f in spec.indicators if evaluation.facts[f].truth is Truth.TRUE]
    context = [f for f in spec.context if evaluation.facts[f].truth is Truth.TRUE]
    return build(Risk, level=level, indicators=indicators, unknown=unknown, context=context)


def _stalking(ruleset: RuleSet, evaluation: Evaluation) -> Stalking:
    four = evaluation.facts[ruleset.header.stalking.four_met].truth.as_bool()
    acts = sorted({behaviour for incident in evaluation.scope.records.get("incidents", ())
                   for behaviour in incident["behaviours"]})
    return build(Stalking, four_met=four, acts=acts)


def assess(case: Case | dict[str, Any] | str | Path, as_of: date | None = None, *,
           rules: RuleSet | str | Path | None = None,
           engine_choice: EngineChoice = "auto") -> Assessment:
    """Assess a case: every order the rules know, decided and explained.

    ``case`` is a :class:`Case`, a mapping, or a path to a YAML/JSON file (a ``str`` that
    is not an existing file is refused; for JSON text use :func:`assess_json`). ``as_of`` (else
    the case's ``assessed_on``, else today) selects the facts dated on or before it and
    the rules in force on it. Raises :class:`~spo_advisor.model.errors.CaseError` for a bad case.
    """
    return assess_evaluated(case, as_of, rules=rules, engine_choice=engine_choice)[0]


def assess_json(text: str, as_of: date | None = None, *,
                rules: RuleSet | str | Path | None = None,
                engine_choice: EngineChoice = "auto") -> Assessment:
    """Assess a case given as JSON text (the contract's case JSON), as :func:`assess` does.

    Raises :class:`~spo_advisor.model.errors.CaseError` for text that is not JSON or not a valid
    case; its problems never quote the text.
    """
    return assess(parse_case_text(text, filename="<json>", json_text=True), as_of,
                  rules=rules, engine_choice=engine_choice)


def assess_evaluated(case: Case | dict[str, Any] | str | Path, as_of: date | None = None, *,
                     rules: RuleSet | str | Path | None = None,
                     engine_choice: EngineChoice = "auto") -> tuple[Assessment, Evaluation]:
    """:func:`assess`, also returning the evaluation the explanations were read from
    (for tools such as the golden-case runner that inspect derived facts)."""
    case = load_case(case)
    ruleset = rules if isinstance(rules, RuleSet) else load_rules(rules)
    day = case.as_of(as_of)
    evaluation, engine_used = run_rules(ruleset, case_scope(case, day), engine_choice)
    decided = [explain_order(ruleset, order, evaluation) for order in ruleset.orders]
    position = {order: index for index, order in enumerate(ruleset.orders)}
    decided.sort(key=lambda d: (d.decision.rank, position[d.order]))
    terms = court_terms_for(ruleset).for_orders(
        [d.order for d in decided if d.decision is Decision.RECOMMENDED], evaluation.scope)
    made = [_recommendation(ruleset, d, terms.get(d.order, ()), evaluation.scope.values)
            for d in decided]
    assessment = build(
        Assessment, case_id=case.case_id, as_of=day,
        excluded=[build(Excluded, path=path, date=when)
                  for path, when in excluded_records(case, day)],
        ruleset=_ruleset_info(ruleset),
        recommendations=[m.recommendation for m in made],
        risk=risk_of(ruleset, evaluation), stalking=_stalking(ruleset, evaluation),
        engine="durable_rules" if engine_used == "durable_rules" else "python",
        library_version=library_version(), input_sha256=input_sha256(case))
    return sealed(assessment, recommendations=[m.json for m in made]), evaluation
