"""The import contracts of pyproject.toml ([tool.importlinter], DESIGN.md "Layout"): the code
keeps them, and each one catches a wrong import (checked on a copy of the code with one bad
import added, so the working tree is never touched)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def _lint(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=where,
        env={**os.environ, "PYTHONPATH": str(where)},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def copy(tmp_path) -> Path:
    """The root packages and pyproject.toml, copied."""
    for package in CONFIG["root_packages"]:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_code_keeps_every_contract():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    contracts = len(CONFIG["contracts"])
    assert f"Contracts: {contracts} kept, 0 broken." in result.stdout


def test_every_baton_app_is_in_a_layer():
    from django.conf import settings

    layered = {
        name.strip(" ()") for layer in CONFIG["contracts"][0]["layers"] for name in layer.split("|")
    }
    baton_apps = {app for app in settings.INSTALLED_APPS if (ROOT / app / "apps.py").exists()}
    assert baton_apps <= layered, baton_apps - layered
    assert baton_apps <= set(CONFIG["root_packages"])


@pytest.mark.parametrize(
    ("module", "bad_import", "expected"),
    [
        # A lower layer reaching up: teams may not know about on-call.
        ("teams/services.py", "from oncall import models", "teams is not allowed to import oncall"),
        ("core/audit.py", "import teams.models", "core is not allowed to import teams"),
        (
            "notifications/services.py",
            "from accounts import models",
            "notifications is not allowed to import accounts",
        ),
        # Siblings in one layer are independent.
        (
            "accounts/services.py",
            "from oncall import selectors",
            "accounts is not allowed to import oncall",
        ),
        # A read importing a write.
        (
            "notifications/selectors.py",
            "from notifications import services",
            "notifications.selectors is not allowed to import notifications.services",
        ),
        # A cycle inside an app: specs is imported by services, so it may not import it.
        ("oncall/specs.py", "from oncall import services", "No cycles are allowed in oncall."),
    ],
)
def test_a_wrong_import_breaks_a_contract(copy, module, bad_import, expected):
    path = copy / module
    path.write_text(path.read_text() + f"\n\ndef _wrong():\n    {bad_import}  # noqa\n")
    result = _lint(copy)
    assert result.returncode == 1, result.stdout
    assert expected in " ".join(result.stdout.split()), result.stdout
    assert "0 kept" not in result.stdout  # only the contract this import breaks
