"""``DB_POOL_SIZE`` is the connections one process opens to the primary, split between
SQLAlchemy's pool and the statement pool (``adapters.postgres.request_connection``)."""

from __future__ import annotations

import pytest

from entrypoints.container.infrastructure import pool_sizes


@pytest.mark.parametrize(
    ("total", "expected"), [(10, (5, 5)), (11, (6, 5)), (2, (1, 1)), (1, (1, 1)), (40, (20, 20))]
)
def test_half_each_and_at_least_one_each(total: int, expected: tuple[int, int]) -> None:
    assert pool_sizes(total) == expected


@pytest.mark.parametrize("total", range(2, 60))
def test_the_split_never_opens_more_than_the_setting(total: int) -> None:
    assert sum(pool_sizes(total)) == total
