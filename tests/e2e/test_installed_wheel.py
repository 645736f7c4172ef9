"""The package as the image ships it: a wheel installed into a virtualenv outside the source
tree, run from a directory that has no `migrations/` or `alembic.ini` beside it. Anything the
service reads relative to the source tree fails here, not in production."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from entrypoints.embedded import EmbeddedRedis
from tests.e2e.servers import uvicorn_server


def _uv(project_root: Path) -> str:
    uv = project_root / ".tools" / "bin" / "uv"  # what `make install` puts there
    found = str(uv) if uv.is_file() else shutil.which("uv")
    if found is None:
        pytest.fail("uv not found: run `make install`")
    return found


def _run(args: list[str], *, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        args, check=False, cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{args[:3]} exited {done.returncode}:\n{done.stderr[-4000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(project_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv with the locked runtime dependencies (from uv's cache, offline) and the
    freshly built wheel, like the Dockerfile's `uv sync --no-dev --no-editable`."""
    uv = _uv(project_root)
    where = tmp_path_factory.mktemp("wheel")
    venv = where / "venv"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))}
    env |= {"UV_PYTHON_DOWNLOADS": "never", "UV_OFFLINE": "1"}
    build = [uv, "build", "--wheel", "--python", sys.executable, "--out-dir", str(where / "dist")]
    _run(build, cwd=project_root, env=env)
    [wheel] = (where / "dist").glob("cabanas-*.whl")
    _run(
        [uv, "sync", "--frozen", "--no-dev", "--no-install-project", "--python", sys.executable],
        cwd=project_root,
        env=env | {"UV_PROJECT_ENVIRONMENT": str(venv)},
    )
    python = str(venv / "bin" / "python")
    _run([uv, "pip", "install", "--no-deps", "--python", python, str(wheel)], cwd=where, env=env)
    return venv


def _service_env(venv: Path, **variables: str) -> dict[str, str]:
    """Only what a machine would have: no PYTHONPATH, no source tree on the path."""
    keep = ("PATH", "HOME", "LANG", "TMPDIR", "FAKETIME", "LD_PRELOAD")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    return env | {"PATH": f"{venv / 'bin'}:{env.get('PATH', '')}", **variables}


def test_the_installed_wheel_migrates_and_becomes_ready(
    installed: Path, empty_database_url: str, redis_server: EmbeddedRedis, tmp_path: Path
) -> None:
    python = str(installed / "bin" / "python")
    located = _run(
        [python, "-c", "import entrypoints; print(entrypoints.__file__)"],
        cwd=tmp_path,
        env=_service_env(installed),
    )
    assert Path(located.strip()).is_relative_to(installed), "the code came from the source tree"

    env = _service_env(
        installed,
        DATABASE_URL=empty_database_url,
        REDIS_URL=redis_server.url(),
        LOG_LEVEL="warning",
    )
    _run([str(installed / "bin" / "cabanas"), "migrate"], cwd=tmp_path, env=env)

    with uvicorn_server(env, python=python, cwd=str(tmp_path), inherit_env=False) as base:
        ready = httpx.get(f"{base}/api/v1/readyz")
        assert ready.status_code == 200, ready.text
        assert httpx.get(f"{base}/api/v1/healthz").status_code == 200
