"""The PostgreSQL version floor (checklist §1: 16+), on server_version_num values."""

from __future__ import annotations

import pytest

from adapters.postgres.server_version import readable, unsupported


@pytest.mark.parametrize(
    ("version_num", "shown"),
    [(180001, "18.1"), (160000, "16.0"), (150013, "15.13"), (90624, "9.6.24"), (100023, "10.23")],
)
def test_versions_read_as_people_write_them(version_num: int, shown: str) -> None:
    assert readable(version_num) == shown


@pytest.mark.parametrize("version_num", [160000, 160009, 170005, 180001, 190000])
def test_sixteen_and_newer_will_do(version_num: int) -> None:
    assert unsupported(version_num) is None


@pytest.mark.parametrize(
    ("version_num", "shown"),
    [(159999, "15.9999"), (150013, "15.13"), (140018, "14.18"), (90624, "9.6.24")],
)
def test_older_servers_are_named_and_refused(version_num: int, shown: str) -> None:
    assert unsupported(version_num) == (
        f"PostgreSQL {shown} is older than 16, the oldest supported"
    )


def test_the_floor_can_be_asked_for_explicitly() -> None:
    assert (
        unsupported(180001, minimum=19) == "PostgreSQL 18.1 is older than 19, the oldest supported"
    )
