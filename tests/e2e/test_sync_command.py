"""`python -m entrypoints.sync` (Fly's sync machine): --once exit codes, SIGTERM stops it, and
production refuses weak settings before touching anything."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from entrypoints.embedded import EmbeddedRedis, free_port
from entrypoints.production import production_problems
from entrypoints.settings import Settings

pytestmark = pytest.mark.db


def _env(database_url: str, redis_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "LOG_LEVEL": "info"}


def test_once_exits_zero_when_every_duty_succeeds(
    database_url: str, redis_server: EmbeddedRedis
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "entrypoints.sync", "--once"],
        env=_env(database_url, redis_server.url()),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]


def test_once_exits_non_zero_when_a_duty_fails(redis_server: EmbeddedRedis) -> None:
    unreachable = f"postgresql://cabanas@127.0.0.1:{free_port()}/cabanas"
    done = subprocess.run(
        [sys.executable, "-m", "entrypoints.sync", "--once"],
        env=_env(unreachable, redis_server.url()),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert b"duty_failed" in done.stderr + done.stdout


def test_the_loop_serves_its_metrics_and_stops_on_sigterm(
    database_url: str, redis_server: EmbeddedRedis
) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "entrypoints.sync"],
        env=_env(database_url, redis_server.url()) | {"SYNC_METRICS_PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        seen = b""
        assert proc.stdout is not None
        while b"sync_started" not in seen and time.monotonic() < deadline:
            seen += proc.stdout.readline()
        assert b"sync_started" in seen
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        assert "outbox_pending_messages" in metrics
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        assert proc.stdout is not None
        proc.stdout.close()


def test_once_exits_non_zero_when_a_feed_fails(
    database_url: str, redis_server: EmbeddedRedis
) -> None:
    from tests.e2e.conftest import seed

    seed(database_url)
    import asyncio

    from sqlalchemy import text

    from adapters.postgres.database import make_engine

    async def add_broken_feed() -> None:
        engine = make_engine(database_url, pool_size=1)
        try:
            async with engine.begin() as conn:
                await conn.execute(
                    text(
                        "INSERT INTO ical_feeds (accommodation_id, source, url, created_at, "
                        "updated_at) VALUES (1, 'airbnb', :url, now(), now())"
                    ),
                    {"url": f"http://127.0.0.1:{free_port()}/gone.ics"},
                )
        finally:
            await engine.dispose()

    asyncio.run(add_broken_feed())
    env = _env(database_url, redis_server.url()) | {"ICAL_ALLOW_PRIVATE_URLS": "true"}
    done = subprocess.run(
        [sys.executable, "-m", "entrypoints.sync", "--once"],
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr.decode()[-2000:]
    assert b"ical_sync_failed" in done.stderr + done.stdout


@contextlib.contextmanager
def _listener() -> Iterator[socket.socket]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        sock.setblocking(False)
        yield sock


def _connected(sock: socket.socket) -> bool:
    try:
        sock.accept()[0].close()
    except BlockingIOError:
        return False
    return True


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "entrypoints.sync", "--once"],
        [str(Path(sys.executable).with_name("cabanas")), "sync"],
    ],
    ids=["python -m entrypoints.sync --once", "cabanas sync"],
)
def test_production_refuses_weak_settings_before_touching_anything(command: list[str]) -> None:
    # Plaintext URLs to sockets that only listen: any connection attempt would show.
    with _listener() as db, _listener() as redis:
        weak = {
            "ENVIRONMENT": "production",
            "LOG_LEVEL": "debug",
            "JWT_SECRET": "tiny-secret-value",  # pragma: allowlist secret
            # pragma: allowlist nextline secret
            "DATABASE_URL": f"postgresql://cabanas:pw@127.0.0.1:{db.getsockname()[1]}/cabanas",
            "REDIS_URL": f"redis://127.0.0.1:{redis.getsockname()[1]}",
        }
        clean = {k: v for k, v in os.environ.items() if k.lower() not in Settings.__struct_fields__}
        done = subprocess.run(
            command, env=clean | weak, capture_output=True, timeout=30, check=False
        )
        err = done.stderr.decode()
        assert done.returncode != 0, err[-2000:]
        expected = production_problems(Settings.from_env(weak))
        assert len(expected) >= 8
        assert err.strip().splitlines() == [
            "refusing to start in production:",
            *(f"  - {p}" for p in expected),
        ]  # the API's list, every problem at once
        assert "tiny-secret-value" not in err + done.stdout.decode()
        assert ":pw@" not in err + done.stdout.decode()
        assert not _connected(db)
        assert not _connected(redis)
