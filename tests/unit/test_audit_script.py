"""scripts/audit-deps.sh: when PyPI's advisory data is unreachable the audit is skipped, loudly,
in its own output and again at the end of `make test`; AUDIT_REQUIRED=1 makes the skip fail."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from entrypoints.embedded import free_port

BANNER = "DEPENDENCY AUDIT SKIPPED"


def _audit(
    project_root: Path, mark: Path, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    unreachable = f"http://127.0.0.1:{free_port()}/pypi/pip/24.0/json"
    return subprocess.run(
        [str(project_root / "scripts" / "audit-deps.sh"), *args],
        env={**os.environ, "AUDIT_PROBE_URL": unreachable, "AUDIT_SKIPPED_MARK": str(mark), **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_an_unreachable_advisory_service_is_a_loud_skip(project_root: Path, tmp_path: Path) -> None:
    mark = tmp_path / "audit-skipped"
    assert BANNER not in _audit(project_root, mark, "--remind").stdout  # nothing skipped yet

    skipped = _audit(project_root, mark)
    assert skipped.returncode == 0
    assert BANNER in skipped.stdout
    assert BANNER in _audit(project_root, mark, "--remind").stdout  # repeated after the tests

    required = _audit(project_root, mark, AUDIT_REQUIRED="1")
    assert required.returncode == 1
    assert BANNER in required.stdout


def test_make_test_repeats_the_reminder_after_the_tests(project_root: Path) -> None:
    makefile = (project_root / "Makefile").read_text()
    recipe = makefile.split("\ntest: lint\n", 1)[1].split("\n\n", 1)[0]
    lines = [line.strip() for line in recipe.splitlines()]
    [pytest] = [i for i, line in enumerate(lines) if line.startswith("@$(VENV)/bin/pytest ")]
    assert lines.index("@scripts/audit-deps.sh --remind") > pytest
