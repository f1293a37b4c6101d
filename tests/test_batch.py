"""assess_many and ``spo-advisor batch``: order, laziness, bad lines, summary, exit codes."""

from __future__ import annotations

import io
import itertools
import json
import multiprocessing
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import MINI_RULES, ROOT, incident

from spo_advisor.advice.assess import assess
from spo_advisor.cli import batch
from spo_advisor.cli.main import main
from spo_advisor.language.rules import RuleSet
from spo_advisor.model.case_reading import MAX_BYTES
from spo_advisor.model.errors import CaseError, RuleSetError
from spo_advisor.model.result import Assessment

SECRET = "Zanzibar-Quill-7731"
BOUND_2_JOBS = 2 * 2 * batch.CHUNKSIZE  # cases in flight at most with --jobs 2


def case(number: int, **fields: Any) -> dict[str, Any]:
    """A valid case whose SPO decision varies with ``number`` (recommended/consider/not)."""
    incidents = [incident("2021-02-01", "following", violence=True),
                 incident("2021-02-01", "following"), incident("2021-02-01", "contact")]
    return {"case_id": f"B-{number}", "assessed_on": "2021-03-01",
            "incidents": [incidents[number % 3]], **fields}


def bad_case(number: int) -> dict[str, Any]:
    return {"case_id": f"B-{number}", "suspect": {"age": SECRET}}


def mixed(count: int) -> list[dict[str, Any]]:
    """Cases with a bad one every seventh."""
    return [bad_case(n) if n % 7 == 3 else case(n) for n in range(count)]


def outcome_json(outcome: Assessment | CaseError) -> Any:
    if isinstance(outcome, CaseError):
        return [str(problem) for problem in outcome.problems]
    return outcome.model_dump(mode="json")


class Counted:
    """An iterable that counts the items taken from it (possibly endless)."""

    def __init__(self, items: Iterator[Any]) -> None:
        self.items, self.taken = items, 0

    def __iter__(self) -> Iterator[Any]:
        for item in self.items:
            self.taken += 1
            yield item


# -------------------------------------------------------------------------------- assess_many


def test_assess_many_gives_one_result_per_case_in_order(mini_rules: RuleSet) -> None:
    cases = mixed(10)
    results = list(batch.assess_many(cases, rules=mini_rules))
    assert [type(r).__name__ for r in results] == [
        "CaseError" if n % 7 == 3 else "Assessment" for n in range(10)]
    for given, result in zip(cases, results, strict=True):
        if isinstance(result, CaseError):
            assert [str(p) for p in result.problems] == [
                "[wrong_type] suspect.age: expected a whole number"]
        else:
            assert result == assess(given, rules=mini_rules)


def test_assess_many_as_of_and_rules_directory() -> None:
    result = next(batch.assess_many([case(0)], as_of=date(2019, 12, 31), rules=MINI_RULES))
    assert isinstance(result, Assessment)
    assert result.as_of == date(2019, 12, 31)
    assert result.decisions() == {"spo": "not_available"}


def test_assess_many_reads_lazily_one_case_per_result(mini_rules: RuleSet) -> None:
    source = Counted(case(n) for n in itertools.count())
    results = batch.assess_many(source, rules=mini_rules)
    assert source.taken == 0
    first = list(itertools.islice(results, 5))
    assert source.taken == 5
    assert [r.case_id for r in first if isinstance(r, Assessment)] == [f"B-{n}" for n in range(5)]


def test_assess_many_in_two_processes_reads_a_bounded_way_ahead(mini_rules: RuleSet) -> None:
    source = Counted(case(n) for n in itertools.count())
    results = batch.assess_many(source, rules=mini_rules, jobs=2)
    taken_ahead = []
    for number, result in enumerate(itertools.islice(results, 200)):
        assert isinstance(result, Assessment) and result.case_id == f"B-{number}"
        taken_ahead.append(source.taken - number)
    results.close()
    assert max(taken_ahead) <= BOUND_2_JOBS + 1
    assert source.taken <= 200 + BOUND_2_JOBS
    assert multiprocessing.active_children() == []  # closing stopped the workers


def test_assess_many_two_processes_give_the_same_results_as_one(mini_rules: RuleSet) -> None:
    cases = mixed(120)
    one = [outcome_json(r) for r in batch.assess_many(cases, rules=mini_rules)]
    two = [outcome_json(r) for r in batch.assess_many(cases, rules=mini_rules, jobs=2)]
    assert one == two
    assert len(one) == 120


def test_assess_many_checks_its_arguments_when_called() -> None:
    with pytest.raises(ValueError, match="^jobs must be at least 1$"):
        batch.assess_many([], jobs=0)
    with pytest.raises(RuleSetError):
        batch.assess_many([], rules=MINI_RULES / "no-such-directory")


def test_a_worker_refuses_a_rule_set_changed_since_the_batch_began(
        mini_rules: RuleSet, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(signal, "signal", lambda *args: None)  # keep Ctrl-C here
    monkeypatch.setattr(batch, "_worker", None)
    batch._start_worker(batch._assess_item, str(MINI_RULES), mini_rules.sha256, None)
    assert isinstance(batch._work(case(0)), Assessment)
    for directory, sha256 in ((str(MINI_RULES), "0" * 64), (str(MINI_RULES / "gone"), "")):
        batch._start_worker(batch._assess_item, directory, sha256, None)
        with pytest.raises(RuleSetError) as caught:
            batch._work(case(0))
        assert str(caught.value) == (
            "[rules_changed] the rule set changed while the cases were assessed")


def test_an_error_in_the_input_reaches_the_caller_after_the_results_before_it(
        mini_rules: RuleSet) -> None:
    def failing() -> Iterator[dict[str, Any]]:
        yield case(0)
        raise OSError("input lost")

    for jobs in (1, 2):
        results = batch.assess_many(failing(), rules=mini_rules, jobs=jobs)
        assert isinstance(next(results), Assessment)
        with pytest.raises(OSError, match="input lost"):
            next(results)


# ------------------------------------------------------------------------------ the command


def write_lines(path: Path, lines: list[str]) -> str:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["batch", *args, "--rules", str(MINI_RULES)])
    out, err = capsys.readouterr()
    return code, out, err


def read_results(path: Path) -> list[Any]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_batch_writes_each_assessment_in_input_order(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], mini_rules: RuleSet) -> None:
    cases = [case(n) for n in range(6)]
    source = write_lines(tmp_path / "cases.jsonl", [json.dumps(c) for c in cases])
    code, out, err = run(capsys, source, "--out", str(tmp_path / "out.jsonl"))
    assert code == 0
    assert err == ""  # not a terminal: no progress bar
    assert read_results(tmp_path / "out.jsonl") == [
        assess(c, rules=mini_rules).model_dump(mode="json") for c in cases]
    assert out.startswith("6 case lines: 6 assessed, 0 bad\n")


def test_bad_lines_are_reported_by_number_and_skipped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_bytes(b"\n".join([
        json.dumps(case(0)).encode(),
        b'{"case_id": "' + SECRET.encode() + b'", ',  # 2: not JSON
        b"",  # 3: blank, skipped
        b'["' + SECRET.encode() + b'"]',  # 4: not an object
        json.dumps(bad_case(5)).encode(),  # 5: not a valid case
        b'{"case_id": "X", "victim": {"very_frightened": "yes"}, "note": "' + SECRET.encode()
        + b'"}',  # 6: two problems
        b'{"case_id": "\xff"}',  # 7: not UTF-8
        json.dumps(case(8)).encode(),
    ]) + b"\n")
    code, out, err = run(capsys, str(path), "--out", str(tmp_path / "out.jsonl"))
    assert code == 1
    assert err.splitlines() == [
        (f"{path}:2:{len(SECRET) + 17}: [invalid_json] not valid JSON: Expecting property name "
         "enclosed in double quotes"),
        f"{path}:4:1: [wrong_type] expected a mapping",
        f"{path}:5:1: [wrong_type] suspect.age: expected a whole number (case B-5)",
        f"{path}:6:1: [wrong_type] victim.very_frightened: expected true, false or null (case X)",
        f"{path}:6:1: [unknown_field] note: unknown field (case X)",
        f"{path}:7:1: [unreadable] not UTF-8 text",
    ]
    results = read_results(tmp_path / "out.jsonl")
    assert [r.get("line", r.get("case_id")) for r in results] == ["B-0", 2, 4, 5, 6, 7, "B-8"]
    assert results[3] == {"line": 5, "case_id": "B-5", "error": {"problems": [
        {"code": "wrong_type", "message": "expected a whole number", "location": "suspect.age",
         "file": str(path), "line": 5, "column": None, "suggestion": None}]}}
    assert out.startswith("7 case lines: 2 assessed, 5 bad\n")
    everything = out + err + (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    assert SECRET not in everything and "Traceback" not in everything


def test_summary_counts_each_decision_of_each_order(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_lines(tmp_path / "cases.jsonl", [json.dumps(c) for c in mixed(9)])
    code, out, _ = run(capsys, source, "--out", str(tmp_path / "out.jsonl"))
    assert code == 1
    # cases 0, 6: recommended; 1, 4, 7: consider; 2, 5, 8: not recommended; 3: bad
    assert out == (
        "9 case lines: 8 assessed, 1 bad\n"
        "\n"
        "order  recommended  consider  not_recommended  not_available\n"
        "spo              2         3                3              0\n"
        "\n"
        "missed opportunities: 0 (an SPO recommended on or before a recorded decision not to "
        "apply for one)\n"
        "\n"
        "reasons recorded for not applying that are not legal bars: 0\n")


def test_missed_opportunities_are_listed_by_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], mini_rules: RuleSet) -> None:
    def acted(number: int, action: str, day: str) -> dict[str, Any]:
        return case(number, actions=[{"date": day, "action": action}])

    cases = [
        acted(0, "no_action", "2021-02-10"),  # SPO recommended on 2021-02-01: missed
        acted(3, "spo_considered_not_applied", "2021-02-01"),  # the same day: missed
        acted(6, "spo_considered_not_applied", "2021-01-15"),  # before it was recommended
        acted(9, "spo_applied", "2021-02-10"),  # applied for
        acted(1, "no_action", "2021-02-10"),  # only "consider"
        acted(12, "no_action", "2021-03-02"),  # after the assessment date: not yet known
    ]
    source = write_lines(tmp_path / "cases.jsonl", [json.dumps(c) for c in cases])
    code, out, _ = run(capsys, source, "--out", str(tmp_path / "out.jsonl"))
    assert code == 0
    # the mini rule set has no label table: actions read as their codes in words
    assert out.endswith(
        "missed opportunities: 2 (an SPO recommended on or before a recorded decision not to "
        "apply for one)\n"
        "  line 1, case B-0: SPO first recommended on 2021-02-01; no action on 2021-02-10\n"
        "  line 2, case B-3: SPO first recommended on 2021-02-01; spo considered not applied "
        "on 2021-02-01\n"
        "\n"
        "reasons recorded for not applying that are not legal bars: 0\n")
    assert read_results(tmp_path / "out.jsonl") == [
        assess(c, rules=mini_rules).model_dump(mode="json") for c in cases]


def test_as_of_applies_to_every_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_lines(tmp_path / "cases.jsonl", [json.dumps(case(n)) for n in range(3)])
    code, out, _ = run(capsys, source, "--out", str(tmp_path / "out.jsonl"),
                       "--as-of", "2019-12-31")
    assert code == 0
    assert {r["as_of"] for r in read_results(tmp_path / "out.jsonl")} == {"2019-12-31"}
    assert "spo              0         0                0              3\n" in out


def test_two_jobs_write_the_same_results_as_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reviewed = [case(n, actions=[{"date": "2021-02-10", "action": "no_action"}]) for n in range(9)]
    source = write_lines(tmp_path / "cases.jsonl",
                         [json.dumps(c) for c in mixed(150) + reviewed] + ["not json"])
    one = run(capsys, source, "--out", str(tmp_path / "one.jsonl"))
    two = run(capsys, source, "--out", str(tmp_path / "two.jsonl"), "--jobs", "2")
    assert one == two
    assert one[0] == 1
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()
    assert len(read_results(tmp_path / "one.jsonl")) == 160
    assert "missed opportunities: 3 " in one[1]


@pytest.mark.parametrize("jobs", [1, 2])
def test_batch_streams_its_input(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    """Lines are read only a bounded way ahead of the results written."""
    source = write_lines(tmp_path / "cases.jsonl", [json.dumps(case(n)) for n in range(300)])
    read_ahead: list[int] = []
    lines_read = 0
    real_read, real_add = batch._read_lines, batch.Summary.add

    def counting_read(handle: Any) -> Iterator[Any]:
        nonlocal lines_read
        for line in real_read(handle):
            lines_read += 1
            yield line

    def recording_add(summary: batch.Summary, result: Any) -> None:
        real_add(summary, result)
        read_ahead.append(lines_read - summary.lines)

    monkeypatch.setattr(batch, "_read_lines", counting_read)
    monkeypatch.setattr(batch.Summary, "add", recording_add)
    code, _, _ = run(capsys, source, "--out", str(tmp_path / "out.jsonl"), "--jobs", str(jobs))
    assert code == 0 and len(read_ahead) == 300
    assert max(read_ahead) <= (0 if jobs == 1 else BOUND_2_JOBS)


def test_an_overlong_line_is_refused_without_losing_the_next(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_bytes(b'{"case_id": "' + b"x" * (MAX_BYTES + 10) + b'"}\n'
                     + json.dumps(case(0)).encode() + b"\n")
    code, _, err = run(capsys, str(path), "--out", str(tmp_path / "out.jsonl"))
    assert code == 1
    assert err == f"{path}:1:1: [too_large] line longer than 5,242,880 bytes\n"
    assert [r.get("case_id") for r in read_results(tmp_path / "out.jsonl")] == [None, "B-0"]


def test_standard_input(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                        monkeypatch: pytest.MonkeyPatch) -> None:
    text = json.dumps(case(0)) + "\nnot json\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    code, _, err = run(capsys, "-", "--out", str(tmp_path / "out.jsonl"))
    assert code == 1
    assert err == "<stdin>:2:1: [invalid_json] not valid JSON: Expecting value\n"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    good = json.dumps(case(0))
    source = write_lines(tmp_path / "cases.jsonl", ["[]".ljust(len(good)), good])
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(batch.Progress, "INTERVAL", 3600.0)  # draw only once
    code, out, _ = run(capsys, source, "--out", str(tmp_path / "out.jsonl"))
    assert code == 1 and out.startswith("2 case lines")
    assert terminal.getvalue() == (
        f"{source}:1:1: [wrong_type] expected a mapping\n"
        f"\r[{'#' * 12}{'.' * 12}]  50%  1 done, 1 bad\x1b[K"  # the first line is half the file
        "\r\x1b[K")  # the bar is cleared before the summary


def test_no_progress_bar_when_piped(tmp_path: Path) -> None:
    source = write_lines(tmp_path / "cases.jsonl", [json.dumps(case(n)) for n in range(3)])
    done = subprocess.run(
        [sys.executable, "-m", "spo_advisor.cli.main", "batch", source, "--out",
         str(tmp_path / "out.jsonl"), "--rules", str(MINI_RULES)],
        capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert done.stderr == ""
    assert done.stdout.startswith("3 case lines: 3 assessed, 0 bad\n")


def test_missing_input_exits_2_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(tmp_path / "nope.jsonl")
    code, out, err = run(capsys, missing, "--out", str(tmp_path / "out.jsonl"))
    assert (code, out, err) == (2, "", f"{missing}: [file_not_found] file not found\n")
    assert not (tmp_path / "out.jsonl").exists()


def test_output_must_not_replace_the_input(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_lines(tmp_path / "cases.jsonl", [json.dumps(case(0))])
    before = Path(source).read_bytes()
    code, _, err = run(capsys, source, "--out", source)
    assert (code, err) == (2, f"error: {source}: the output must not be an input of the command\n")
    assert Path(source).read_bytes() == before


def test_unwritable_output_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_lines(tmp_path / "cases.jsonl", [json.dumps(case(0))])
    out_path = str(tmp_path / "no-such-directory" / "out.jsonl")
    code, _, err = run(capsys, source, "--out", out_path)
    assert (code, err) == (3, f"error: cannot write {out_path}: No such file or directory\n")


@pytest.mark.parametrize("jobs", ["0", "two"])
def test_jobs_must_be_a_positive_whole_number(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], jobs: str) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["batch", "cases.jsonl", "--out", str(tmp_path / "o"), "--jobs", jobs])
    assert caught.value.code == 2
    assert "argument --jobs: must be a whole number, at least 1" in capsys.readouterr().err


def test_help_documents_the_output_the_summary_and_the_exit_status(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["batch", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert '{"line": N, "case_id": ID or null, "error": {"problems":' in text
    assert "a summary goes to standard output" in text
    assert "A progress bar is drawn on standard error when it is a terminal" in text
    assert "exit status: 0 every line was a valid case; 1 a line was bad" in text


def test_the_example_batch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """examples/batch/cases.jsonl: realistic cases, one deliberately bad line (line 5)."""
    source = ROOT / "examples" / "batch" / "cases.jsonl"
    code = main(["batch", str(source), "--out", str(tmp_path / "out.jsonl")])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.splitlines() == [
        (f"{source}:5:1: [wrong_type] victim.very_frightened: expected true, false or null "
         "(case NWP-2025-090)"),
        (f"{source}:5:1: [invalid_date] incidents.0.date: not a valid date (expected YYYY-MM-DD) "
         "(case NWP-2025-090)")]
    assert out.startswith("9 case lines: 8 assessed, 1 bad\n")
    assert ("  line 1, case EX-2021-001: SPO first recommended on 2021-01-05; "
            "SPO considered, not applied on 2021-02-01\n") in out
    # the summary ends with the reasons most often recorded that are not legal bars
    reasons = out.split("reasons recorded for not applying that are not legal bars: ")[1]
    total, *listed = reasons.splitlines()
    assert int(total) >= len(listed) > 0
    assert "  1 × the victim does not support a prosecution" in listed
