"""Real servers for the tests that need them: the embedded PostgreSQL 18 and redis-server.

They start lazily, once per session, only when a test asks for them: `pytest tests/unit`
starts nothing. Each database test gets a fresh database cloned from a migrated template.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

from tests.memory_folders import OwnedFolder, sweep

if TYPE_CHECKING:  # imported lazily below: the domain tests must not pay for them
    from sqlalchemy.ext.asyncio import AsyncEngine

    from entrypoints.embedded import EmbeddedPostgres, EmbeddedRedis

TEMPLATE_DB = "cabanas_template"

# Property tests: quick and the same examples on every run by default (a suite that fails only
# when a random draw finds something is a flaky suite: CI must not be a lottery);
# HYPOTHESIS_PROFILE=thorough for a deeper, random search, whose finds become @example pins.
settings.register_profile("default", max_examples=40, derandomize=True)
settings.register_profile("thorough", max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

_OWN_TEMP = pytest.StashKey[Path]()
# The fixtures that start a real server, and the folders whose tests may start one another way
# (a subprocess running `cabanas run`, an installed wheel): their tests are marked `db`.
SERVER_FIXTURES = frozenset({"pg_server", "redis_server"})
SERVER_FOLDERS = frozenset({"integration", "e2e", "browser"})
TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`db` on every test that may start a server, whether or not it says so; a unit test that
    asks for one is a usage error, so `make test-unit` stays a loop of seconds."""
    for item in items:
        folder = item.path.relative_to(TESTS).parts[0] if item.path.is_relative_to(TESTS) else ""
        servers = SERVER_FIXTURES & set(getattr(item, "fixturenames", ()))
        if folder == "unit" and servers:
            raise pytest.UsageError(
                f"{item.nodeid} is a unit test but uses {sorted(servers)}: "
                "move it to tests/integration"
            )
        if servers or folder in SERVER_FOLDERS:
            item.add_marker(pytest.mark.db)
    # Browser tests last: while Chromium is open, Playwright's sync API keeps an event loop
    # running in the main thread, where no asyncio test can run (see tests/browser/conftest.py).
    items.sort(key=lambda item: "tests/browser/" in item.nodeid.replace("\\", "/"))


def pytest_configure(config: pytest.Config) -> None:
    """Each session's temporary files under a directory of its own. Under root the embedded
    PostgreSQL runs as an unprivileged user that must traverse them, and every pytest session
    that starts resets the shared /tmp/pytest-of-<user> to 0700: a second session on the
    machine (another checkout's `make test`) made initdb fail here with "Permission denied"."""
    if config.option.basetemp is None:
        own = Path(tempfile.mkdtemp(prefix="cabanas-pytest-"))
        config.option.basetemp = str(own / "tmp")
        config.stash[_OWN_TEMP] = own


def pytest_unconfigure(config: pytest.Config) -> None:
    if (own := config.stash.get(_OWN_TEMP, None)) is not None:
        shutil.rmtree(own, ignore_errors=True)


# Where the session's PostgreSQL keeps its files: in memory when the machine has room there.
# Every database test clones the migrated template (CREATE DATABASE … TEMPLATE), which took
# 0.15–0.6 s on this machine's disk even with fsync off and takes ~11 ms on tmpfs: most of
# what a database test used to cost.
_MEMORY = Path("/dev/shm")
_MEMORY_NEEDED = 2 * 1024**3
_IN_MEMORY = "cabanas-pytest-pg-"


def _pg_parent(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, OwnedFolder | None]:
    """The folder for the data directory, and, when it is in memory, our hold on it (released,
    and the folder removed, when the session ends). Killed sessions' folders, which would hold
    that memory until the machine restarts, are swept first."""
    if _MEMORY.is_dir() and os.access(_MEMORY, os.W_OK):
        sweep(_MEMORY, _IN_MEMORY)
        if shutil.disk_usage(_MEMORY).free >= _MEMORY_NEEDED:
            owned = OwnedFolder(_MEMORY, _IN_MEMORY)
            return owned.path, owned
    return tmp_path_factory.mktemp("pg"), None


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    from entrypoints.embedded import EmbeddedPostgres

    parent, owned = _pg_parent(tmp_path_factory)
    server = EmbeddedPostgres(parent / "data", ephemeral=True)
    try:
        server.start()
        yield server
    finally:
        try:
            server.stop()
        finally:
            if owned is not None:
                owned.release()


@pytest.fixture(scope="session")
def template_db(pg_server: EmbeddedPostgres) -> str:
    from entrypoints.migrate import upgrade

    pg_server.create_database(TEMPLATE_DB)
    upgrade(pg_server.url(TEMPLATE_DB))
    return TEMPLATE_DB


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    from entrypoints.embedded import EmbeddedRedis

    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"), persistent=False).start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: EmbeddedRedis) -> str:
    """The session's Redis, emptied for this test, as each test gets a database of its own:
    conversations, handovers, rate-limit and sign-in counters of earlier tests never leak in.
    (Module-scoped servers share ``redis_server`` directly and are not emptied under them.)"""
    import redis

    with redis.Redis.from_url(redis_server.url()) as client:
        client.flushdb()
    return redis_server.url()


def fresh_database(pg: EmbeddedPostgres, template: str | None) -> str:
    name = f"t_{uuid.uuid4().hex[:12]}"
    pg.create_database(name, template=template)
    return name


@pytest.fixture
def database_url(pg_server: EmbeddedPostgres, template_db: str) -> Iterator[str]:
    """A migrated, empty database of its own for this test."""
    name = fresh_database(pg_server, template_db)
    yield pg_server.url(name)
    pg_server.psql(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def empty_database_url(pg_server: EmbeddedPostgres) -> Iterator[str]:
    """A database with nothing in it, not even the migrations."""
    name = fresh_database(pg_server, None)
    yield pg_server.url(name)
    pg_server.psql(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    from adapters.postgres.database import make_engine

    eng = make_engine(database_url, pool_size=5)
    yield eng
    await eng.dispose()


@pytest.fixture(scope="session")
def project_root() -> Path:
    return Path(__file__).resolve().parents[1]
