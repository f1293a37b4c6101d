"""The rule loader: every problem of every file collected, each pinned to its line."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MINI_RULES, ROOT

from spo_advisor.language.conditions import walk
from spo_advisor.language.rules import crumb_path, load_ruleset, read_ruleset
from spo_advisor.model.errors import Problem, RuleSetError
from spo_advisor.model.yamlio import Mark

BAD = ROOT / "tests" / "fixtures" / "bad_rules"


def shown(problems: list[Problem] | tuple[Problem, ...], root: Path) -> list[str]:
    """Problems as printed, with file names relative to ``root``."""
    return [str(problem).replace(f"{root}/", "") for problem in problems]


def load_problems(root: Path) -> list[str]:
    with pytest.raises(RuleSetError) as caught:
        load_ruleset(root)
    return shown(caught.value.problems, root)


def test_every_problem_is_reported_at_its_line() -> None:
    assert load_problems(BAD / "every_problem") == [
        ("rules.yaml:10:5: [duplicate_id] At Rule(id=acts) > id: rule id already used in "
         "rules.yaml"),
        ("rules.yaml:14:57: [invalid_choice] At Rule(id=acts) > when > where: not one of the "
         "allowed values: following, contact, publishing, online_monitoring, loitering, "
         "property_interference, watching, turning_up, tracking_device, gifts, impersonation, "
         "third_party_contact, proxy_recruitment, vexatious_reports; did you mean 'loitering'?"),
        ("rules.yaml:17:5: [missing_citation] At Rule(id=risk.high): a rule needs a citation: "
         "the provision it encodes"),
        ("rules.yaml:20:12: [unknown_field] At Rule(id=risk.high) > when: unknown case field "
         "'indicators.threats_to_kil'; did you mean 'indicators.threats_to_kill'?"),
        ("rules.yaml:26:5: [missing_limb] At Rule(id=risk.high_age) > limb: a rule needs its "
         "limb: a short paraphrase of the legal text it encodes"),
        ("rules.yaml:29:32: [wrong_type] At Rule(id=risk.high_age) > when > all[0]: operator "
         "'before' does not apply to 'suspect.age' (int)"),
        ("rules.yaml:30:33: [wrong_type] At Rule(id=risk.high_age) > when > all[1]: operator "
         "'at_least' does not apply to 'separated_on' (date)"),
        ("rules.yaml:31:32: [wrong_type] At Rule(id=risk.high_age) > when > all[2]: expected a "
         "whole number"),
        ("rules.yaml:38:5: [unknown_key] At Rule(id=risk.medium) > notes: unknown key; did you "
         "mean 'note'?"),
        ("rules.yaml:39:33: [unknown_operator] At Rule(id=risk.medium) > when: unknown operator "
         "'contain'; did you mean 'contains'?"),
        ("rules.yaml:46:35: [unknown_param] At Rule(id=spo.too_early) > when: unknown parameter "
         "'strat'; did you mean 'start'?"),
        "rules.yaml:47:5: [missing_key] At Rule(id=spo.too_early) > then.fact: required key is missing",
        ("rules.yaml:53:33: [unknown_fact] At Rule(id=spo.recommended) > when > all[1]: no rule "
         "concludes the fact 'risk_hihg'; did you mean 'risk_high'?"),
        ("rules.yaml:54:12: [invalid_value] At Rule(id=spo.recommended) > then.fact: must be "
         "snake_case (lower-case letters, digits, underscores)"),
        ("rules.yaml:60:5: [reversed_dates] At Rule(id=spo.consider) > in_force: in_force 'from' "
         "is after 'to'"),
        "rules.yaml:69:5: [missing_key] At Rule(id=spo.consider_unlisted) > then.fact: required key is missing",
        "rules.yaml:69:12: [unknown_key] At Rule(id=spo.consider_unlisted) > then.order: unknown key",
        ("rules.yaml:69:24: [unknown_key] At Rule(id=spo.consider_unlisted) > then.decision: "
         "unknown key"),
        "rules.yaml:76:29: [unknown_key] At Rule(id=dvpo.recommended) > then.decision: unknown key",
        ("rules.yaml:78:5: [cycle] At Rule(id=loop.one): facts depend on themselves: loop.one > "
         "loop.two > loop.one"),
        ("ruleset.yaml:16:22: [unknown_fact] ruleset > orders.spo.limbs.2.fact: no rule concludes "
         "the fact 'risk_hihg'; did you mean 'risk_high'?"),
        "ruleset.yaml:17:9: [duplicate_limb] ruleset > orders.spo.limbs.3: limb 'acts' listed twice",
        ("ruleset.yaml:17:9: [fact_and_unless] ruleset > orders.spo.limbs.3: give 'fact' or "
         "'unless', not both"),
        ("ruleset.yaml:18:9: [limb_without_fact] ruleset > orders.spo.limbs.4: only a judgement "
         "limb with its own citation may read no fact"),
        ("ruleset.yaml:22:5: [trigger_count] ruleset > orders.dvpo.limbs: needs exactly one "
         "trigger limb, has 0"),
        ("ruleset.yaml:25:3: [unknown_fact] ruleset > risk.medium: no rule concludes the fact "
         "'risk_medum'; did you mean 'risk_medium'?"),
    ]



def test_a_broken_header_does_not_hide_the_problems_of_the_rules() -> None:
    # The parameter `start` is still known from the header as written: no unknown_param.
    assert load_problems(BAD / "broken_header") == [
        ("rules.yaml:10:31: [wrong_type] At Rule(id=risk.high) > when > all[2]: expected a "
         "whole number"),
        ("ruleset.yaml:2:1: [invalid_value] ruleset > name: must be snake_case (lower-case "
         "letters, digits, underscores)"),
        "ruleset.yaml:2:1: [missing_key] ruleset > version: required key is missing",
        "ruleset.yaml:2:1: [missing_key] ruleset > orders: required key is missing",
        "ruleset.yaml:3:1: [unknown_key] ruleset > verison: unknown key; did you mean 'version'?",
    ]


def test_hostile_and_broken_files_are_each_refused_and_all_reported() -> None:
    assert load_problems(BAD / "hostile") == [
        "alias.yaml:1:12: [alias_refused] YAML aliases are not allowed",
        "duplicate_key.yaml:3:5: [duplicate_key] duplicate key 'id'",
        "malformed.yaml:4:1: [malformed_yaml] expected ',' or ']', but got '<stream end>'",
        "not_a_rule_file.yaml:1:1: [invalid_value] expected a mapping",
        "not_utf8.yaml: [unreadable] file cannot be read as UTF-8 text",
        "python_tag.yaml:2:5: [unsafe_yaml] tags are not allowed on mappings or lists",
        "rules.yaml:8:5: [invalid_value] At rules[1]: expected a mapping",
        ("rules.yaml:9:5: [invalid_value] At Rule(id=Spo.Consider) > id: must be lower-case "
         "names joined by dots, e.g. spo.acts"),
    ]


def test_a_directory_without_a_header_is_refused() -> None:
    assert load_problems(BAD / "no_header") == [
        "ruleset.yaml: [missing_header] no ruleset.yaml in the rule-set directory"]


def test_read_ruleset_keeps_the_rules_it_could_build() -> None:
    reading = read_ruleset(BAD / "every_problem")
    assert reading.ruleset is None
    # Built: the rules whose own entries have no problem; the cycle and the dates in
    # force are found on built rules.
    assert sorted(rule.id for rule in reading.rules) == [
        "acts", "loop.one", "loop.two", "spo.consider"]
    clean = read_ruleset(MINI_RULES)
    assert clean.problems == () and clean.ruleset is not None
    assert clean.rules == clean.ruleset.rules


def test_drafting_faults_do_not_stop_a_rule_set_from_loading() -> None:
    ruleset = load_ruleset(BAD / "drafting")
    assert "spo.too_early" in ruleset.by_id


def test_every_part_of_a_condition_can_be_located() -> None:
    rule = load_ruleset(MINI_RULES).by_id["risk.medium_age"]
    located = {node.crumb: rule.locate(node.crumb) for node in walk(rule.when)}
    assert located == {
        "when": Mark(34, 5),
        "when > all[0]": Mark(36, 11),
        "when > all[1]": Mark(37, 11),
        "when > all[2]": Mark(38, 11),
        "when > all[2] > not": Mark(38, 12),
    }
    assert rule.position("in_force", "from") == Mark(33, 16)
    assert rule.position("no", "such", "key") == Mark(29, 5)


def test_crumb_paths() -> None:
    assert crumb_path("when") == ("when",)
    assert crumb_path("when > any[12] > not > where > all[0]") == (
        "when", "any", 12, "not", "where", "all", 0)
