"""The public surface for integrators: version, JSON Schemas, and what ``assess`` accepts."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

import pytest
from conftest import EXAMPLES, MINI_RULES

import spo_advisor
from spo_advisor import Assessment, CaseError, assess, assess_json, json_schema
from spo_advisor.cli.main import main
from spo_advisor.language.shipped import shipped_rules

SECRET = "Zanzibar-Quill-7731"
CASE = {"case_id": SECRET, "assessed_on": "2021-03-01",
        "incidents": [{"date": "2021-02-01", "behaviours": ["following"], "violence": True}]}


def test_version_is_the_distribution_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert spo_advisor.__version__ == metadata.version("spo_advisor") == "0.2.0"
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert (stopped.value.code, capsys.readouterr().out) == (0, "spo-advisor 0.2.0\n")


def test_shipped_rules_are_package_resources() -> None:
    directory = shipped_rules()
    assert directory.parts[-3:] == ("spo_advisor", "_rules", "england_and_wales")
    assert (directory / "ruleset.yaml").is_file()


@pytest.mark.parametrize(("kind", "title"), [(None, "spo_advisor case"),
                                             ("case", "spo_advisor case"),
                                             ("assessment", "spo_advisor assessment"),
                                             ("review", "spo_advisor review")])
def test_schema_command(capsys: pytest.CaptureFixture[str], kind: str | None, title: str) -> None:
    assert main(["schema"] if kind is None else ["schema", kind]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == title
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_assessment_schema_describes_the_json_output() -> None:
    properties = json_schema("assessment")["properties"]
    output = assess(EXAMPLES / "ex_partner.yaml").model_dump(mode="json")
    assert set(output) <= set(properties)
    assert set(json_schema("assessment")["required"]) <= set(output)


def test_assess_accepts_a_case_a_mapping_and_a_path(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(CASE), encoding="utf-8")
    results = [assess(source, rules=MINI_RULES)
               for source in (spo_advisor.load_case(CASE), CASE, path, str(path))]
    assert all(isinstance(result, Assessment) for result in results)
    assert len({result.model_dump_json() for result in results}) == 1


@pytest.mark.parametrize("text", [json.dumps(CASE), "{not json " + SECRET, SECRET + ".yaml",
                                  "x" * 5000 + SECRET, "nul\0" + SECRET])
def test_a_str_that_is_not_a_file_is_refused_without_echo(text: str) -> None:
    with pytest.raises(CaseError) as caught:
        assess(text, rules=MINI_RULES)
    assert [(p.code, p.file) for p in caught.value.problems] == [("not_a_file", None)]
    assert "assess_json" in str(caught.value)
    assert SECRET not in str(caught.value)


def test_assess_json_reads_json_text() -> None:
    assert assess_json(json.dumps(CASE), rules=MINI_RULES) == assess(CASE, rules=MINI_RULES)


def test_assess_json_refuses_yaml_and_bad_cases_without_echo() -> None:
    with pytest.raises(CaseError) as caught:
        assess_json(f"case_id: {SECRET}\n", rules=MINI_RULES)
    assert [p.code for p in caught.value.problems] == ["invalid_json"]
    with pytest.raises(CaseError) as caught:
        assess_json(json.dumps({**CASE, "relationship": SECRET}), rules=MINI_RULES)
    assert [p.location for p in caught.value.problems] == ["relationship"]
    assert SECRET not in str(caught.value)
