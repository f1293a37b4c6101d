"""Nothing lost: one ``--out`` for every command, written atomically; the input never
overwritten; a write failure, a closed pipe or Ctrl-C end with one line (or none) and
the exit code of the contract, never a traceback; standard input is bounded."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import MINI_RULES, ROOT

from spo_advisor.cli import common as cli_common
from spo_advisor.cli.main import main
from spo_advisor.cli.output import OutputError, open_output

EXAMPLE = ROOT / "examples" / "cases" / "ex_partner.yaml"
SPO_ADVISOR = [sys.executable, "-m", "spo_advisor.cli.main"]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def commands(case: Path, jsonl: Path) -> dict[str, list[str]]:
    """Every command that writes output, on inputs in the test's directory."""
    return {"assess": ["assess", str(case)], "review": ["review", str(case)],
            "batch": ["batch", str(jsonl)], "rules docs": ["rules", "docs", str(MINI_RULES)],
            "schema": ["schema"]}


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    case = tmp_path / "case.yaml"
    case.write_bytes(EXAMPLE.read_bytes())
    jsonl = tmp_path / "cases.jsonl"
    jsonl.write_text(json.dumps({"case_id": "J-1"}) + "\n", encoding="utf-8")
    return case, jsonl


@pytest.mark.parametrize("name", ["assess", "review", "rules docs", "schema"])
def test_every_command_writes_its_output_to_out(tmp_path: Path, inputs: tuple[Path, Path],
                                                name: str) -> None:
    argv = commands(*inputs)[name]
    code, printed, _ = run(*argv)
    target = tmp_path / "out.txt"
    assert run(*argv, "--out", str(target)) == (code, "", "")
    assert target.read_text(encoding="utf-8") == printed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.yaml", "cases.jsonl", "out.txt"]


@pytest.mark.parametrize("name", ["assess", "review", "batch"])
def test_an_output_that_is_an_input_is_refused_and_the_input_kept(
        inputs: tuple[Path, Path], name: str) -> None:
    argv = commands(*inputs)[name]
    source = Path(argv[1])
    before = source.read_bytes()
    code, _, err = run(*argv, "--out", str(source))
    assert (code, err) == (2, f"error: {source}: the output must not be an input of the command\n")
    assert source.read_bytes() == before


def test_rules_docs_refuses_to_write_into_its_own_rule_set(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    for path in MINI_RULES.iterdir():
        if path.is_file():
            (rules / path.name).write_bytes(path.read_bytes())
    target = rules / "ruleset.yaml"
    before = target.read_bytes()
    code, _, err = run("rules", "docs", str(rules), "--out", str(target))
    assert code == 2 and "the output must not be an input" in err
    assert target.read_bytes() == before


@pytest.mark.parametrize("name", ["assess", "review", "batch", "rules docs", "schema"])
def test_a_full_disc_is_one_line_and_exit_3(inputs: tuple[Path, Path], name: str) -> None:
    code, _, err = run(*commands(*inputs)[name], "--out", "/dev/full")
    assert (code, err) == (3, "error: cannot write /dev/full: No space left on device\n")


def test_a_failure_part_way_leaves_the_old_file_whole_and_no_temporary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.txt"
    target.write_text("the previous, complete output\n", encoding="utf-8")

    def interrupted(*args: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_common, "render", interrupted)
    assert run("assess", str(EXAMPLE), "--out", str(target)) == (130, "", "interrupted\n")
    assert target.read_text(encoding="utf-8") == "the previous, complete output\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_a_write_failure_part_way_is_an_output_error_and_nothing_is_put_in_place(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.fsync", full)
    target = tmp_path / "out.txt"
    with (pytest.raises(OutputError, match="^cannot write .*out.txt: No space left on device$"),
          open_output(str(target)) as out):
        out.write("a partial line")
    assert list(tmp_path.iterdir()) == []


def test_the_replaced_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    with open_output(str(target)) as out:
        out.write("new")
    assert target.read_text(encoding="utf-8") == "new"
    assert target.stat().st_mode & 0o777 == 0o640


def test_standard_output_closed_early_ends_quietly() -> None:
    process = subprocess.Popen([*SPO_ADVISOR, "rules", "docs"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # as `| head` does
    assert (process.wait(timeout=60), process.stderr.read()) == (3, b"")


def test_standard_output_on_a_full_disc_is_one_line_and_exit_3() -> None:
    with open("/dev/full", "wb") as full:
        done = subprocess.run([*SPO_ADVISOR, "schema"], stdout=full, stderr=subprocess.PIPE,
                              check=False, timeout=60)
    assert (done.returncode, done.stderr) == (
        3, b"error: cannot write standard output: No space left on device\n")


def test_standard_input_is_limited_to_5_mib_in_bounded_time() -> None:
    with open("/dev/zero", "rb") as zero:
        done = subprocess.run([*SPO_ADVISOR, "assess", "-"], stdin=zero, capture_output=True,
                              check=False, timeout=30)
    assert (done.returncode, done.stderr) == (2, b"<stdin>: [too_large] larger than 5 MB\n")


def test_an_endless_batch_line_is_refused_in_bounded_time(tmp_path: Path) -> None:
    with open("/dev/zero", "rb") as zero:
        done = subprocess.run([*SPO_ADVISOR, "batch", "-", "--out", str(tmp_path / "o.jsonl")],
                              stdin=zero, capture_output=True, check=False, timeout=60)
    assert done.returncode == 1
    assert done.stderr.decode().startswith("<stdin>:1:1: [too_large] line longer than 5,242,880")
    assert b"the input is not read further" in done.stderr


@pytest.mark.parametrize("raise_it", [
    lambda: (_ for _ in ()).throw(KeyboardInterrupt),
    lambda: (_ for _ in ()).throw(PermissionError(13, "Permission denied", "/some/file")),
])
def test_interrupts_and_os_errors_end_without_a_traceback(
        monkeypatch: pytest.MonkeyPatch, raise_it: Callable[[], None]) -> None:
    monkeypatch.setattr(cli_common, "load_rules", lambda *args: raise_it())
    code, _, err = run("assess", str(EXAMPLE))
    assert (code, err) in ((130, "interrupted\n"),
                           (3, "error: cannot use /some/file: Permission denied\n"))


def test_an_output_through_a_symbolic_link_replaces_the_file_and_keeps_the_link(
        tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_text("old", encoding="utf-8")
    (tmp_path / "link.txt").symlink_to("real.txt")
    with open_output(str(tmp_path / "link.txt")) as out:
        out.write("new")
    assert (tmp_path / "link.txt").is_symlink()
    assert (tmp_path / "real.txt").read_text(encoding="utf-8") == "new"
