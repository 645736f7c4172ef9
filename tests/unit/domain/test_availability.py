from domain.availability import REASON_OCCUPIED, assess
from domain.policy import BookingPolicy
from tests.unit.domain.builders import TODAY, cabin, stay


def test_free_accommodation_is_available_with_a_quote() -> None:
    result = assess(cabin(), stay(10, 3), 2, [], BookingPolicy(), TODAY)
    assert result.available
    assert result.quote is not None
    assert result.reason is None


def test_overlap_makes_it_unavailable_but_still_quoted() -> None:
    result = assess(cabin(), stay(10, 3), 2, [stay(12, 2)], BookingPolicy(), TODAY)
    assert not result.available
    assert result.reason_code == REASON_OCCUPIED
    assert result.quote is not None


def test_back_to_back_is_available() -> None:
    result = assess(cabin(), stay(10, 3), 2, [stay(13, 2), stay(7, 3)], BookingPolicy(), TODAY)
    assert result.available


def test_rule_violations_come_with_their_reason() -> None:
    result = assess(cabin(capacity=2), stay(10, 3), 3, [], BookingPolicy(), TODAY)
    assert not result.available
    assert result.reason_code == "guests_out_of_range"
    assert result.reason is not None
    assert "1 to 2 guests" in result.reason
