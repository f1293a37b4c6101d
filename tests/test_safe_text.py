"""Output that cannot be forged: control characters, terminal escapes and newlines in a
case id (or any echoed string) are escaped in every text and Markdown rendering, and
Markdown's special characters are escaped in Markdown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import MINI_RULES, incident

from spo_advisor import assess, review
from spo_advisor.cli.main import main
from spo_advisor.model.errors import Problem
from spo_advisor.model.safe_text import markdown, plain

FORGED = "X\x1b[2J\nline 2, case OK: nothing missed\u202e\x9b"
ESCAPED = "X\\x1b[2J\\x0aline 2, case OK: nothing missed\\u202e\\x9b"
CONTROLS = ("\x1b", "\x9b", "\u202e")


def forged_case(**fields: Any) -> dict[str, Any]:
    return {"case_id": FORGED, "assessed_on": "2021-03-01",
            "incidents": [incident("2021-02-01", "following", violence=True)], **fields}


def test_plain_escapes_control_and_format_characters_and_keeps_the_rest() -> None:
    assert plain(FORGED) == ESCAPED
    assert plain("CLE-21-0042 café") == "CLE-21-0042 café"


def test_markdown_escapes_formatting_links_and_html() -> None:
    assert markdown("a*b_c|d [x](y) <b> `c` #1") == (
        "a\\*b\\_c\\|d \\[x\\]\\(y\\) \\<b\\> \\`c\\` \\#1")
    assert markdown("\n") == "\\\\x0a"


@pytest.mark.parametrize("render", ["explain", "to_markdown"])
def test_assessment_and_review_renderings_escape_the_case_id(render: str) -> None:
    for report in (assess(forged_case(), rules=MINI_RULES), review(forged_case(), rules=MINI_RULES)):
        text = getattr(report, render)()
        assert not any(c in text for c in CONTROLS)
        assert "\nline 2" not in text


def test_the_batch_summary_and_its_notes_escape_the_case_id(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = forged_case(actions=[{"date": "2021-02-10", "action": "no_action"}])
    bad = {"case_id": FORGED, "suspect": {"age": "old"}}
    source = tmp_path / "cases.jsonl"
    source.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    main(["batch", str(source), "--out", str(tmp_path / "out.jsonl"), "--rules", str(MINI_RULES)])
    out, err = capsys.readouterr()
    assert not any(c in out + err for c in CONTROLS)
    assert f"  line 1, case {ESCAPED}: SPO first recommended" in out
    assert err == (f"{source}:2:1: [wrong_type] suspect.age: expected a whole number "
                   f"(case {ESCAPED})\n")


def test_a_problem_escapes_a_file_name() -> None:
    assert str(Problem("x", "m", file="a\x1b]0;b\x07.yaml")) == "a\\x1b]0;b\\x07.yaml: [x] m"
