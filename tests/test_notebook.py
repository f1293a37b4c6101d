"""The officer walkthrough notebook runs from top to bottom and shows what it explains."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import nbclient
import nbformat
from conftest import ROOT

NOTEBOOK = ROOT / "examples" / "officer_walkthrough.ipynb"
CELL_TIMEOUT = 300  # seconds; a hung kernel fails the test instead of the whole run


def output_text(notebook: Any) -> str:
    """Everything the code cells printed or displayed, as text. A cell's printed text may
    arrive in several stream outputs (the kernel flushes as it goes): they are joined."""
    parts = []
    for cell in notebook.cells:
        outputs = cell.get("outputs", [])
        parts.append("".join(output.get("text", "") for output in outputs))
        parts.extend(str(value) for output in outputs for value in output.get("data", {}).values())
    return "\n".join(parts)


def test_notebook_is_stored_without_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)  # type: ignore[no-untyped-call]
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)


def test_notebook_runs_and_shows_each_step(tmp_path: Path) -> None:
    """Run in a copy, in the examples directory: the stored notebook keeps no outputs."""
    copy = tmp_path / NOTEBOOK.name
    shutil.copy(NOTEBOOK, copy)
    notebook = nbformat.read(copy, as_version=4)  # type: ignore[no-untyped-call]
    client = nbclient.NotebookClient(
        notebook, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=True,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}})  # reads cases/ beside it
    client.execute()
    nbformat.write(notebook, copy)  # type: ignore[no-untyped-call]  # kept, to look at on failure
    errors = [output for cell in notebook.cells for output in cell.get("outputs", [])
              if output.output_type == "error"]
    assert errors == []
    text = output_text(notebook)
    for expected in (
        # 1. assess: the overview
        "Case CLE-21-0042, assessed on 2021-03-14: 5 incidents, 2 recorded actions",
        ("Case CLE-21-0042, as of 2021-03-14. Risk: high.\n"
        "  Interim Stalking Protection Order — recommended: apply with the SPO application "
        "(all 9 limbs met)\n"
        "  Stalking Protection Order — recommended: apply to the magistrates' court (all 7 "
        "limbs met)\n"),
        # 2. the limbs, each with its citation; the report displays with its limb diagrams
        "Stalking Protection Order: recommended",
        ("- met      trigger  Acts associated with stalking, in the stalking pattern.\n"
        "    [Stalking Protection Act 2019 s.1(1)(a), s.1(5)-(6)]"),
        "- met      gate     The case is in England and Wales.",
        "Risk: high",
        'class="limb limb-met"',
        "<details>",
        # 3. what to find out next
        "Nothing left unknown in this record would change a decision.",
        "SPO: consider",
        "<h4>Stalking Protection Order (now consider)</h4>",
        "Does the suspect live in this force&#39;s area? If yes: ",
        # 4. the review
        "SPO first recommended on: 2020-12-12",
        ("An SPO was first indicated on 2020-12-12, 51 days before the recorded decision not "
         "to apply on 2021-02-01."),
        "victim_does_not_support_prosecution: not a legal bar.",
        # 5. many cases
        "ex_partner.yaml              SPO: recommended",
    ):
        assert expected in text
