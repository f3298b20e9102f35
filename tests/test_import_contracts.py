"""The import contracts in pyproject.toml hold, and they are not decoration: a copy of the code
with one forbidden import added breaks the contract that forbids it.

import-linter reads source files (it never imports them), so a copy of the packages in a
temporary directory is enough to run it against an altered tree.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("ats", "notifications", "recruitment")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the packages and the contracts."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_import(tree: Path, module: str, statement: str) -> None:
    path = tree / (module.replace(".", "/") + ".py")
    path.write_text(path.read_text() + f"\n{statement}  # noqa\n")


def test_the_code_keeps_every_contract(tree: Path) -> None:
    result = lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "statement", "contract"),
    [
        # A domain reaching up: retention into the rights domain's request pages.
        (
            "recruitment.retention.services.purge",
            "from recruitment.rights.views import requests",
            "Domains import each other only downward",
        ),
        # The outbox knowing about a domain.
        (
            "notifications.services",
            "from recruitment.models import Candidate",
            "ats and notifications import no domain",
        ),
        # A service reaching the web layer of its own domain.
        (
            "recruitment.pipeline.services.notes",
            "from recruitment.pipeline import forms",
            "Services, selectors, tasks and models never reach the web layer",
        ),
        # A form importing the views that use it.
        (
            "recruitment.careers.forms",
            "from recruitment.careers import views",
            "Inside a domain: urls, views, then forms and tasks, then services and selectors",
        ),
        # Two modules of one package importing each other.
        (
            "recruitment.rights.services.register",
            "from recruitment.rights.services import requests",
            "No import cycles between sibling packages or modules",
        ),
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    tree: Path, module: str, statement: str, contract: str
) -> None:
    add_import(tree, module, statement)
    result = lint_imports(tree)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{contract} BROKEN" in result.stdout
