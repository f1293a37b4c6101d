"""Assessments stay byte for byte what they were: a faster evaluation path must not change
a single explanation.

The fixture ``fixtures/assess_digests.json`` holds the sha256 of the compact contract JSON
(``json.dumps(model_dump(mode="json"))``, as ``--format json`` writes it minus the indent)
of every example case, every golden case of the shipped rule set (on its own date) and the
benchmark's synthetic cases, assessed with each engine by the code as it was before the
evaluation path was made faster. Should an intended change
of the output ever alter them, write them afresh::

    .venv/bin/python tests/test_assess_identity.py
"""

from __future__ import annotations

import hashlib
import itertools
import json
import pickle
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, ROOT, SHIPPED_RULES, load_script
from pydantic import ValidationError

from spo_advisor.advice.assess import assess, load_rules
from spo_advisor.engine.durable_host import available as durable_available
from spo_advisor.model.case_reading import load_case
from spo_advisor.model.digest import record_digest
from spo_advisor.model.result import Assessment
from spo_advisor.toolchain.golden import golden_files, load_golden

DIGESTS = ROOT / "tests" / "fixtures" / "assess_digests.json"
SYNTHETIC = 300
ENGINES = ("python", "durable_rules")


def _bench() -> Any:
    """``benchmarks/bench.py``, for its synthetic cases."""
    return load_script(ROOT / "benchmarks" / "bench.py")


def cases() -> Iterator[tuple[str, Any, date | None]]:
    """Every example case by file name, every golden case by its label, then the
    synthetic cases by case id; each with the date it is assessed on (None: its own)."""
    for path in sorted(EXAMPLES.glob("*.yaml")):
        yield path.name, load_case(path), None
    for golden_file in golden_files(SHIPPED_RULES):
        for golden in load_golden(golden_file):
            yield golden.label, golden.case, golden.as_of
    for case in _bench().synthetic_cases(SYNTHETIC):
        yield case["case_id"], case, None


def digest(assessment: Assessment) -> str:
    text = json.dumps(assessment.model_dump(mode="json"), separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def digests() -> dict[str, dict[str, str]]:
    """The digest of each case's assessment with each engine this Python has."""
    rules = load_rules(SHIPPED_RULES)
    engines = [e for e in ENGINES if e == "python" or durable_available()]
    return {name: {engine: digest(assess(case, as_of, rules=rules, engine_choice=engine))
                   for engine in engines} for name, case, as_of in cases()}


def test_every_assessment_is_byte_identical_to_before() -> None:
    expected = json.loads(DIGESTS.read_text(encoding="utf-8"))
    found = digests()
    assert found.keys() == expected.keys()
    differing = [(name, engine) for name, by_engine in found.items()
                 for engine, value in by_engine.items() if expected[name][engine] != value]
    assert not differing, f"{len(differing)} assessments changed, first {differing[:5]}"


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_an_assessment_equals_its_own_validated_copy(path: Path) -> None:
    """Built without validation, the result is still what validation would make of it."""
    for engine in [e for e in ENGINES if e == "python" or durable_available()]:
        assessment = assess(path, rules=load_rules(SHIPPED_RULES), engine_choice=engine)
        again = Assessment.model_validate(assessment.model_dump(exclude={"schema_version"}))
        assert again == assessment
        assert again.model_dump() == assessment.model_dump()
        assert again.model_fields_set == assessment.model_fields_set
        assert pickle.loads(pickle.dumps(assessment)) == assessment


if __name__ == "__main__":
    DIGESTS.write_text(json.dumps(digests(), indent=1, sort_keys=True) + "\n", encoding="utf-8")


def test_each_record_digest_is_that_of_its_own_json() -> None:
    """Sealing reads the JSON of recommendations made before; the digest is still the one
    the whole record's JSON gives."""
    rules = load_rules(SHIPPED_RULES)
    for name, case, as_of in itertools.islice(cases(), 120):
        for engine in [e for e in ENGINES if e == "python" or durable_available()]:
            assessment = assess(case, as_of, rules=rules, engine_choice=engine)
            assert record_digest(assessment.model_dump(mode="json")) \
                == assessment.record_sha256, name


def test_recommendations_shared_between_assessments_cannot_be_changed() -> None:
    """An outcome met again shares its recommendation with earlier assessments: nothing
    one caller does to it can reach another."""
    case = load_case(EXAMPLES / "ex_partner.yaml")
    first, second = assess(case), assess(case)
    shared = first.recommendations[0]
    assert shared is second.recommendations[0]
    with pytest.raises(ValidationError):
        shared.decision = "consider"  # type: ignore[misc]
    for sequence in (shared.reasons, shared.unmet, shared.unknown, shared.limbs,
                     shared.court_terms, shared.limbs[0].rules, shared.limbs[0].unknown):
        assert isinstance(sequence, tuple)
    first.recommendations.clear()
    assert assess(case).recommendations[0] is shared


def test_results_from_other_processes_share_their_recommendations() -> None:
    """A recommendation is pickled as its JSON and unpickled once per outcome: equal to
    the one sent, and shared by every result that holds it."""
    assessment = assess(load_case(EXAMPLES / "ex_partner.yaml"))
    first, second = (pickle.loads(pickle.dumps(assessment)) for _ in range(2))
    assert first == assessment
    assert all(a is b for a, b in zip(first.recommendations, second.recommendations,
                                      strict=True))
