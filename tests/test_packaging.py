"""The built wheel carries its rule sets and works outside the checkout."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT

from spo_advisor import assess


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built from the checkout without network access."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps",
                    "--no-build-isolation", "--no-index", "--quiet", "-w", str(out)],
                   check=True, capture_output=True, cwd=out)
    [built] = out.glob("spo_advisor-*.whl")
    return built


def test_wheel_carries_the_rules_places_and_typing_marker(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {path.relative_to(ROOT).as_posix() for path in (ROOT / "rules").rglob("*.yaml")}
    assert {f"spo_advisor/_{name}" for name in shipped} <= names
    assert {"spo_advisor/model/places.yaml", "spo_advisor/py.typed",
            "spo_advisor/report/templates/assessment.html.j2"} <= names


def test_sdist_carries_the_rules_as_files(tmp_path: Path) -> None:
    build = "import sys; from setuptools import build_meta; build_meta.build_sdist(sys.argv[1])"
    subprocess.run([sys.executable, "-c", build, str(tmp_path)], check=True,
                   capture_output=True, cwd=ROOT)
    [sdist] = tmp_path.glob("spo_advisor-*.tar.gz")
    with tarfile.open(sdist) as archive:
        files = {member.name.split("/", 1)[1] for member in archive.getmembers()
                 if member.isfile()}
    shipped = {path.relative_to(ROOT).as_posix() for path in (ROOT / "rules").rglob("*.yaml")}
    assert {f"spo_advisor/_{name}" for name in shipped} <= files
    assert {"spo_advisor/model/places.yaml", "spo_advisor/py.typed", "CHANGELOG.md"} <= files


def test_wheel_installed_in_a_fresh_venv_assesses_from_elsewhere(
        wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                    "--no-deps", "--no-index", "--quiet", str(wheel)],
                   check=True, capture_output=True)
    # The dependencies come from this environment (read after the venv's own packages),
    # so no index is needed; this checkout is not on the path.
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(subprocess.run([str(python), "-c", purelib],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    case = shutil.copy(EXAMPLES / "ex_partner.yaml", elsewhere / "case.yaml")

    def run(*args: str) -> str:
        return subprocess.run([*args], check=True, capture_output=True, text=True,
                              cwd=elsewhere).stdout

    located = run(str(python), "-c", "import spo_advisor; print(spo_advisor.__file__)")
    assert Path(located).is_relative_to(venv)
    assert run(str(venv / "bin" / "spo-advisor"), "--version") == "spo-advisor 0.2.0\n"
    output = json.loads(run(str(venv / "bin" / "spo-advisor"), "assess", "case.yaml",
                            "--format", "json"))
    assert output == assess(case).model_dump(mode="json")


def test_mypy_sees_the_installed_package_and_its_types(tmp_path: Path) -> None:
    """py.typed is honoured and the editable install is a plain path mypy can follow."""
    (tmp_path / "use.py").write_text("import spo_advisor\n\n"
                                     "version: int = spo_advisor.__version__\n")
    result = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental",
                             "--cache-dir", str(tmp_path / "cache"), "use.py"],
                            check=False, capture_output=True, text=True, cwd=tmp_path)
    assert result.stdout.splitlines()[0] == (
        'use.py:3: error: Incompatible types in assignment (expression has type "str", '
        'variable has type "int")  [assignment]')
