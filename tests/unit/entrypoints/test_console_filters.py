"""The console's number filter: Argentine separators, never scientific notation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from entrypoints.http.console.rendering import number


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (Decimal("30"), "30"),
        (Decimal("3E+1"), "30"),
        (Decimal("12.50"), "12,5"),
        (Decimal("1000"), "1000"),  # a percent or a price factor, not a count
        (7, "7"),
        (1_000, "1.000"),
        (25_400, "25.400"),
    ],
)
def test_numbers_are_written_as_in_argentina(value: Decimal | int, said: str) -> None:
    assert number(value) == said
