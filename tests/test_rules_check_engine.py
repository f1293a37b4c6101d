"""``rules check`` compiles every rule as the engine will, and names the one it cannot take."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import MINI_RULES

from spo_advisor.cli.main import main
from spo_advisor.engine import durable_host as engine

pytestmark = pytest.mark.skipif(not engine.available(), reason="durable_rules not installed")

CHOICES = ["ex_intimate_partner", "ex_spouse", "family_member", "stranger"]

EXPLOSIVE = """\
  - id: risk.explosive
    title: Explosive
    citation: "test s.9"
    limb: "Many combinations."
    when:
      all:
""" + "".join(f"""\
        - any:
            - {{field: suspect.age, at_least: {18 + n}}}
            - {{field: relationship, is: {CHOICES[n % 4]}}}
            - {{field: victim.very_frightened, is: true}}
""" for n in range(8)) + """\
    then: {fact: risk_medium}
"""


def test_a_rule_the_engine_cannot_compile_is_named_by_rules_check(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(MINI_RULES, rules)
    text = (rules / "rules.yaml").read_text(encoding="utf-8")
    (rules / "rules.yaml").write_text(text + EXPLOSIVE, encoding="utf-8")
    line = len(text.splitlines()) + 5  # its `when:`
    code = main(["rules", "check", str(rules)])
    out = capsys.readouterr().out
    assert code == 1
    assert out.splitlines() == [
        (f"{rules / 'rules.yaml'}:{line}:5: [engine_compile] At Rule(id=risk.explosive) > "
         "when: a rule is too complex for the engine (more than 512 conjunctions for one "
         "verdict: too many any/all combinations)")]
