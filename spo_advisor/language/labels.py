"""Plain labels for every code a reader sees: orders, decisions, limb statuses, facts,
case fields (as questions), behaviours, actions, reason codes and risk levels.

The table lives in the rule set (``labels/labels.yaml``) and is part of its identity, so
every renderer and :func:`~spo_advisor.advice.whatif.what_would_change` speak the same words.
Raw codes stay in the JSON.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from spo_advisor.language.fields import AS_OF, DERIVED_PREFIX, case_fields
from spo_advisor.language.rules import LABELS_FILE, RuleSet
from spo_advisor.model.case import ActionType, Behaviour, ReasonCode
from spo_advisor.model.errors import Problem, RuleSetError
from spo_advisor.model.logic import Decision
from spo_advisor.model.yamlio import YamlProblem, read_text, read_yaml


class Labels(BaseModel):
    """The label table of one rule set, section by section."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    orders: dict[str, str] = {}
    decisions: dict[str, str] = {}
    statuses: dict[str, str] = {}
    facts: dict[str, str] = {}
    fields: dict[str, str] = {}
    behaviours: dict[str, str] = {}
    actions: dict[str, str] = {}
    reason_codes: dict[str, str] = {}
    risk_levels: dict[str, str] = {}
    next_steps: dict[str, str] = {}
    not_met: dict[str, str] = {}

    def order(self, code: str) -> str:
        return self.orders.get(code, code)

    def decision(self, code: str) -> str:
        return _in_words(self.decisions, code)

    def status(self, code: str) -> str:
        return _in_words(self.statuses, code)

    def fact(self, code: str) -> str:
        return _in_words(self.facts, code)

    def question(self, path: str) -> str:
        """A case field as a question (``victim.very_frightened`` → "Is the victim very
        frightened?"); the path itself when the table has none."""
        return self.fields.get(path, path)

    def not_met_phrase(self, order: str, limb: str) -> str | None:
        """How a failing limb reads in words ("no violence or threat towards the victim
        recorded"): the entry for ``order.limb``, else for ``limb``; None when neither."""
        return self.not_met.get(f"{order}.{limb}", self.not_met.get(limb))

    def behaviour(self, code: str) -> str:
        return _in_words(self.behaviours, code)

    def action(self, code: str) -> str:
        return _in_words(self.actions, code)

    def reason_code(self, code: str) -> str:
        return _in_words(self.reason_codes, code)


def _in_words(table: dict[str, str], code: str) -> str:
    """The label of ``code`` in ``table``, else the code with its underscores as spaces."""
    return table.get(code, code.replace("_", " "))


@lru_cache(maxsize=8)
def labels_for(ruleset: RuleSet) -> Labels:
    """The labels beside ``ruleset`` (an empty table, labelling codes as themselves, when
    the rule set has none). Raises :class:`RuleSetError` for a malformed table."""
    path = Path(ruleset.directory) / LABELS_FILE
    if not path.is_file():
        return Labels()
    try:
        data, _ = read_yaml(read_text(path), str(path))
        return Labels.model_validate(data)
    except YamlProblem as error:
        raise RuleSetError([error.problem]) from None
    except ValidationError as error:
        raise RuleSetError([Problem("invalid_value", item["msg"],
                                    ".".join(map(str, item["loc"])), str(path))
                            for item in error.errors(include_url=False)]) from None


def missing_labels(ruleset: RuleSet) -> list[Problem]:
    """Every code the rule set or the case model can show that its table does not label."""
    labels = labels_for(ruleset)
    fields = case_fields()
    visible = [path for path in fields.scalars
               if path not in (AS_OF, "case_id") and not path.startswith(DERIVED_PREFIX)]
    visible += [f"{c}.{name}" for c, specs in fields.collections.items() for name in specs]
    wanted = {
        "orders": list(ruleset.orders), "decisions": [d.value for d in Decision],
        "statuses": ["met", "not_met", "unknown"], "facts": list(ruleset.rules_for_fact),
        "fields": visible, "behaviours": [b.value for b in Behaviour],
        "actions": [a.value for a in ActionType],
        "reason_codes": [r.value for r in ReasonCode],
        "risk_levels": ["standard", "medium", "high"],
        "next_steps": list(ruleset.orders),
    }
    path = str(Path(ruleset.directory) / LABELS_FILE)
    return [Problem("missing_label", f"no label for {code!r}", section, path)
            for section, codes in wanted.items()
            for code in codes if code not in getattr(labels, section)]
