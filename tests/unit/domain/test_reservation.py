from datetime import timedelta

import pytest

from domain.booking.reservation import ReservationStatus, effective_status
from domain.calendar import local_today
from domain.errors import IllegalTransition
from tests.unit.domain.builders import NOW, hold


def test_a_hold_can_be_confirmed_then_cancelled() -> None:
    r = hold()
    r.confirm(NOW)
    assert r.status is ReservationStatus.CONFIRMED
    assert r.expires_at is None
    r.cancel(NOW)
    assert r.status is ReservationStatus.CANCELLED
    assert [(e.old, e.new) for e in r.events] == [
        (ReservationStatus.PRE_RESERVED, ReservationStatus.CONFIRMED),
        (ReservationStatus.CONFIRMED, ReservationStatus.CANCELLED),
    ]


@pytest.mark.parametrize("first", ["expire", "cancel"])
@pytest.mark.parametrize("then", ["confirm", "expire", "cancel"])
def test_ended_reservations_cannot_move(first: str, then: str) -> None:
    r = hold()
    getattr(r, first)(NOW)
    with pytest.raises(IllegalTransition):
        getattr(r, then)(NOW)


def test_a_confirmed_booking_cannot_expire() -> None:
    r = hold()
    r.confirm(NOW)
    with pytest.raises(IllegalTransition, match="cannot become expired"):
        r.expire(NOW)


def test_a_lapsed_hold_reads_as_expired() -> None:
    r = hold(expires_at=NOW + timedelta(minutes=30))
    assert effective_status(r, NOW) is ReservationStatus.PRE_RESERVED
    assert effective_status(r, NOW + timedelta(minutes=30)) is ReservationStatus.EXPIRED
    assert r.is_active  # until something records it


def test_local_today_is_argentine() -> None:
    # 02:00 UTC on Dec 2 is still Dec 1 in Buenos Aires (UTC-3).
    assert str(local_today(NOW.replace(day=2, hour=2))) == "2026-12-01"
    with pytest.raises(ValueError, match="timezone-aware"):
        local_today(NOW.replace(tzinfo=None))
