"""What to ask the court for: drafting prompts for prohibitions and requirements.

The terms live in the rule set (``court_terms/court_terms.yaml``), each with the fact that
makes it necessary, written in the rule language. A term is shown for an order only when
that order is recommended and its condition certainly holds: a prompt never rests on an
unknown fact.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from spo_advisor.engine.generated import truth_of
from spo_advisor.language.condition_parser import ParseContext, parse_condition
from spo_advisor.language.conditions import Node, Scope
from spo_advisor.language.fields import case_fields
from spo_advisor.language.rules import TERMS_FILE, RuleSet
from spo_advisor.model.errors import Problem, RuleSetError
from spo_advisor.model.logic import Truth
from spo_advisor.model.result import CourtTerm
from spo_advisor.model.trusted import build
from spo_advisor.model.yamlio import YamlProblem, read_text, read_yaml


class _TermSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    orders: list[str] = Field(min_length=1)
    term: str = Field(min_length=1)
    because: str = Field(min_length=1)
    source: str = Field(min_length=1)
    when: Any


class _TermsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    basis: dict[str, str]
    terms: list[_TermSpec]


class TermRule:
    """A parsed drafting prompt."""

    def __init__(self, spec: _TermSpec, when: Node) -> None:
        self.spec = spec
        self.when = when


class CourtTerms:
    """The drafting prompts of one rule set."""

    def __init__(self, basis: dict[str, str], terms: list[TermRule]) -> None:
        self.basis = basis
        self.terms = terms
        self.made = {(index, order): build(CourtTerm, term=rule.spec.term,
                                           because=rule.spec.because,
                                           citation=f"{basis[order]}; {rule.spec.source}")
                     for index, rule in enumerate(terms) for order in rule.spec.orders}
        """Each term as each order it serves words it (immutable, so shared)."""

    def for_orders(self, orders: Collection[str],
                   scope: Scope) -> dict[str, tuple[CourtTerm, ...]]:
        """The terms that the recorded facts make necessary for each of ``orders``; each
        term's condition is evaluated once, however many orders it serves."""
        found: dict[str, list[CourtTerm]] = {order: [] for order in orders}
        for index, rule in enumerate(self.terms):
            serves = [order for order in rule.spec.orders if order in found]
            if serves and truth_of(rule.when)(scope) is Truth.TRUE:
                for order in serves:
                    found[order].append(self.made[index, order])
        return {order: tuple(terms) for order, terms in found.items()}


def load_court_terms(ruleset: RuleSet) -> CourtTerms:
    """Read and check the drafting prompts beside ``ruleset``; none if the file is absent."""
    path = Path(ruleset.directory) / TERMS_FILE
    if not path.is_file():
        return CourtTerms({}, [])
    try:
        data, marks = read_yaml(read_text(path), str(path))
        terms_file = _TermsFile.model_validate(data)
    except YamlProblem as error:
        raise RuleSetError([error.problem]) from None
    except ValidationError as error:
        raise RuleSetError([Problem("invalid_value", item["msg"], ".".join(map(str, item["loc"])),
                                    str(path)) for item in error.errors()]) from None
    problems: list[Problem] = []

    def report(code: str, message: str, where: tuple[str | int, ...], crumb: str,
               suggestion: str | None) -> None:
        mark = marks.get(where)
        problems.append(Problem(code, message, crumb, str(path), mark.line if mark else None,
                                mark.column if mark else None, suggestion))

    known_facts = set(ruleset.rules_for_fact)
    parameters = {name: p.value for name, p in ruleset.header.parameters.items()}
    context = ParseContext(case_fields(), parameters, known_facts, report)
    parsed = []
    for index, spec in enumerate(terms_file.terms):
        for order in spec.orders:
            if order not in terms_file.basis or order not in ruleset.orders:
                report("unknown_order", f"no basis or no such order {order!r}",
                       ("terms", index, "orders"), f"At Term(id={spec.id}) > orders", None)
        node, _ = parse_condition(spec.when, ("terms", index, "when"), context)
        if node is not None:
            parsed.append(TermRule(spec, node))
    if problems:
        raise RuleSetError(problems)
    return CourtTerms(terms_file.basis, parsed)
