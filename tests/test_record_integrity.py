"""Records that cannot be altered unnoticed: the digest over the whole record, the
headline of verify, records from another version, arguments swapped, Ed25519 signing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import MINI_RULES, reviewed_case

from spo_advisor.advice.assess import assess
from spo_advisor.cli.main import main
from spo_advisor.model.digest import record_digest
from spo_advisor.review.record import RecordError, verify
from spo_advisor.review.replay import review

pytest.importorskip("cryptography")

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from spo_advisor.review.signing import (
    KeyFileError,
    SignatureFailure,
    check_signature,
    sign_record,
)


def case() -> dict[str, Any]:
    return reviewed_case("INT-1")


def leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every scalar in a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    else:
        yield path


def tampered(record: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
    copy = json.loads(json.dumps(record))
    *parents, last = path
    holder = copy
    for step in parents:
        holder = holder[step]
    value = holder[last]
    holder[last] = (not value if isinstance(value, bool) else value + 1
                    if isinstance(value, int) else None if isinstance(value, str) else "x")
    return copy


@pytest.mark.parametrize("kind", ["assessment", "review"])
def test_every_tampered_field_is_caught(kind: str) -> None:
    made = (assess if kind == "assessment" else review)(case(), rules=MINI_RULES)
    record = made.model_dump(mode="json")
    assert verify(record, case(), rules=MINI_RULES).identical
    paths = [path for path in leaves(record) if path != ("record_sha256",)]
    assert ("engine",) in paths and ("library_version",) in paths
    for path in paths:
        if path == ("as_of",):  # the date the record is re-run on: unreadable without it
            with pytest.raises(RecordError, match="as_of: not a valid date"):
                verify(tampered(record, path), case(), rules=MINI_RULES)
            continue
        outcome = verify(tampered(record, path), case(), rules=MINI_RULES)
        assert outcome.digest == "altered" and not outcome.identical, path
        assert outcome.headline().startswith("Record altered:")


def test_a_changed_digest_is_caught() -> None:
    record = assess(case(), rules=MINI_RULES).model_dump(mode="json")
    record["record_sha256"] = "0" * 64
    assert verify(record, case(), rules=MINI_RULES).digest == "altered"


def test_headline_when_the_record_matches() -> None:
    record = assess(case(), rules=MINI_RULES).model_dump(mode="json")
    outcome = verify(record, case(), rules=MINI_RULES)
    sha = record["ruleset"]["sha256"][:12]
    assert outcome.headline() == (
        f"Record matches: 1 decision re-derived as of 2021-02-20 with rule set mini 1 "
        f"(sha256 {sha}…), library {record['library_version']}.")


def test_headline_names_the_changed_decisions() -> None:
    record = assess(case(), rules=MINI_RULES).model_dump(mode="json")
    record["recommendations"][0]["decision"] = "recommended"
    record["record_sha256"] = record_digest(record)  # re-sealed: only re-deriving catches it
    outcome = verify(record, case(), rules=MINI_RULES)
    assert outcome.digest == "matches"
    assert outcome.headline() == "Record differs: 1 decision changed: spo recommended → consider."


def test_another_version_is_said_and_only_the_record_keys_compared() -> None:
    record = review(case(), rules=MINI_RULES).model_dump(mode="json")
    record["library_version"] = "0.0.9"
    record["ruleset"] = {**record["ruleset"], "version": "2025.01", "sha256": "ab" * 32}
    for key in ("assumptions", "excluded", "schema_version", "record_sha256"):
        del record[key]
    for row in record["timeline"]:
        del row["assumed"]
    outcome = verify(record, case(), rules=MINI_RULES)
    assert outcome.differences == [] and outcome.identical
    headline = outcome.headline()
    assert headline.startswith("Record matches: ")
    assert "Made with rule set mini 2025.01 (sha256 abababababab…), library 0.0.9; " \
           "re-derived with rule set mini 1 " in headline
    assert headline.endswith("The record has no digest (an older record): only re-derived "
                             "keys are checked.")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """A case, its review record, and two Ed25519 key pairs (PEM)."""
    found = {"case": tmp_path / "case.yaml", "record": tmp_path / "record.json"}
    found["case"].write_text(yaml.safe_dump(case()), encoding="utf-8")
    found["record"].write_text(json.dumps(review(case(), rules=MINI_RULES).model_dump(
        mode="json")), encoding="utf-8")
    for name in ("force", "other"):
        key = Ed25519PrivateKey.generate()
        found[f"{name}.key"] = tmp_path / f"{name}.key"
        found[f"{name}.key"].write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        found[f"{name}.pub"] = tmp_path / f"{name}.pub"
        found[f"{name}.pub"].write_bytes(key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return found


def test_arguments_swapped_exit_2_saying_so(files: dict[str, Path],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "verify", str(files["case"]), str(files["record"]),
                         "--rules", str(MINI_RULES))
    assert (code, out) == (2, "")
    assert err == ("error: the arguments are the wrong way round: give the record first, then "
                   "the case (spo-advisor verify RECORD.json CASE)\n")


def test_signing_round_trip_on_the_command_line(files: dict[str, Path], tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    signed = tmp_path / "signed.json"
    code, out, err = run(capsys, "sign", str(files["record"]), "--key", str(files["force.key"]),
                         "--out", str(signed))
    assert (code, out, err) == (0, "", "")
    assert json.loads(signed.read_text(encoding="utf-8"))["signature"]["algorithm"] == "ed25519"
    code, out, _ = run(capsys, "verify", str(signed), str(files["case"]), "--rules",
                       str(MINI_RULES), "--key", str(files["force.pub"]))
    assert code == 0
    assert out.startswith("Record matches: ")
    assert out.splitlines()[1].startswith("Signed with the key given (public key sha256 ")
    code, out, _ = run(capsys, "verify", str(signed), str(files["case"]), "--rules",
                       str(MINI_RULES), "--key", str(files["other.pub"]))
    assert (code, out) == (1, "Record signature fails: the record was not signed with this key.\n")


def test_a_wrong_key_unsigned_or_changed_record_is_refused(files: dict[str, Path]) -> None:
    record = json.loads(files["record"].read_text(encoding="utf-8"))
    with pytest.raises(SignatureFailure, match="^the record is not signed$"):
        check_signature(record, files["force.pub"])
    signed = sign_record(record, files["force.key"])
    assert check_signature(signed, files["force.pub"])
    with pytest.raises(SignatureFailure, match="not signed with this key"):
        check_signature(signed, files["other.pub"])
    changed = {**signed, "engine": "python"}
    with pytest.raises(SignatureFailure, match="changed after it was signed"):
        check_signature(changed, files["force.pub"])


def test_bad_key_files(files: dict[str, Path], tmp_path: Path,
                       capsys: pytest.CaptureFixture[str]) -> None:
    record = json.loads(files["record"].read_text(encoding="utf-8"))
    with pytest.raises(KeyFileError, match="not an unencrypted PEM private key"):
        sign_record(record, files["force.pub"])
    with pytest.raises(KeyFileError, match="not a PEM public key"):
        check_signature(record, files["force.key"])
    code, out, err = run(capsys, "sign", str(files["record"]), "--key",
                         str(tmp_path / "absent.key"))
    assert (code, out) == (2, "")
    assert err.startswith("error: ") and "cannot read the key" in err
