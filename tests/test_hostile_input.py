"""Hostile files: refused with a clear problem, in bounded memory, with nothing run.

Rule files (read by :mod:`spo_advisor.model.yamlio` through :func:`spo_advisor.language.rules.load_ruleset`)
and case files (read by :mod:`spo_advisor.model.case`), through the library and the command
line: Python tags, "billion laughs" aliases, 50 MB strings, deep nesting, huge numbers.
Memory is the peak of Python's allocations while the file is refused. Time is bounded by
:func:`no_hang`, which stops a call after far longer than any file should take.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import signal
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from conftest import MINI_RULES

from spo_advisor.cli.main import main
from spo_advisor.language.rules import load_ruleset
from spo_advisor.model.case_reading import MAX_BYTES, load_case
from spo_advisor.model.errors import CaseError, Problem, RuleSetError

MB = 1_000_000
BIG = 50 * MB
LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{b}: &{b} [*{a}, *{a}, *{a}, *{a}, *{a}, *{a}, *{a}, *{a}, *{a}]\n"
    for a, b in zip("abcdefgh", "bcdefghi", strict=True))


HANG = 30
"""Seconds: far beyond anything one file or case takes; only a hang takes this long."""


class Hang(Exception):
    """A call ran for :data:`HANG` seconds."""


@contextlib.contextmanager
def no_hang(seconds: float = HANG) -> Iterator[None]:
    """Raise :class:`Hang` in the block after ``seconds`` (main thread, POSIX)."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise Hang

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except Hang:  # raised afresh: the interrupted frames may not be printable
        raise Hang from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def peak_mb(function: Callable[[], Any]) -> float:
    """The peak of Python's allocations, in MB, while ``function`` runs."""
    tracemalloc.start()
    try:
        function()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak / MB


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


# ---------------------------------------------------------------- rule files


def rule_dir(tmp_path: Path, text: str) -> Path:
    """The mini rules with one more rule file, ``evil.yaml``."""
    directory = tmp_path / "rules"
    shutil.copytree(MINI_RULES, directory)
    (directory / "evil.yaml").write_text(text, encoding="utf-8")
    return directory


def refused_rules(directory: Path) -> list[Problem]:
    with pytest.raises(RuleSetError) as raised:
        load_ruleset(directory)
    return raised.value.problems


@pytest.mark.parametrize(("text", "where", "message"), [
    ('rules: !!python/object/apply:os.system ["touch {marker}"]\n', "1:8",
     "[unsafe_yaml] tags are not allowed on mappings or lists"),
    ("rules:\n  - !!python/object/new:os.system [touch {marker}]\n", "2:5",
     "[unsafe_yaml] tags are not allowed on mappings or lists"),
    ('rules: [{{id: !!python/name:os.system "x"}}]\n', "1:14",
     ("[unsafe_yaml] could not determine a constructor for the tag "
      "'tag:yaml.org,2002:python/name:os.system'")),
])
def test_python_tags_in_a_rule_file_are_refused_and_nothing_runs(
        tmp_path: Path, text: str, where: str, message: str) -> None:
    marker = tmp_path / "ran"
    directory = rule_dir(tmp_path, text.format(marker=marker))
    problems = refused_rules(directory)
    assert [str(p) for p in problems] == [f"{directory / 'evil.yaml'}:{where}: {message}"]
    code, _, err = run_cli("rules", "check", str(directory))
    assert code == 1 and "Traceback" not in err
    assert not marker.exists()


def test_billion_laughs_in_a_rule_file_is_refused_in_little_memory(tmp_path: Path) -> None:
    directory = rule_dir(tmp_path, LAUGHS)
    problems: list[Problem] = []
    assert peak_mb(lambda: problems.extend(refused_rules(directory))) < 5
    assert [(p.code, p.message, p.line) for p in problems] == [
        ("alias_refused", "YAML aliases are not allowed", 2)]


def test_a_50_mb_rule_file_is_refused(tmp_path: Path) -> None:
    directory = rule_dir(tmp_path, 'rules: []\nnote: "' + "x" * BIG + '"\n')
    assert [(p.code, p.message) for p in refused_rules(directory)] == [
        ("too_large", "file is larger than 2000000 bytes")]


def test_a_50_mb_rule_file_is_refused_in_little_memory(tmp_path: Path) -> None:
    directory = rule_dir(tmp_path, 'rules: []\nnote: "' + "x" * BIG + '"\n')
    assert peak_mb(lambda: refused_rules(directory)) < 10


def test_a_deeply_nested_rule_file_is_refused(tmp_path: Path) -> None:
    directory = rule_dir(tmp_path, "rules: " + "[" * 1000 + "]" * 1000 + "\n")
    assert [p.code for p in refused_rules(directory)] == ["too_deep"]


def test_a_very_deeply_nested_rule_file_is_refused_in_bounded_time(tmp_path: Path) -> None:
    directory = rule_dir(tmp_path, "rules: " + "[" * 50_000 + "]" * 50_000 + "\n")
    with no_hang(10):
        problems = refused_rules(directory)
    assert [p.code for p in problems] == ["too_deep"]


def test_a_rule_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    directory = rule_dir(tmp_path, "")
    (directory / "evil.yaml").write_bytes(b"rules: [\xff\xfe]\n")
    assert [(p.code, p.message) for p in refused_rules(directory)] == [
        ("unreadable", "file cannot be read as UTF-8 text")]


def test_a_huge_number_in_a_rule_file_is_refused(tmp_path: Path) -> None:
    directory = rule_dir(tmp_path, "rules:\n  - {id: x, when: {field: suspect.age, at_least: 1"
                                   + "0" * 5000 + "}}\n")
    assert [p.code for p in refused_rules(directory)] == ["invalid_value"]


# ---------------------------------------------------------------- case files


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused_case(path: Path) -> list[Problem]:
    with pytest.raises(CaseError) as raised:
        load_case(path)
    code, out, err = run_cli("assess", str(path))
    assert (code, out.strip()) == (2, "")
    assert err.splitlines() == [str(p) for p in raised.value.problems]
    return raised.value.problems


def test_python_tags_in_a_case_file_are_refused_and_nothing_runs(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    path = write(tmp_path, "case.yaml",
                 f'case_id: !!python/object/apply:os.system ["touch {marker}"]\n')
    assert [str(p) for p in refused_case(path)] == [
        (f"{path}:1:10: [unsupported_tag] unsupported YAML tag (tags that build objects are "
         "not allowed)")]
    assert not marker.exists()


def test_billion_laughs_in_a_case_file_is_refused_in_little_memory(tmp_path: Path) -> None:
    path = write(tmp_path, "case.yaml", LAUGHS)
    problems: list[Problem] = []
    assert peak_mb(lambda: problems.extend(refused_case(path))) < 10
    assert [(p.code, p.message) for p in problems] == [
        ("too_large", "more than 1,000,000 values once YAML aliases are expanded")]


@pytest.mark.parametrize("name", ["case.yaml", "case.json"])
def test_a_50_mb_case_file_is_refused_in_little_memory(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, name, '{"case_id": "' + "x" * BIG + '"}')
    problems: list[Problem] = []
    assert peak_mb(lambda: problems.extend(refused_case(path))) < 3 * MAX_BYTES / MB
    assert [str(p) for p in problems] == [f"{path}: [too_large] larger than 5 MB"]


@pytest.mark.parametrize("name", ["case.yaml", "case.json"])
def test_a_deeply_nested_case_file_is_refused(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, name, '{"case_id": "x", "suspect": ' + "[" * 100_000
                 + "]" * 100_000 + "}")
    assert [p.code for p in refused_case(path)] == ["invalid_yaml" if name == "case.yaml"
                                                    else "invalid_json"]


def test_a_huge_number_in_a_yaml_case_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "case.yaml", "case_id: x\ndash_yes_count: 1" + "0" * 5000 + "\n")
    assert [p.message for p in refused_case(path)] == [
        "not valid YAML: a value cannot be read as its type"]


def test_a_huge_number_in_a_json_case_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "case.json", '{"case_id": "x", "dash_yes_count": 1'
                 + "0" * 5000 + "}")
    assert [p.code for p in refused_case(path)] == ["invalid_json"]
