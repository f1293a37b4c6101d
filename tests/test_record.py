"""Tests for spo_advisor.review.record: decision records re-run and compared, path by path."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import MINI_RULES, incident, reviewed_case

from spo_advisor.advice.assess import assess, library_version
from spo_advisor.review.record import (
    ABSENT,
    Difference,
    RecordError,
    differences,
    load_record,
    verify,
)
from spo_advisor.review.replay import review


def mini_case(**changes: Any) -> dict[str, Any]:
    return reviewed_case("REC-1", **changes)


def shown(found: list[Difference]) -> list[str]:
    return [str(difference) for difference in found]


def test_assessment_record_verifies() -> None:
    record = assess(mini_case(), rules=MINI_RULES).model_dump(mode="json")
    outcome = verify(record, mini_case(), rules=MINI_RULES)
    assert (outcome.kind, outcome.identical, outcome.differences) == ("assessment", True, [])


def test_review_record_verifies_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "record.json"
    path.write_text(json.dumps(review(mini_case(), rules=MINI_RULES).model_dump(mode="json")),
                    encoding="utf-8")
    outcome = verify(path, mini_case(), rules=MINI_RULES)
    assert (outcome.kind, outcome.identical) == ("review", True)


def test_the_record_date_is_used_not_today() -> None:
    record = review(mini_case(assessed_on=None), date(2021, 2, 20), rules=MINI_RULES)
    assert verify(record.model_dump(mode="json"), mini_case(assessed_on=None),
                  rules=MINI_RULES).identical


def test_the_record_engine_is_used() -> None:
    record = assess(mini_case(), rules=MINI_RULES, engine_choice="python").model_dump(mode="json")
    assert verify(record, mini_case(), rules=MINI_RULES).identical


def test_a_changed_record_lists_each_path_old_and_new() -> None:
    record = assess(mini_case(), rules=MINI_RULES).model_dump(mode="json")
    record["recommendations"][0]["decision"] = "not_recommended"
    record["library_version"] = "0.0.0"
    del record["risk"]["indicators"]
    outcome = verify(record, mini_case(), rules=MINI_RULES)
    assert shown(outcome.differences) == [
        'recommendations[order=spo].decision: "not_recommended" → "consider"']
    assert outcome.digest == "altered" and not outcome.identical
    assert library_version()


def test_a_different_case_shows_its_hash_and_what_changed() -> None:
    record = review(mini_case(), rules=MINI_RULES).model_dump(mode="json")
    case = mini_case(incidents=[incident("2021-01-05", "following", violence=False)])
    paths = [d.path for d in verify(record, case, rules=MINI_RULES).differences]
    assert "input_sha256" in paths
    assert "timeline[date=2021-01-12]" in paths
    assert "first_recommended.spo" in paths
    assert "actions[date=2021-02-10].decisions_then.spo" in paths


def test_differences_match_list_items_by_name_or_position() -> None:
    old = {"a": [{"order": "x", "d": 1}, {"order": "y", "d": 2}], "b": [1, 2], "c": True}
    new = {"a": [{"order": "y", "d": 3}, {"order": "x", "d": 1}], "b": [1], "c": 1, "e": None}
    assert shown(differences(old, new)) == [
        "a[order=y].d: 2 → 3", "b[1]: 2 → (absent)", "c: true → 1"]


def test_repeated_names_fall_back_to_positions() -> None:
    old = [{"date": "2021-01-01", "n": 1}, {"date": "2021-01-01", "n": 2}]
    new = [{"date": "2021-01-01", "n": 1}, {"date": "2021-01-01", "n": 3}]
    assert shown(differences(old, new)) == ["[1].n: 2 → 3"]


def test_long_values_are_cut() -> None:
    (difference,) = differences({"x": "a" * 100}, {"x": "b"})
    assert str(difference) == 'x: "' + "a" * 58 + '… → "b"'
    assert repr(ABSENT) == "(absent)"


# ---------------------------------------------------------------------- bad records


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "record.json"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "message"), [
    ("SECRET-VALUE", "{path}:1:1: [invalid_json] not valid JSON: Expecting value"),
    ('["SECRET-VALUE"]', ("{path}: [not_a_record] not a decision record (expected the JSON of "
                         "an assessment or a review)")),
    ('{"case_id": "SECRET-VALUE"}', ("{path}: [not_a_record] not a decision record (expected "
                                    "the JSON of an assessment or a review)")),
    ('{"recommendations": [], "as_of": "SECRET-VALUE"}',
     "{path}: [invalid_date] as_of: not a valid date (expected YYYY-MM-DD)"),
    ('{"timeline": [], "actions": []}',
     "{path}: [invalid_date] as_of: not a valid date (expected YYYY-MM-DD)"),
])
def test_bad_records_are_refused_without_echoing(tmp_path: Path, text: str,
                                                 message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(RecordError) as caught:
        verify(path, mini_case(), rules=MINI_RULES)
    assert [str(p) for p in caught.value.problems] == [message.format(path=path)]
    assert "SECRET-VALUE" not in str(caught.value)


def test_missing_record_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.json"
    with pytest.raises(RecordError) as caught:
        load_record(path)
    assert [str(p) for p in caught.value.problems] == [f"{path}: [file_not_found] file not found"]
