"""The bench's server launcher cleans up after each server it starts."""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx
import pytest
from benchmarks.run import server

APP = """
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def create():
    return app
"""


def test_each_servers_metrics_folder_is_removed_when_it_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "tiny_bench_app.py").write_text(APP)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where mkdtemp makes it
    with server(
        "tiny_bench_app:create",
        "postgresql://unused/none",
        "redis://unused:1/0",
        workers=1,
        env_extra={"PYTHONPATH": str(tmp_path)},
    ) as port:
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/healthz").status_code == 200
        assert len(list(tmp_path.glob("cabanas-bench-metrics-*"))) == 1
    assert list(tmp_path.glob("cabanas-bench-metrics-*")) == []
