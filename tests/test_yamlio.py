"""Rule-file YAML reading: safe, located, and strict about aliases and duplicates."""

from __future__ import annotations

from pathlib import Path

import pytest

from spo_advisor.model.yamlio import Mark, YamlProblem, read_text, read_yaml


def problem_of(text: str) -> str:
    with pytest.raises(YamlProblem) as caught:
        read_yaml(text, "f.yaml")
    return str(caught.value.problem)


def test_marks_locate_every_key_and_item() -> None:
    data, marks = read_yaml("a:\n  b: [1, 2]\n  c: x\n", "f.yaml")
    assert data == {"a": {"b": [1, 2], "c": "x"}}
    assert marks[("a", "c")] == Mark(3, 3)
    assert marks[("a", "b", 1)] == Mark(2, 10)


def test_python_tags_are_refused_and_nothing_runs() -> None:
    text = "x: !!python/object/apply:os.system ['echo pwned']\n"
    assert problem_of(text) == "f.yaml:1:4: [unsafe_yaml] tags are not allowed on mappings or lists"
    assert problem_of("x: !!python/name:os.system\n").startswith(
        "f.yaml:1:4: [unsafe_yaml] could not determine a constructor")


def test_aliases_are_refused() -> None:
    assert problem_of("a: &x [1]\nb: *x\n") == "f.yaml:2:4: [alias_refused] YAML aliases are not allowed"


def test_duplicate_keys_are_refused() -> None:
    assert problem_of("a: 1\na: 2\n") == "f.yaml:2:1: [duplicate_key] duplicate key 'a'"


def test_impossible_date_is_a_problem_not_a_crash() -> None:
    assert problem_of("d: 2021-02-30\n") == "f.yaml:1:4: [invalid_value] value cannot be read"


def test_malformed_yaml_is_located() -> None:
    assert problem_of("a: [1, 2\n").startswith("f.yaml:2:1: [malformed_yaml]")


def test_oversized_file_is_refused_before_parsing() -> None:
    assert "[too_large]" in problem_of("a: '" + "x" * 2_100_000 + "'\n")


def test_empty_document_is_none() -> None:
    assert read_yaml("", "f.yaml") == (None, {})


def test_deep_nesting_is_refused_where_it_passes_the_limit() -> None:
    assert problem_of("a: " + "[" * 65 + "]" * 65 + "\n") == (
        "f.yaml:1:67: [too_deep] the document is nested too deeply")
    data, _ = read_yaml("a: " + "[" * 63 + "]" * 63 + "\n", "f.yaml")
    assert isinstance(data, dict)


def test_read_text_reads_no_more_than_the_limit_whatever_the_file_claims() -> None:
    with pytest.raises(YamlProblem) as caught:
        read_text(Path("/dev/zero"))  # reports size 0, never ends
    assert caught.value.problem.code == "too_large"
