"""The rule set as a document (``rules docs``), and ``docs/rules.md`` kept current."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import MINI_RULES, ROOT, SHIPPED_RULES

from spo_advisor.advice.assess import load_rules
from spo_advisor.cli.main import main
from spo_advisor.language.condition_parser import ParseContext, parse_condition
from spo_advisor.language.conditions import Node
from spo_advisor.language.fields import case_fields
from spo_advisor.language.rules import RuleSet
from spo_advisor.toolchain.docs import condition_lines, describe, render_markdown

DOC = ROOT / "docs" / "rules.md"


def test_docs_rules_md_is_current() -> None:
    expected = render_markdown(load_rules(SHIPPED_RULES))
    assert DOC.is_file() and DOC.read_text(encoding="utf-8") == expected, (
        "docs/rules.md is stale: run `spo-advisor rules docs --out docs/rules.md`")


def parsed(raw: Any) -> Node:
    problems: list[str] = []
    context = ParseContext(case_fields(), {}, {"spo_acts"},
                           lambda code, *rest: problems.append(code))
    node, _ = parse_condition(raw, ("when",), context)
    assert node is not None and problems == []
    return node


@pytest.mark.parametrize(("raw", "words"), [
    ({"field": "victim.very_frightened", "is": False}, "`victim.very_frightened` is false"),
    ({"field": "relationship", "in": ["spouse", "ex_spouse"]},
     "`relationship` is one of spouse, ex_spouse"),
    ({"field": "victim.fears", "contains": "death"}, "`victim.fears` includes death"),
    ({"field": "victim.fears", "contains_any": ["death", "violence"]},
     "`victim.fears` includes any of death, violence"),
    ({"field": "suspect.age", "at_least": 18}, "`suspect.age` is at least 18"),
    ({"field": "dash_yes_count", "at_most": 13}, "`dash_yes_count` is at most 13"),
    ({"field": "as_of", "on_or_after": date(2020, 1, 20)},
     "the assessment date is on or after 2020-01-20"),
    ({"field": "separated_on", "before": "as_of"}, "`separated_on` is before the assessment date"),
    ({"fact": "spo_acts"}, "`spo_acts` holds"),
    ({"not": {"fact": "spo_acts"}}, "not (`spo_acts` holds)"),
    ({"count": "incidents", "at_least": 2}, "at least 2 of `incidents`"),
    ({"count": "incidents", "within_days": 30, "at_least": 1,
      "where": {"any": [{"field": "violence", "is": True}, {"field": "weapon", "is": True}]}},
     ("at least 1 of `incidents` dated within 30 days before the assessment date where any of "
      "(`violence` is true; `weapon` is true)")),
    ({"all": [{"fact": "spo_acts"}, {"field": "suspect.age", "at_least": 18}]},
     "all of (`spo_acts` holds; `suspect.age` is at least 18)"),
])
def test_every_form_of_condition_in_words(raw: Any, words: str) -> None:
    assert describe(parsed(raw)) == words


def test_a_condition_as_a_nested_list(mini_rules: RuleSet) -> None:
    assert list(condition_lines(mini_rules.by_id["risk.medium_age"].when)) == [
        "- all of:",
        "  - `suspect.age` is at least 18",
        "  - `relationship` is one of ex_intimate_partner, ex_spouse",
        "  - not: `separated_on` is before the assessment date",
    ]
    assert list(condition_lines(mini_rules.by_id["risk.high"].when)) == [
        "- any of:",
        "  - `indicators.threats_to_kill` is true",
        "  - at least 1 of `incidents` dated within 30 days before the assessment date where:",
        "    - `violence` is true",
    ]


def test_each_limb_is_listed_with_what_it_reads(mini_rules: RuleSet) -> None:
    text = render_markdown(mini_rules)
    section = text[text.index("### Test order (`spo`)"):text.index("## Derived facts")]
    assert section == (
        "### Test order (`spo`)\n\n*test s.1*\n\n| Limb | Kind | Test | Reads |\n"
        "|---|---|---|---|\n"
        "| `in_force` | gate | The law is in force. | met when `in_force` holds |\n"
        "| `acts` | trigger | There are acts. | met when `acts` holds; not met unless `acts` "
        "shows it |\n"
        "| `risk` | limb | There is a risk. | met when `spo_risk` holds |\n\n")


def test_orders_come_first_then_facts_each_rule_once(mini_rules: RuleSet) -> None:
    text = render_markdown(mini_rules)
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == [
        "# The rules of `mini` (version 1)",
        "## Dated parameters",
        "## Open questions",
        "## Risk and stalking",
        "## Orders",
        "### Test order (`spo`)",
        "## Derived facts",
        "### From `rules.yaml`",
        "#### Fact `acts`",
        "##### `acts`: Acts",
        "#### Fact `repeated`",
        "##### `repeated`: Repeated",
        "#### Fact `risk_high`",
        "##### `risk.high`: High risk",
        "#### Fact `risk_medium`",
        "##### `risk.medium`: Medium risk",
        "##### `risk.medium_age`: Medium risk by age",
        "#### Fact `in_force`",
        "##### `spo.in_force`: In force",
        "#### Fact `spo_risk`",
        "##### `spo.risk`: Risk",
    ]
    assert "- In force: from 2021-01-01" in text
    assert "Gives: risk level medium." in text
    assert "Used by: `spo.risk`." in text
    assert "Used by: the `acts` limb of `spo`." in text


def test_the_command_writes_the_document(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rules.md"
    assert main(["rules", "docs", str(MINI_RULES), "--out", str(out)]) == 0
    assert capsys.readouterr().out == ""
    assert out.read_text(encoding="utf-8") == render_markdown(load_rules(MINI_RULES))
    assert main(["rules", "docs", str(MINI_RULES)]) == 0
    assert capsys.readouterr().out == out.read_text(encoding="utf-8")
