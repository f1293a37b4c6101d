"""spo_advisor: explainable advice on Stalking Protection Orders (England and Wales).

One call, ``assess(case)``, returns an :class:`Assessment`: for every protective order
the rules know, a decision (recommended, consider, not_recommended, not_available) with
the reasons, the unmet conditions and the unknown facts, each citing the law.
``review(case)`` replays a case on each date for a complaint reviewer, and
``what_would_change(case)`` lists the unknown facts that would change a decision.
``scrutiny(cases, date_from, date_to)`` replays a force's caseload and counts it.
"""

from spo_advisor.advice.assess import assess, assess_json, library_version, load_rules
from spo_advisor.advice.changes import Change
from spo_advisor.advice.whatif import what_would_change
from spo_advisor.cli.batch import assess_many
from spo_advisor.cli.schemas import json_schema
from spo_advisor.language.rules import RuleSet
from spo_advisor.model.case import Case, case_json_schema
from spo_advisor.model.case_reading import load_case
from spo_advisor.model.errors import CaseError, EngineError, Problem, RuleSetError, SpoAdvisorError
from spo_advisor.model.logic import Decision
from spo_advisor.model.result import Assessment, Recommendation
from spo_advisor.review.replay import Review, review
from spo_advisor.scrutiny.result import Scrutiny

# The renderers register themselves for the outputs' explain(), to_markdown(), to_html()
# and notebook display (spo_advisor.model.display).
from spo_advisor.report import questions as _questions  # noqa: F401  isort: skip
from spo_advisor.report import render as _render  # noqa: F401  isort: skip
from spo_advisor.report import review_render as _review_render  # noqa: F401  isort: skip
from spo_advisor.report import scrutiny_render as _scrutiny_render  # noqa: F401  isort: skip

# Last, so that after the subpackage spo_advisor.scrutiny is loaded the name is the function.
from spo_advisor.cli.scrutiny import scrutiny  # isort: skip

__version__: str = library_version()
"""The installed distribution's version (``importlib.metadata``)."""

__all__ = [
    "Assessment",
    "Case",
    "CaseError",
    "Change",
    "Decision",
    "EngineError",
    "Problem",
    "Recommendation",
    "Review",
    "RuleSet",
    "RuleSetError",
    "Scrutiny",
    "SpoAdvisorError",
    "__version__",
    "assess",
    "assess_json",
    "assess_many",
    "case_json_schema",
    "json_schema",
    "load_case",
    "load_rules",
    "review",
    "scrutiny",
    "what_would_change",
]
