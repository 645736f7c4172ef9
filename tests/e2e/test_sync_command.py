"""`python -m entrypoints.sync` (Fly's sync machine): --once exit codes, its /metrics (GET and
HEAD), SIGTERM stops it (also during --once), and production refuses weak settings before
touching anything."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from adapters.postgres.database import make_engine
from entrypoints.embedded import EmbeddedRedis, free_port
from entrypoints.production import production_problems
from entrypoints.settings import Settings
from tests.e2e.test_observability import assert_alert_series_start_at_zero
from tests.fakes.calendars import FakeCalendarHost, ics

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
        got = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
        metrics = got.text
        assert "outbox_pending_messages" in metrics
        assert_alert_series_start_at_zero(metrics)  # nothing happened yet: all at 0
        # HEAD, as uptime monitors probe: the GET's answer without its body (not a 405).
        head = httpx.head(f"http://127.0.0.1:{port}/metrics", timeout=5)
        assert head.status_code == 200
        assert head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]
        assert int(head.headers["content-length"]) > 0
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


def test_sigterm_during_once_finishes_the_feed_and_starts_nothing_more(
    database_url: str, redis_server: EmbeddedRedis, calendars: FakeCalendarHost
) -> None:
    from tests.e2e.conftest import seed

    seed(database_url)
    start = date.today() + timedelta(days=30)
    calendars.feeds["slow.ics"] = ics([("a@airbnb", start, start + timedelta(days=2), "Reserved")])
    calendars.feeds["fast.ics"] = ics([("b@airbnb", start, start + timedelta(days=9), "Reserved")])
    calendars.delays["slow.ics"] = 2.0

    async def execute(sql: str, **params: object) -> list[tuple[object, ...]]:
        engine = make_engine(database_url, pool_size=1)
        try:
            async with engine.begin() as conn:
                result = await conn.execute(text(sql), params)
                return [tuple(row) for row in result] if result.returns_rows else []
        finally:
            await engine.dispose()

    for name in ("slow", "fast"):  # synced in id order: slow first
        asyncio.run(
            execute(
                "INSERT INTO ical_feeds (accommodation_id, source, url, created_at, updated_at) "
                "VALUES (1, 'airbnb', :url, now(), now())",
                url=f"{calendars.url}/{name}.ics",
            )
        )
    # What the hourly purge (a later duty) would delete.
    asyncio.run(
        execute(
            "INSERT INTO idempotency_keys (scope, key, created_at, processed_at) "
            "VALUES ('booking', 'old', now() - interval '72 hours', now() - interval '72 hours')"
        )
    )
    env = _env(database_url, redis_server.url()) | {"ICAL_ALLOW_PRIVATE_URLS": "true"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "entrypoints.sync", "--once"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while not calendars.requests and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert [path for path, _ in calendars.requests] == ["slow.ics"]
        proc.send_signal(signal.SIGTERM)  # while the slow feed is being fetched
        assert proc.wait(30) == 0  # a requested stop is not a failure
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        assert proc.stdout is not None
        output = proc.stdout.read().decode()
        proc.stdout.close()
    assert [path for path, _ in calendars.requests] == ["slow.ics"], output[-2000:]
    synced = asyncio.run(
        execute("SELECT url, last_success_at IS NOT NULL FROM ical_feeds ORDER BY id")
    )
    assert [ok for _, ok in synced] == [True, False]  # the feed in progress finished cleanly
    assert asyncio.run(execute("SELECT key FROM idempotency_keys")) == [("old",)]
    assert "sync_stopped" in output
