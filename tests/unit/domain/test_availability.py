from domain.booking.availability import REASON_OCCUPIED, assess, assess_all
from domain.booking.policy import BookingPolicy
from domain.money import Money
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


def test_assessing_all_cabins_gives_each_one_its_own_answer() -> None:
    cabins = [
        cabin(id=1),
        cabin(id=2, capacity=2),  # too small for 3 guests
        cabin(id=3, min_nights=4),  # the stay is 3 nights
        cabin(id=4, active=False),
        cabin(id=5),  # taken
        cabin(id=6, base_price=Money.of("50000")),  # its own price
    ]
    occupied = {5: [stay(11, 1)], 6: [stay(13, 2)]}  # 6: back to back, still free
    results = assess_all(cabins, stay(10, 3), 3, occupied, BookingPolicy(), TODAY)
    assert [(r.accommodation.id, r.available, r.reason_code) for r in results] == [
        (1, True, None),
        (2, False, "guests_out_of_range"),
        (3, False, "nights_out_of_range"),
        (4, False, "accommodation_inactive"),
        (5, False, REASON_OCCUPIED),
        (6, True, None),
    ]
    # Friday to Monday: two weekend nights at ×1.5 and a Sunday; 30 % deposit. A rule refusal
    # carries no quote; a taken cabin still does.
    assert [
        (r.quote.total, r.quote.deposit, r.quote.nights) if r.quote else None for r in results
    ] == [
        (Money.of("400000"), Money.of("120000"), 3),
        None,
        None,
        None,
        (Money.of("400000"), Money.of("120000"), 3),
        (Money.of("200000"), Money.of("60000"), 3),
    ]
    assert [r.reason for r in results][1:5] == [
        "Cabaña del Lago hosts 1 to 2 guests; asked for 3",
        "Cabaña del Lago takes stays of 4 to 30 nights; asked for 3",
        "Cabaña del Lago is not taking bookings",
        "some of those nights are already taken",
    ]


def test_a_stay_refused_for_its_dates_is_refused_for_every_open_cabin() -> None:
    cabins = [cabin(id=1), cabin(id=2, active=False), cabin(id=3, capacity=1)]
    results = assess_all(cabins, stay(-1, 3), 2, {}, BookingPolicy(), TODAY)
    # The closed cabin says so first; every other one gets the date rule, before its own fit.
    assert [r.reason_code for r in results] == [
        "check_in_in_past",
        "accommodation_inactive",
        "check_in_in_past",
    ]
    assert not any(r.available for r in results)
    assert results[0].reason is not None
    assert "is in the past" in results[0].reason
