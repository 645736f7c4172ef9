"""Start the real service as a separate process, the way production runs it."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import httpx

from entrypoints.embedded import free_port

# /healthz counts a probe slower than HEALTH_PROBE_TIMEOUT_SECONDS (0.15 s) as failed: right in
# production, a wall-clock race on a machine the whole suite is starving. Servers started here
# give the probes this much unless the test sets its own (a test of a dead dependency).
GENEROUS_HEALTH = {"HEALTH_PROBE_TIMEOUT_SECONDS": "5"}


def wait_healthy(
    base: str, proc: subprocess.Popen[bytes], timeout: float = 120, path: str = "/api/v1/readyz"
) -> None:
    """Until the server answers 200 there. ``timeout`` only stops a server that never will: a
    starved machine (the whole suite on two cores, with other work beside it) took over 30 s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"{base}{path}", timeout=10).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("server did not become ready")


@contextmanager
def uvicorn_server(
    env: Mapping[str, str],
    workers: int = 1,
    *,
    python: str = sys.executable,
    cwd: str | None = None,
    inherit_env: bool = True,
    factory: str = "entrypoints.asgi:create",
    ready_path: str = "/api/v1/readyz",
) -> Iterator[str]:
    """`python` and `cwd` let a test serve from another virtualenv, outside the source tree;
    `inherit_env=False` passes `env` alone; `factory` (and the path that answers 200 once it is
    up) another server, e.g. the /metrics one."""
    port = free_port()
    with tempfile.TemporaryFile() as output:
        proc = subprocess.Popen(
            [python, "-m", "uvicorn", "--factory", factory]
            + ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
            + ["--no-proxy-headers", "--no-server-header", "--workers", str(workers)],
            env={**os.environ, **GENEROUS_HEALTH, **env}
            if inherit_env
            else {**GENEROUS_HEALTH, **env},
            cwd=cwd,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base, proc, path=ready_path)
            yield base
        except BaseException:
            output.seek(0)
            sys.stderr.write(output.read().decode(errors="replace")[-5000:])
            raise
        else:
            # The server's own log goes to the test report (pytest shows it on failure).
            output.seek(0)
            sys.stderr.write(output.read().decode(errors="replace")[-20000:])
        finally:
            proc.terminate()
            proc.wait(15)
