"""``rules check`` (drafting faults on top of the loader's problems) and the golden cases
run by pytest (the plugin)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import MINI_RULES, ROOT, SHIPPED_RULES

from spo_advisor.advice.assess import load_rules
from spo_advisor.cli.main import main
from spo_advisor.language.labels import labels_for, missing_labels
from spo_advisor.language.rules import LABELS_FILE, load_ruleset, read_ruleset
from spo_advisor.toolchain.check import check_directory, has_positive_leaf

pytest_plugins = ["pytester"]

BAD = ROOT / "tests" / "fixtures" / "bad_rules"
DRAFTING = BAD / "drafting"


def run_check(capsys: pytest.CaptureFixture[str], directory: Path) -> tuple[int, list[str]]:
    code = main(["rules", "check", str(directory)])
    out = capsys.readouterr().out
    return code, out.replace(f"{directory}/", "").splitlines()


def test_the_shipped_rules_are_clean() -> None:
    problems = check_directory(SHIPPED_RULES)
    assert problems == [], "\n".join(map(str, problems))


def test_a_clean_rule_set_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_check(capsys, MINI_RULES) == (0, [f"{MINI_RULES}: no problems"])


def test_drafting_faults_are_reported_at_their_lines(capsys: pytest.CaptureFixture[str]) -> None:
    # Not reported: spo.outside_area (a negation of a field that is unknown when nothing
    # is known), spo.recommended (`not: not:` is positive), risk.high_new_ground and
    # spo.consider_other_ground (grounds in force alongside others, not successors).
    assert run_check(capsys, DRAFTING) == (1, [
        ("rules.yaml:36:16: [overlapping_dates] At Rule(id=risk.medium_new) > in_force.from: "
         "starts on 2022-06-01, but rule 'risk.medium_old' with the same conclusion (fact "
         "'risk_medium') is in force to 2022-12-31, that day included: both are in force from "
         "2022-06-01 to 2022-12-31"),
        ("rules.yaml:47:5: [negation_only] At Rule(id=spo.too_early) > when: the condition has "
         "no positive part (every test is negated) and holds on a case where nothing is known "
         "(as of 1990-01-01); state what must be present"),
        ("rules.yaml:54:5: [negation_only] At Rule(id=spo.no_incidents) > when: the condition "
         "has no positive part (every test is negated) and holds on a case where nothing is "
         "known (as of 1990-01-01); state what must be present"),
        ("rules.yaml:83:16: [overlapping_dates] At Rule(id=spo.consider_new) > in_force.from: "
         "starts on 2024-03-31, but rule 'spo.consider_old' with the same conclusion (fact "
         "'spo_consider') is in force to 2024-03-31, that day included: both are in force "
         "from 2024-03-31 to 2024-03-31"),
    ])


def drafting_copy(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    copy = tmp_path / "drafting"
    shutil.copytree(DRAFTING, copy)
    text = (copy / "rules.yaml").read_text()
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    (copy / "rules.yaml").write_text(text)
    return copy


def test_the_fixes_the_messages_ask_for_make_the_rule_set_clean(tmp_path: Path) -> None:
    fixed = drafting_copy(
        tmp_path,
        ("{not: {field: as_of, on_or_after: {param: start}}}", "{field: as_of, before: {param: start}}"),
        ("{not: {fact: acts}}", "{all: [{field: victim.very_frightened, is: true}, {not: {fact: acts}}]}"),
        ("in_force: {to: 2022-12-31}", "in_force: {to: 2022-05-31}"),
        ("in_force: {from: 2024-03-31}", "in_force: {from: 2024-04-01}"),
    )
    assert check_directory(fixed) == []


def test_a_rule_that_is_true_only_before_a_date_is_still_caught(tmp_path: Path) -> None:
    # Only dates the rule set names are probed; the rule holds before 2020-01-20 only.
    later = drafting_copy(tmp_path, ("{not: {fact: acts}}", "{not: {field: as_of, on_or_after: 2020-01-20}}"))
    codes = [(p.code, p.location) for p in check_directory(later)]
    assert ("negation_only", "At Rule(id=spo.no_incidents) > when") in codes


def test_loader_problems_and_drafting_faults_are_reported_together(tmp_path: Path) -> None:
    broken = drafting_copy(tmp_path, ("{field: indicators.threats_to_kill, is: true}",
                                      "{field: indicators.threats_to_kil, is: true}"))
    codes = sorted(problem.code for problem in check_directory(broken))
    # negation_only needs a rule set that loads, so only the dates are checked here.
    assert codes == ["overlapping_dates", "overlapping_dates", "unknown_field"]


def test_problems_are_sorted_by_file_and_line() -> None:
    problems = check_directory(BAD / "every_problem")
    assert problems == list(read_ruleset(BAD / "every_problem").problems)
    places = [(p.file, p.line, p.column) for p in problems]
    assert places == sorted(places)


def test_positive_leaves_count_the_nots_above_them() -> None:
    rules = load_ruleset(DRAFTING).by_id
    assert not has_positive_leaf(rules["spo.too_early"].when)
    assert not has_positive_leaf(rules["spo.outside_area"].when)
    assert has_positive_leaf(rules["spo.recommended"].when)  # not: not: acts
    assert has_positive_leaf(rules["acts"].when)


# ------------------------------------------------------------- golden cases under pytest

GOLDEN = """\
bases:
  follower:
    case_id: G-1
    incidents:
      - {date: 2021-01-05, behaviours: [following]}
cases:
  - name: acts and a frightened victim
    extends: follower
    as_of: 2021-03-01
    case: {victim: {very_frightened: true}}
    expect:
      decisions: {spo: recommended}
      deciding_rules: {spo: acts}
  - name: acts alone wrongly expected to be recommended
    extends: follower
    as_of: 2021-03-01
    expect:
      decisions: {spo: recommended}
      deciding_rules: {spo: acts}
      limbs: {spo: {risk: met}}
      facts: {repeated: true}
"""


def rule_set_with_golden(base: Path, golden: str = GOLDEN) -> Path:
    directory = base / "mini"
    shutil.copytree(MINI_RULES, directory)
    (directory / "golden").mkdir()
    (directory / "golden" / "cases.yaml").write_text(golden)
    return directory


def test_each_golden_case_is_one_item_and_a_failure_shows_its_diff(
        pytester: pytest.Pytester) -> None:
    rule_set_with_golden(pytester.path)
    result = pytester.runpytest("--golden-rules", "mini", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    golden = pytester.path / "mini" / "golden" / "cases.yaml"
    lines = result.stdout.lines
    start = lines.index(f"{golden}:14: golden case 'acts alone wrongly expected to be "
                        "recommended' failed")
    assert lines[start + 1:start + 7] == [
        ("  - order spo: expected recommended, got consider (deciding rule spo.risk; unmet "
         "[]; unknown ['indicators.threats_to_kill', 'relationship', 'separated_on', "
         "'suspect.age', 'victim.very_frightened'])"),
        "  - order spo: expected deciding rule acts, got spo.risk",
        "  - order spo: limb risk expected met, got unknown",
        "  - fact repeated: expected true, got false",
        "  order: expected decision (deciding rule) | got",
        "  spo: recommended (acts) | consider (spo.risk)",
    ]
    # With CI set, pytest does not cut the summary line short: match its start.
    assert any(line.startswith("FAILED mini/golden/cases.yaml::acts alone wrongly expected "
                               "to be recommended") for line in lines)


def test_golden_files_beside_a_rule_set_are_collected_without_the_option(
        pytester: pytest.Pytester) -> None:
    rule_set_with_golden(pytester.path)
    result = pytester.runpytest("mini", "--collect-only", "-q", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines([
        "mini/golden/cases.yaml::acts and a frightened victim",
        "mini/golden/cases.yaml::acts alone wrongly expected to be recommended",
    ])


def test_a_broken_golden_file_is_a_collection_error_listing_its_problems(
        pytester: pytest.Pytester) -> None:
    rule_set_with_golden(pytester.path, "cases:\n  - name: x\n    extends: nowhere\n"
                                        "    expect: {}\n")
    result = pytester.runpytest("--golden-rules", "mini", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    golden = pytester.path / "mini" / "golden" / "cases.yaml"
    assert (f"{golden}:2:1: [unknown_base] cases[0] (x): no base named 'nowhere'"
            in result.stdout.lines)


def test_golden_cases_of_a_broken_rule_set_are_a_collection_error(
        pytester: pytest.Pytester) -> None:
    directory = rule_set_with_golden(pytester.path)
    rules = directory / "rules.yaml"
    rules.write_text(rules.read_text().replace("victim.very_frightened", "victim.frightened"))
    result = pytester.runpytest("--golden-rules", "mini", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    assert (f"{rules}:27:12: [unknown_field] At Rule(id=risk.medium) > when: unknown case "
            "field 'victim.frightened'; did you mean 'victim.very_frightened'?"
            in result.stdout.lines)


def test_golden_rules_must_name_a_rule_set(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--golden-rules", "nowhere", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "ERROR: --golden-rules nowhere: no ruleset.yaml in that directory" in result.stderr.lines


# ------------------------------------------------------------------------------- labels


def test_every_code_of_the_shipped_rules_has_a_plain_label() -> None:
    assert missing_labels(load_rules(SHIPPED_RULES)) == []


def test_a_code_without_a_label_is_a_problem_of_rules_check(tmp_path: Path) -> None:
    copy = tmp_path / "rules"
    shutil.copytree(SHIPPED_RULES, copy)
    table = copy / LABELS_FILE
    table.write_text(table.read_text(encoding="utf-8").replace(
        "  spo_risk: a risk associated with stalking\n", ""), encoding="utf-8")
    found = [(p.code, p.message, p.location) for p in check_directory(copy)]
    assert found == [("missing_label", "no label for 'spo_risk'", "facts")]
    assert labels_for(load_rules(copy)).fact("spo_risk") == "spo risk"
