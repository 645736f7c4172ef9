"""The import-linter contracts in pyproject.toml can fail: each is run on a copy of src/ with
one deliberate violation added, and must report it broken (and kept on the untouched copy).

A contract that nothing could break would only look like a wall."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# contract id → (file to change, line to add); each line is one thing the contract forbids.
VIOLATIONS = {
    "adapters-see-ports": [
        # an adapter reaching into a use-case module instead of a port
        ("adapters/prometheus/metrics.py", "import application.inbox.deliveries"),
    ],
    "capabilities": [
        # booking must not use the assistant that books
        ("application/booking/place_hold.py", "import application.conversation.converse"),
        # siblings do not use each other
        ("application/back_office/stats.py", "import application.calendar_sync.feeds"),
        # a new capability must be placed in the layers (exhaustive)
        ("application/loyalty/__init__.py", ""),
    ],
    "entrypoints": [
        # the HTTP app importing the worker loop
        ("entrypoints/http/app.py", "import entrypoints.worker"),
        # the old cycle: cli → asgi → http.app → sync → cli
        ("entrypoints/http/app.py", "import entrypoints.sync"),
        # the wiring reaching up into the CLI
        ("entrypoints/container/__init__.py", "import entrypoints.cli.main"),
    ],
}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("contracts")
    shutil.copytree(ROOT / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def lint(tree: Path, contract: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--contract", contract],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree / "src")},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("contract", sorted(VIOLATIONS))
def test_the_contract_holds_on_the_source_as_it_is(pristine: Path, contract: str) -> None:
    result = lint(pristine, contract)
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.parametrize(
    ("contract", "path", "line"),
    [(c, p, line) for c, violations in VIOLATIONS.items() for p, line in violations],
)
def test_a_deliberate_violation_breaks_the_contract(
    pristine: Path, tmp_path: Path, contract: str, path: str, line: str
) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(pristine, tree)
    target = tree / "src" / path
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("a") as source:
        source.write(f"\n{line}\n")
    result = lint(tree, contract)
    assert result.returncode == 1, result.stdout[-3000:]
    assert "BROKEN" in result.stdout
