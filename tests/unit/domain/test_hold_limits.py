"""Hold limits: whom a hold counts against, and the rule on long holds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from domain.booking.hold_limits import HoldLimit, HoldLimits, phone_key
from domain.errors import HoldTooLong, InvalidValue, TooManyHolds
from tests.unit.domain.builders import NOW, stay


@pytest.mark.parametrize(
    "typed",
    [
        "+54 9 11 5555-1234",  # as a guest types a mobile
        "+5491155551234",  # E.164
        "5491155551234",  # WhatsApp's wa_id
        "+54 11 5555 1234",  # without the mobile 9
        "0054 9 11 5555 1234",  # international prefix
    ],
)
def test_one_argentine_mobile_is_one_key_however_it_is_written(typed: str) -> None:
    assert phone_key(typed) == "541155551234"


def test_other_countries_keep_their_digits_and_unicode_digits_are_not_digits() -> None:
    assert phone_key("+1 (415) 555-0100") == "14155550100"
    assert phone_key("+598 99 123 456") == "59899123456"
    assert phone_key("+54٩١١") == "54"  # Arabic-Indic digits are not counted as digits


def test_a_stay_longer_than_the_limit_is_refused_and_the_limit_itself_is_fine() -> None:
    limits = HoldLimits(max_nights=14)
    limits.check_nights(stay(3, 14))
    with pytest.raises(HoldTooLong, match="MAX_HOLD_NIGHTS"):
        limits.check_nights(stay(3, 15))
    HoldLimits(max_nights=0).check_nights(stay(3, 300))  # off


def test_a_refusal_names_the_limit_and_when_to_retry() -> None:
    refusal = HoldLimits(per_phone=2).refused(
        HoldLimit.PER_PHONE, NOW + timedelta(minutes=12, seconds=30), NOW
    )
    assert isinstance(refusal, TooManyHolds)
    assert (refusal.limit, refusal.value, refusal.retry_after_s) == (
        "MAX_LIVE_HOLDS_PER_PHONE",
        2,
        750,
    )
    assert "MAX_LIVE_HOLDS_PER_PHONE=2" in refusal.message
    # A hold that lapses right now still means "retry in a second", never 0 or negative.
    assert HoldLimits().refused(HoldLimit.PER_CLIENT, NOW, NOW).retry_after_s == 1


def test_negative_limits_are_refused() -> None:
    with pytest.raises(InvalidValue):
        HoldLimits(per_client=-1)


@given(st.text(alphabet="+0123456789 -().٣x", max_size=24) | st.text(max_size=16))
@example("+54 9 11 5555-1234")
@example("0054 9 11 5555 1234")
@example("٣٣ 12")
def test_a_phone_key_is_its_ascii_digits_with_argentinas_mobile_9_folded(phone: str) -> None:
    digits = "".join(c for c in phone if "0" <= c <= "9").removeprefix("00")
    if digits.startswith("549") and len(digits) >= 12:
        digits = "54" + digits[3:]
    assert phone_key(phone) == digits[:32]
