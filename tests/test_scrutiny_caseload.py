"""examples/caseload.py: a synthetic caseload, valid, labelled synthetic, deterministic."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from conftest import ROOT, load_script

from spo_advisor import load_case

SCRIPT = ROOT / "examples" / "caseload.py"


GENERATOR = load_script(SCRIPT)


def test_every_case_is_valid_and_labelled_synthetic() -> None:
    cases = list(GENERATOR.caseload(300, 2021, "cleveland", 1))
    for data in cases:
        case = load_case(data)
        assert case.case_id.startswith("SYNTHETIC-CLE-21-")
        assert all(action.note and action.note.startswith("Synthetic:")
                   for action in case.actions)
    assert len({data["case_id"] for data in cases}) == 300


def test_the_mix_is_varied() -> None:
    cases = list(GENERATOR.caseload(600, 2021, "cleveland", 1))
    relationships = Counter(data["relationship"] for data in cases)
    assert relationships.most_common(1)[0][0] == "ex_intimate_partner"
    assert None in relationships and len(relationships) >= 10
    actions = Counter(action["action"] for data in cases for action in data["actions"])
    assert {"spo_applied", "spo_considered_not_applied", "no_action",
            "dvpn_issued"} <= set(actions)
    reasons = {reason for data in cases for action in data["actions"]
               for reason in action["reasons"]}
    assert len(reasons) >= 8
    assert any(data["victim"]["very_frightened"] is None for data in cases)
    assert any(data["incidents"][0]["date"] < "2021-01-01" for data in cases)


def test_the_same_seed_gives_the_same_file(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "1", "2"):
        out = tmp_path / f"caseload-{len(outputs)}.jsonl"
        subprocess.run([sys.executable, str(SCRIPT), "--cases", "50", "--year", "2021",
                        "--force", "cleveland", "--seed", seed, "--out", str(out)],
                       check=True, capture_output=True)
        outputs.append(out.read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1] != outputs[2]
    assert len(outputs[0].splitlines()) == 50
    assert json.loads(outputs[0].splitlines()[0])["case_id"] == "SYNTHETIC-CLE-21-00001"
