"""The officer's reading of an assessment (issue 14): the overview first in every
rendering, limbs grouped by the statutory test, no raw rule ids unless asked for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import EXAMPLES, MINI_RULES

from spo_advisor.advice.assess import assess, load_rules
from spo_advisor.cli.main import main
from spo_advisor.model import safe_text
from spo_advisor.model.case_reading import load_case
from spo_advisor.model.result import Assessment
from spo_advisor.report.overview import fragment
from spo_advisor.report.render import assessment_text

OVERVIEW_STARTS = {
    "dvpo_dapo_spo.yaml": [
        "Case MPS-25-90412, as of 2025-06-10. Risk: high.",
        ("  Interim Stalking Protection Order — recommended: apply with the SPO "
         "application (all 9 limbs met)"),
        ("  Stalking Protection Order — recommended: apply to the magistrates' court (all "
         "7 limbs met)")],
    "ex_partner.yaml": [
        "Case CLE-21-0042, as of 2021-03-14. Risk: high.",
        ("  Interim Stalking Protection Order — recommended: apply with the SPO "
         "application (all 9 limbs met)"),
        ("  Stalking Protection Order — recommended: apply to the magistrates' court (all "
         "7 limbs met)"),
        ("  DVPN and DVPO — recommended: a superintendent may issue a DVPN; apply for a "
         "DVPO (all 7 limbs met)"),
        ("  Non-molestation order — recommended: signpost the victim to the family court "
         "(all 4 limbs met)"),
        ("  Injunction against harassment — not recommended: an associated person (the "
         "non-molestation order is the usual route)"),
        ("  Restraining order — not recommended: no charge, conviction or acquittal (and "
         "1 more not met)"),
        "  Sexual Risk Order — not recommended: no act of a sexual nature recorded",
        ("  Variation or renewal of the SPO — not available: no SPO or interim SPO "
         "protects the victim"),
        "  DAPN and DAPO — not available: the DAPO pilot does not cover this case",
        ""],
    "existing_spo_breach.yaml": [
        "Case CLE-22-0917, as of 2022-09-05. Risk: high.",
        ("  Variation or renewal of the SPO — recommended: apply to vary or renew the "
         "order (all 3 limbs met)"),
        ("  Non-molestation order — recommended: signpost the victim to the family court "
         "(all 4 limbs met)"),
        ("  DVPN and DVPO — consider: not known: the violence or threat is recent (a "
         "judgement aid: s.24 sets no time limit)"),
        ("  Interim Stalking Protection Order — not recommended: an SPO already protects "
         "the victim (vary or renew it)")],
    "out_of_jurisdiction.yaml": [
        "Case PS-24-7741, as of 2024-02-12. Risk: high.",
        ("  Interim Stalking Protection Order — not available: outside England and Wales "
         "(and 1 more not met)")],
    "stranger.yaml": [
        "Case WYP-23-1187, as of 2023-05-02. Risk: high.",
        ("  Interim Stalking Protection Order — recommended: apply with the SPO "
         "application (all 9 limbs met)"),
        ("  Stalking Protection Order — recommended: apply to the magistrates' court (all "
         "7 limbs met)"),
        ("  Injunction against harassment — recommended: signpost the victim to a civil "
         "claim for an injunction (all 4 limbs met)")],
    "thin_record.yaml": [
        "Case NWP-24-0311, as of 2024-10-07. Risk: medium.",
        ("  Interim Stalking Protection Order — consider: not known: acts associated with "
         "stalking, in the stalking pattern (and 2 more not known)"),
        ("  Stalking Protection Order — consider: not known: acts associated with "
         "stalking, in the stalking pattern (and 1 more not known)"),
        ("  Non-molestation order — consider: not known: the victim is an associated "
         "person (Family Law Act 1996 s.62(3))")],
    "third_party_targets.yaml": [
        "Case GMP-23-5520, as of 2023-09-18. Risk: high.",
        ("  Interim Stalking Protection Order — recommended: apply with the SPO "
         "application (all 9 limbs met)"),
        ("  Stalking Protection Order — recommended: apply to the magistrates' court (all "
         "7 limbs met)")],
}
EXAMPLE_FILES = sorted(path.name for path in EXAMPLES.glob("*.yaml"))


def example(name: str) -> Assessment:
    return assess(load_case(EXAMPLES / name))


def rule_ids() -> set[str]:
    return {rule.id for rule in load_rules().rules}


def test_every_example_case_has_a_pinned_overview() -> None:
    assert EXAMPLE_FILES == sorted(OVERVIEW_STARTS)


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_text_opens_with_the_overview(name: str) -> None:
    expected = OVERVIEW_STARTS[name]
    assert example(name).explain().splitlines()[:len(expected)] == expected


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_markdown_and_html_open_with_the_same_overview(name: str) -> None:
    a = example(name)
    headline, *orders = [line for line in OVERVIEW_STARTS[name] if line]
    markdown = a.to_markdown().splitlines()
    assert markdown[2] == headline
    assert markdown[4:4 + len(orders)] == [f"- {line.strip()}" for line in orders]
    html = a.to_html()
    assert html.index(headline) < html.index("Risk and stalking") < html.index("<details>")


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_no_raw_rule_id_in_default_text_or_markdown(name: str) -> None:
    a = example(name)
    for text in (a.explain(), a.to_markdown()):
        assert [rule for rule in rule_ids() if rule in text] == []
    verbose = assessment_text(a, verbose=True)
    assert all(rule in verbose for rec in a.recommendations for limb in rec.limbs
               for rule in limb.rules)


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_rule_ids_in_html_only_inside_details(name: str) -> None:
    html = example(name).to_html()
    outside = re.sub(r"<details>.*?</details>", "", html, flags=re.DOTALL)
    assert [rule for rule in rule_ids() if rule in outside] == []
    assert "<code>spo.in_force</code>" in html or name == "existing_spo_breach.yaml"


def test_risk_and_stalking_are_explained_once() -> None:
    text = example("ex_partner.yaml").explain()
    assert text.count("Risk: high") == 2  # in the overview line and its explanation
    assert text.count("threats by an ex-partner after separation") == 1
    assert text.count("Stalking (FOUR): met; acts recorded: contact, following, loitering, "
                      "monitoring online, turning up") == 1


EX_PARTNER_LIMBS = {
    # order: [(limb, status, gate, trigger)] in the contract's order
    "spo": [("in_force", "met", True, False), ("jurisdiction", "met", True, False),
            ("applicant", "met", True, False), ("acts", "met", False, True),
            ("risk", "met", False, False), ("necessity", "met", False, False),
            ("existing_orders", "met", False, False)],
    "interim_spo": [("in_force", "met", True, False), ("jurisdiction", "met", True, False),
                    ("applicant", "met", True, False), ("acts", "met", False, True),
                    ("risk", "met", False, False), ("necessity", "met", False, False),
                    ("protection_needed_now", "met", False, False),
                    ("no_other_protection", "met", False, False),
                    ("existing_orders", "met", False, False)],
    "dvpn_dvpo": [("in_force", "met", True, False), ("jurisdiction", "met", True, False),
                  ("suspect_age", "met", True, False), ("association", "met", True, False),
                  ("violence_or_threat", "met", False, True), ("necessity", "met", False, False),
                  ("recent", "met", False, False)],
    "non_molestation_order": [("in_force", "met", True, False),
                              ("jurisdiction", "met", True, False),
                              ("association", "met", True, False),
                              ("molestation", "met", False, True)],
    "harassment_injunction": [("in_force", "met", True, False),
                              ("jurisdiction", "met", True, False),
                              ("course_of_conduct", "met", False, True),
                              ("not_associated", "not_met", False, False)],
    "restraining_order": [("in_force", "met", True, False), ("jurisdiction", "met", True, False),
                          ("proceedings", "not_met", False, True),
                          ("protective_purpose", "not_met", False, False)],
    "sexual_risk_order": [("in_force", "met", True, False), ("jurisdiction", "met", True, False),
                          ("applicant", "met", True, False), ("sexual_act", "not_met", False, True),
                          ("necessity", "unknown", False, False)],
    "spo_variation": [("jurisdiction", "met", True, False),
                      ("order_in_force", "not_met", True, False),
                      ("change", "not_met", False, True)],
    "dapn_dapo": [("jurisdiction", "met", True, False), ("pilot", "not_met", True, False),
                  ("suspect_age", "met", True, False), ("victim_age", "met", True, False),
                  ("personally_connected", "met", True, False), ("abusive", "met", False, True),
                  ("necessity", "met", False, False)],
}


def test_limbs_of_each_order() -> None:
    a = example("ex_partner.yaml")
    found = {rec.order: [(limb.limb, limb.status, limb.gate, limb.trigger) for limb in rec.limbs]
             for rec in a.recommendations}
    assert found == EX_PARTNER_LIMBS


def test_text_outlines_the_test_then_the_gates() -> None:
    text = example("thin_record.yaml").explain()
    block = text[text.index("\nStalking Protection Order — consider\n"):]
    block = block[:block.index("\n\n", 1)]
    assert block.splitlines()[2:] == [
        "  The test:",
        ("    [not known] Acts associated with stalking, in the stalking pattern. (trigger) — "
        "Stalking Protection Act 2019 s.1(1)(a), s.1(5)-(6)"),
        ("                to find out: Is the behaviour fixated? Is the behaviour obsessive? Is "
        "the behaviour unwanted? What does the victim fear? Has the conduct substantially "
        "changed the victim's daily life? Is the victim very frightened?"),
        ("    [met]       A risk associated with stalking, of physical or psychological harm "
        "(risk level medium or high). — Stalking Protection Act 2019 s.1(1)(b), s.1(4)"),
        ("    [met]       Reasonable cause to believe an order is necessary to protect. — "
        "Stalking Protection Act 2019 s.1(1)(c); 90-day window: spo_advisor judgement aid "
        "(not law)"),
        "    [met]       No SPO already protects the victim (else vary or renew it).",
        "  Available here:",
        ("    [met]       The Stalking Protection Act 2019 is in force (from 20 January 2020). — "
        "Stalking Protection Act 2019 s.16; SI 2019/1487: in force 20 January 2020"),
        ("    [met]       The case is in England and Wales. — Stalking Protection Act 2019 s.15 "
        "(extent: England and Wales)"),
        ("    [not known] This force may apply: the suspect lives in, is in or is coming to its "
        "area, or it is BTP or MoD Police. — Stalking Protection Act 2019 s.1(1), s.1(3)"),
        ("                to find out: Is the suspect in, or coming to, this force's area? Does "
        "the suspect live in this force's area?"),
    ]


def test_gates_all_met_fold_into_one_line() -> None:
    text = example("ex_partner.yaml").explain()
    assert "  Available here: all met: in force, jurisdiction, applicant\n" in text


def test_excluded_records_are_counted_in_the_overview() -> None:
    a = assess(load_case(EXAMPLES / "ex_partner.yaml"), as_of=load_case(
        EXAMPLES / "ex_partner.yaml").incidents[1].date)
    assert a.excluded
    lines = a.explain().splitlines()
    count = len(a.excluded)
    expected = f"{count} record{'' if count == 1 else 's'} dated after {a.as_of} left out."
    assert lines[len(a.recommendations) + 1] == expected


def test_html_has_a_limb_diagram_and_details_per_order() -> None:
    a = example("ex_partner.yaml")
    html = a.to_html()
    assert html.count("<details>") >= len(a.recommendations)
    assert html.count("class=\"limbs\"") == len(a.recommendations)
    boxes = re.findall(r'class="limb limb-(met|not_met|unknown)"', html)
    assert boxes == [limb.status for rec in a.recommendations
                     for group in (sorted((limb for limb in rec.limbs if not limb.gate),
                                          key=lambda limb: not limb.trigger),
                                   [limb for limb in rec.limbs if limb.gate])
                     for limb in group]
    assert "<script" not in html and not re.search(r"(?i)\b(src|href)\s*=|url\(|@import", html)


def test_case_id_is_escaped_everywhere() -> None:
    case = load_case(EXAMPLES / "ex_partner.yaml").model_copy(
        update={"case_id": "<b>X</b>\x1b[2J"})
    a = assess(case)
    assert "<b>X</b>" not in a.to_html() and "&lt;b&gt;X&lt;/b&gt;" in a.to_html()
    assert a.explain().startswith(f"Case {safe_text.plain(case.case_id)}, as of")
    assert "\x1b" not in a.to_markdown()


def test_fragment_reads_after_a_colon() -> None:
    assert fragment("The suspect is aged 18 or over.") == "the suspect is aged 18 or over"
    assert fragment("An SPO in force.") == "an SPO in force"
    assert fragment("Family Law Act 1996 Part IV is in force.") == (
        "Family Law Act 1996 Part IV is in force")
    assert fragment("DVPN/DVPO provisions.") == "DVPN/DVPO provisions"


def test_cli_verbose_shows_rule_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = str(EXAMPLES / "ex_partner.yaml")
    assert main(["assess", case]) == 0
    plain = capsys.readouterr().out
    assert main(["assess", case, "--verbose"]) == 0
    verbose = capsys.readouterr().out
    assert "spo.acts" not in plain and "[spo.acts, acts.associated_with_stalking]" in verbose
    assert plain.splitlines()[0] == verbose.splitlines()[0] == OVERVIEW_STARTS[
        "ex_partner.yaml"][0]


def test_cli_uses_the_titles_of_another_rule_set(capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("case_id: M-1\nassessed_on: 2021-03-01\n", encoding="utf-8")
    assert main(["assess", str(path), "--rules", str(MINI_RULES)]) == 0
    assert "  Test order — " in capsys.readouterr().out
