"""Tests for the ``review`` and ``verify`` commands of spo-advisor."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import MINI_RULES, reviewed_case

from spo_advisor.cli.main import main

REVIEW_KEYS = {"case_id", "timeline", "first_recommended", "actions", "findings",
               "library_version", "ruleset", "as_of", "input_sha256"}


def case_data(case_id: str = "CLI-1", **changes: Any) -> dict[str, Any]:
    return reviewed_case(case_id, **changes)


def write_case(tmp_path: Path, name: str = "case.yaml", **changes: Any) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(case_data(**changes)), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_review_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "review", str(write_case(tmp_path)), "--rules", str(MINI_RULES))
    assert (code, err) == (0, "")
    assert out.startswith("Review of case CLI-1\nAs of 2021-02-20\n")
    assert ("  - An SPO was first indicated on 2021-01-12, 29 days before the recorded decision "
            "not to apply on 2021-02-10.\n") in out
    assert "\nTimeline\n" in out and "\nWhat to find out next\n" in out


def test_review_json_follows_the_contract(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "review", str(write_case(tmp_path)), "--format", "json",
                       "--rules", str(MINI_RULES))
    assert code == 0
    data = json.loads(out)
    assert REVIEW_KEYS <= set(data)
    assert data["first_recommended"] == {"spo": "2021-01-12"}


def test_review_json_lines_of_several_files(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    first = write_case(tmp_path, "a.yaml", case_id="CLI-A")
    second = write_case(tmp_path, "b.yaml", case_id="CLI-B")
    code, out, _ = run(capsys, "review", str(first), str(second), "--format", "jsonl",
                       "--rules", str(MINI_RULES))
    assert code == 0
    assert [json.loads(line)["case_id"] for line in out.splitlines()] == ["CLI-A", "CLI-B"]


def test_review_markdown_and_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(write_case(tmp_path))
    _, markdown, _ = run(capsys, "review", path, "--format", "markdown", "--rules", str(MINI_RULES))
    assert markdown.startswith("# Review of case CLI-1\n")
    assert "\n## Findings\n" in markdown and "\n| Date | Recorded | Decisions |\n" in markdown
    _, html, _ = run(capsys, "review", path, "--format", "html", "--rules", str(MINI_RULES))
    assert html.startswith("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>")
    assert html.endswith("</body></html>\n")
    assert "<title>Review of case CLI-1</title>" in html
    assert html.count("<svg") == 1


def test_review_as_of(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "review", str(write_case(tmp_path)), "--format", "json",
                       "--as-of", "2021-01-10", "--rules", str(MINI_RULES))
    data = json.loads(out)
    assert (code, data["as_of"], [row["date"] for row in data["timeline"]]) == (
        0, "2021-01-10", ["2021-01-05"])


def test_review_bad_files_reported_and_the_rest_reviewed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write_case(tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_text("case_id: CLI-2\nsuspect: {age: SECRET-VALUE}\n", encoding="utf-8")
    missing = tmp_path / "missing.yaml"
    code, out, err = run(capsys, "review", str(bad), str(good), str(missing),
                         "--rules", str(MINI_RULES))
    assert code == 2
    assert err.splitlines() == [
        f"{bad}:2:11: [wrong_type] suspect.age: expected a whole number",
        f"{missing}: [file_not_found] file not found",
    ]
    assert out.startswith("Review of case CLI-1")
    assert "SECRET-VALUE" not in out + err


def test_review_bad_rules_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "review", str(write_case(tmp_path)), "--rules", str(tmp_path))
    assert (code, out) == (2, "")
    assert err == f"{tmp_path / 'ruleset.yaml'}: [missing_header] no ruleset.yaml in the " \
                  "rule-set directory\n"


# ---------------------------------------------------------------------------- verify


def record(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str,
           case: Path) -> Path:
    _, out, _ = run(capsys, command, str(case), "--format", "json", "--rules", str(MINI_RULES))
    path = tmp_path / f"{command}.json"
    path.write_text(out, encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["assess", "review"])
def test_verify_identical(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                          command: str) -> None:
    case = write_case(tmp_path)
    saved = record(tmp_path, capsys, command, case)
    code, out, err = run(capsys, "verify", str(saved), str(case), "--rules", str(MINI_RULES))
    assert (code, err) == (0, "")
    assert out.startswith("Record matches: ")
    assert out.count("\n") == 1


def test_verify_differs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = write_case(tmp_path)
    saved = record(tmp_path, capsys, "review", case)
    data = json.loads(saved.read_text(encoding="utf-8"))
    data["first_recommended"]["spo"] = None
    data["timeline"][1]["decisions"]["spo"] = "not_recommended"
    data["findings"] = data["findings"][:1]
    del data["record_sha256"]
    saved.write_text(json.dumps(data), encoding="utf-8")
    code, out, err = run(capsys, "verify", str(saved), str(case), "--rules", str(MINI_RULES))
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        ("Record differs: 1 decision changed: spo on 2021-01-12 not_recommended → recommended "
         "(and 3 other differences). The record has no digest (an older record): only "
         "re-derived keys are checked."),
        "4 differences (old → new):",
        '  timeline[date=2021-01-12].decisions.spo: "not_recommended" → "recommended"',
        '  first_recommended.spo: null → "2021-01-12"',
        '  findings[1]: (absent) → "No SPO application is recorded although an SPO was first i…',
        '  findings[2]: (absent) → "1 of 1 recorded reason cannot be judged on what is recorde…',
    ]


def test_verify_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = write_case(tmp_path)
    bad_record = tmp_path / "record.json"
    bad_record.write_text("{}", encoding="utf-8")
    code, out, err = run(capsys, "verify", str(bad_record), str(case))
    assert (code, out) == (2, "")
    assert err == (f"{bad_record}: [not_a_record] not a decision record (expected the JSON of "
                   "an assessment or a review)\n")
    saved = record(tmp_path, capsys, "review", case)
    missing = tmp_path / "missing.yaml"
    code, out, err = run(capsys, "verify", str(saved), str(missing))
    assert (code, out, err) == (2, "", f"{missing}: [file_not_found] file not found\n")


def test_review_out_writes_the_report_atomically(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    case = write_case(tmp_path)
    report = tmp_path / "report.html"
    code, out, err = run(capsys, "review", str(case), "--format", "html", "--out", str(report),
                         "--rules", str(MINI_RULES))
    assert (code, out, err) == (0, "", "")
    page = report.read_text(encoding="utf-8")
    assert "<title>Review of case CLI-1</title>" in page and page.endswith("</html>\n")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    code, _, err = run(capsys, "review", str(case), "--out", str(case), "--rules", str(MINI_RULES))
    assert code == 2 and "must not be an input" in err
