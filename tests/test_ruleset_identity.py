"""A rule set's ``sha256`` covers every file it loads: its rules, its court terms and its
review reason codes; two rule sets that differ in any of them never share an identity."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from spo_advisor.language.rules import COMPANION_FILES, load_ruleset

SHIPPED = ROOT / "rules" / "england_and_wales"


@pytest.mark.parametrize("companion", COMPANION_FILES, ids=str)
def test_changing_a_companion_file_changes_the_identity(tmp_path: Path, companion: Path) -> None:
    copy = tmp_path / "rules"
    shutil.copytree(SHIPPED, copy)
    before = load_ruleset(copy).sha256
    assert before == load_ruleset(SHIPPED).sha256
    with (copy / companion).open("a", encoding="utf-8") as handle:
        handle.write("# a drafting change\n")
    assert load_ruleset(copy).sha256 != before


def test_a_companion_file_removed_changes_the_identity(tmp_path: Path) -> None:
    copy = tmp_path / "rules"
    shutil.copytree(SHIPPED, copy)
    before = load_ruleset(copy).sha256
    (copy / COMPANION_FILES[0]).unlink()
    assert load_ruleset(copy).sha256 != before
