"""The package's layers: data flows one way (ARCHITECTURE.md), with no import circles.

Each subpackage may import only from the layers listed for it; this reads every module's
imports, so a move or a new import that runs against the flow fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "spo_advisor"
MAY_IMPORT: dict[str, set[str]] = {
    "model": set(),
    "language": {"model"},
    "engine": {"model", "language"},
    "advice": {"model", "language", "engine"},
    "review": {"model", "language", "engine", "advice"},
    "scrutiny": {"model", "language", "engine", "advice", "review"},
    "toolchain": {"model", "language", "engine", "advice"},
    "report": {"model", "language", "engine", "advice", "review", "scrutiny"},
    "server": {"model", "language", "engine", "advice", "review", "scrutiny", "report"},
    "cli": {"model", "language", "engine", "advice", "review", "scrutiny", "report",
            "toolchain", "server"},
}
MOST_LINES = 600


def _imported_layers(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module is not None:
            parts = node.module.split(".")
            if parts[0] == "spo_advisor":
                found.add(parts[1] if len(parts) > 1 else "spo_advisor")
        elif isinstance(node, ast.Import):
            found |= {alias.name.split(".")[1] for alias in node.names
                      if alias.name.startswith("spo_advisor.")}
    return found


def test_every_module_sits_in_a_layer() -> None:
    top = {path.name for path in PACKAGE.glob("*.py")}
    assert top == {"__init__.py"}
    assert {path.name for path in PACKAGE.iterdir() if path.is_dir()
            and (path / "__init__.py").exists()} == set(MAY_IMPORT)


def test_imports_run_down_the_layers_only() -> None:
    against = {}
    for layer, allowed in MAY_IMPORT.items():
        for path in sorted((PACKAGE / layer).rglob("*.py")):
            wrong = _imported_layers(path) - allowed - {layer}
            if wrong:
                against[str(path.relative_to(ROOT))] = sorted(wrong)
    assert against == {}


def test_no_module_is_longer_than_600_lines() -> None:
    long = {str(path.relative_to(ROOT)): lines for path in PACKAGE.rglob("*.py")
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MOST_LINES}
    assert long == {}
