"""`make test-unit` never starts a server: the `db` marker is set by tests/conftest.py from
the fixtures a test uses and the folder it lives in, not by remembering to write it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NO_TESTS_COLLECTED = 5


def collect(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_no_unit_test_is_marked_db(request: pytest.FixtureRequest) -> None:
    """Over every unit test this session collected (all of them under `make test`)."""
    unit = [i for i in request.session.items if i.path.is_relative_to(ROOT / "tests" / "unit")]
    assert request.node in unit
    assert [i.nodeid for i in unit if i.get_closest_marker("db")] == []


def test_tests_that_start_servers_are_marked_db_without_saying_so(
    request: pytest.FixtureRequest,
) -> None:
    # Neither file writes the marker: one starts `cabanas run` itself, one uses a fixture.
    unmarked = ["tests/e2e/test_run_command.py", "tests/integration/test_ical_fetcher.py"]
    for path in unmarked:
        assert "mark.db" not in (ROOT / path).read_text()
    # Under `make test` this session collected them: their items are read here. Alone (`make
    # test-unit`), a collection of its own, as a session of those files would mark them.
    collected = [i for i in request.session.items if str(i.path.relative_to(ROOT)) in unmarked]
    if {str(i.path.relative_to(ROOT)) for i in collected} == set(unmarked):
        assert [i.nodeid for i in collected if not i.get_closest_marker("db")] == []
        return
    result = collect(*unmarked, "-m", "not db")
    assert result.returncode == NO_TESTS_COLLECTED, result.stdout[-2000:]


def test_a_unit_test_asking_for_a_server_is_refused(tmp_path: Path) -> None:
    unit = ROOT / "tests" / "unit" / "test_tmp_uses_a_server.py"
    unit.write_text("def test_x(pg_server: object) -> None:\n    pass\n")
    try:
        result = collect(str(unit))
    finally:
        unit.unlink()
    assert result.returncode != 0
    assert "is a unit test but uses ['pg_server']" in result.stdout + result.stderr
