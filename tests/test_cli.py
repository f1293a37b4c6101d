"""The command line: formats, standard input, and every class of bad input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINI_RULES

from spo_advisor.cli.main import main

SECRET = "Zanzibar-Quill-7731"
GOOD = """case_id: CLI-1
assessed_on: 2021-03-01
incidents:
  - date: 2021-02-01
    behaviours: [following]
    violence: true
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([*args])
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_assess_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "assess", write(tmp_path, "c.yaml", GOOD), "--rules", str(MINI_RULES))
    assert code == 0 and err == ""
    assert out.startswith("Case CLI-1, as of 2021-03-01. Risk: high.\n"
                          "  Test order — recommended: all 3 limbs met\n")


def test_assess_json_from_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(GOOD.encode())))
    code, out, _ = run(capsys, "assess", "-", "--format", "json", "--rules", str(MINI_RULES))
    assert code == 0
    data = json.loads(out)
    assert data["case_id"] == "CLI-1"
    assert data["recommendations"][0]["decision"] == "recommended"


def test_assess_as_of_and_markdown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "c.yaml", GOOD)
    code, out, _ = run(capsys, "assess", path, "--as-of", "2019-12-31", "--format", "markdown",
                       "--rules", str(MINI_RULES))
    assert code == 0
    assert "- Test order — not available: not met: the law is in force\n" in out


@pytest.mark.parametrize("command", ["assess", "review"])
def test_several_files_as_json_are_refused_with_a_hint(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    path = write(tmp_path, "c.yaml", GOOD)
    code, out, err = run(capsys, command, path, path, "--format", "json", "--rules", str(MINI_RULES))
    assert (code, out) == (2, "")
    assert err == ("error: --format json prints one case, and 2 files were given; "
                   "use --format jsonl for one JSON object a line\n")


def test_several_files_as_json_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "c.yaml", GOOD)
    code, out, _ = run(capsys, "assess", path, path, "--format", "jsonl", "--rules", str(MINI_RULES))
    assert code == 0
    assert [json.loads(line)["case_id"] for line in out.splitlines()] == ["CLI-1", "CLI-1"]


BAD_INPUTS = {
    "unknown field": ("case_id: X\nvictim:\n  very_frigthened: true\n",
                      ("c.yaml:3:3: [unknown_field] victim.very_frigthened: unknown field; "
                       "did you mean 'very_frightened'?")),
    "bad enum": ("case_id: X\nincidents:\n  - date: 2021-01-01\n    behaviours: [folowing]\n",
                 "[invalid_choice] incidents.0.behaviours.0: not one of the allowed values"),
    "bad date": ("case_id: X\nincidents:\n  - date: 2021-02-30\n",
                 "c.yaml:3:5: [invalid_date] incidents.0.date: not a valid date (expected YYYY-MM-DD)"),
    "age": ("case_id: X\nsuspect: {age: 121}\n",
            "[out_of_range] suspect.age: must be between 0 and 120"),
    "python tag": ("case_id: !!python/object/apply:os.system ['echo hi']\n", "[unsupported_tag]"),
    "not a mapping": ("- 1\n- 2\n", "[wrong_type]"),
    "malformed": ("case_id: [X\n", "[invalid_yaml]"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_exits_2_with_located_problems_and_no_echo(
        name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text, expected = BAD_INPUTS[name]
    if text.startswith("case_id: X"):  # sensitive free text that must never be echoed
        text += f"actions:\n  - {{date: 2021-01-01, action: no_action, note: {SECRET}}}\n"
    path = write(tmp_path, "c.yaml", text)
    code, out, err = run(capsys, "assess", path, "--rules", str(MINI_RULES))
    assert code == 2
    assert out.strip() == ""
    assert (expected.replace("c.yaml", path) if expected.startswith("c.yaml") else expected) in err
    assert "Traceback" not in err and SECRET not in err
    assert all(line.startswith(path) for line in err.strip().splitlines())


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "assess", str(tmp_path / "nope.yaml"), "--rules", str(MINI_RULES))
    assert code == 2 and "[file_not_found]" in err


def test_good_files_are_still_assessed_beside_a_bad_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path, "good.yaml", GOOD)
    bad = write(tmp_path, "bad.yaml", "case_id: X\nsuspect: {age: -1}\n")
    code, out, err = run(capsys, "assess", bad, good, "--rules", str(MINI_RULES))
    assert code == 2
    assert "Case CLI-1" in out and "suspect.age" in err


def test_bad_as_of_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["assess", write(tmp_path, "c.yaml", GOOD), "--as-of", "2021-13-01"])
    assert caught.value.code == 2
    assert "not a valid date (expected YYYY-MM-DD)" in capsys.readouterr().err


def test_schema_is_json_schema_of_the_case(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema")
    schema = json.loads(out)
    assert code == 0 and "case_id" in schema["required"]
    assert schema["additionalProperties"] is False


def test_rules_check_clean_and_broken(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "rules", "check", str(MINI_RULES))[0] == 0
    broken = tmp_path / "broken"
    broken.mkdir()
    for item in MINI_RULES.iterdir():
        (broken / item.name).write_text(item.read_text().replace("victim.very_frightened",
                                                                 "victim.very_frighten"))
    code, out, _ = run(capsys, "rules", "check", str(broken))
    assert code == 1
    assert ("[unknown_field] At Rule(id=risk.medium) > when: unknown case field "
            "'victim.very_frighten'; did you mean 'victim.very_frightened'?") in out


def test_console_script_runs_without_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, "c.yaml", "case_id: X\nsuspect: {age: 999}\n")
    done = subprocess.run([sys.executable, "-m", "spo_advisor.cli.main", "assess", path],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "suspect.age" in done.stderr
