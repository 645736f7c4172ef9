"""The console's number and money filters: Argentine separators, never scientific notation,
"$" never parted from its amount, and booking codes dashed to be read aloud."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.codes import ReservationCode
from entrypoints.http.console.rendering import booking_code, money, number


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


@pytest.mark.parametrize(
    ("cents", "said"),
    [
        (39_000_000, "$\u00a0390.000"),
        (123_450, "$\u00a01.234,50"),
        (0, "$\u00a00"),
        (-2_000_000, "-$\u00a020.000"),
    ],
)
def test_money_joins_the_sign_to_the_amount_with_a_no_break_space(cents: int, said: str) -> None:
    # At 390 px a line may end anywhere there is a breakable space: never inside an amount.
    assert money(cents) == said
    assert " " not in money(cents)


def test_a_booking_code_is_dashed_as_on_its_page_and_anything_else_is_left_alone() -> None:
    # On one line: a phone never breaks it at a hyphen (console.css, .code).
    kept = '<span class="code">H01D-H01D-H01D</span>'
    assert booking_code("H01DH01DH01D") == kept
    assert booking_code(ReservationCode("H01DH01DH01D")) == kept
    # Not a code (a reference Mercado Pago sent, say): shown as it came.
    assert booking_code("pedido-42") == "pedido-42"
