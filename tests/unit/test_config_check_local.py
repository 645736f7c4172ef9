"""scripts/config-check-local.sh: the D-1 `cabanas config check` before the first deploy, on the
operator's machine, with fly.toml's [env] plus the secrets file and nothing from the shell."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.unit.entrypoints.test_production import STRONG

# What `fly secrets set` gets: STRONG without what fly.toml's [env] already says.
WEAK_IN_THE_SHELL = {"JWT_SECRET": "short"}  # pragma: allowlist secret
SECRETS = {
    k: v
    for k, v in STRONG.items()
    if k not in ("ENVIRONMENT", "BACKUP_EVERY_HOURS", "METRICS_PORT")
}


def _check(project_root: Path, env_file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(project_root / "scripts" / "config-check-local.sh"), str(env_file)],
        # A weak value in the operator's shell must not leak into the check.
        env={**os.environ, "PYTHON": sys.executable, **WEAK_IN_THE_SHELL},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_the_production_settings_pass_before_any_machine_exists(
    project_root: Path, tmp_path: Path
) -> None:
    env_file = tmp_path / "prod.env"
    lines = [f"{k}={v}" for k, v in SECRETS.items() if k != "BACKUP_UPLOAD_COMMAND"]
    lines += ["# a comment", "", f'BACKUP_UPLOAD_COMMAND="{SECRETS["BACKUP_UPLOAD_COMMAND"]}"']
    env_file.write_text("\n".join(lines) + "\n")
    result = _check(project_root, env_file)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.rstrip().endswith("ready for production")
    assert "BACKUP_EVERY_HOURS = 24.0" in result.stdout  # from fly.toml


def test_a_missing_secret_is_named(project_root: Path, tmp_path: Path) -> None:
    env_file = tmp_path / "prod.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in SECRETS.items() if k != "ICS_SALT"))
    result = _check(project_root, env_file)
    assert result.returncode == 1
    assert "  - ICS_SALT is not set" in result.stdout


def test_a_line_that_is_not_name_equals_value_is_refused(
    project_root: Path, tmp_path: Path
) -> None:
    env_file = tmp_path / "prod.env"
    env_file.write_text("JWT_SECRET\n")
    result = _check(project_root, env_file)
    assert result.returncode == 1
    assert "prod.env:1: expected NAME=value" in result.stderr
