"""The one backoff rule, with the schedules it gives webhook deliveries and the outbox."""

from __future__ import annotations

from datetime import timedelta

from application.inbox.deliveries import DELIVERY_BACKOFF, MAX_DELIVERY_ATTEMPTS
from application.messaging.dispatch_outbox import MAX_ATTEMPTS, OUTBOX_BACKOFF
from application.messaging.retry import Backoff

MINUTE = timedelta(minutes=1)


def test_deliveries_wait_1_2_4_minutes_and_never_more_than_two_hours() -> None:
    minutes = [wait / MINUTE for wait in DELIVERY_BACKOFF.schedule(MAX_DELIVERY_ATTEMPTS)]
    assert minutes[:8] == [1, 2, 4, 8, 16, 32, 64, 120]
    assert set(minutes[7:]) == {120}


def test_a_delivery_is_tried_for_about_a_day_before_it_is_given_up() -> None:
    # The last failure gives up instead of waiting: the waits before it are what counts.
    span = sum(DELIVERY_BACKOFF.schedule(MAX_DELIVERY_ATTEMPTS - 1), timedelta())
    assert timedelta(hours=20) < span < timedelta(hours=30)


def test_the_outbox_waits_30_s_doubling_up_to_an_hour() -> None:
    seconds = [wait.total_seconds() for wait in OUTBOX_BACKOFF.schedule(MAX_ATTEMPTS)]
    assert seconds[:4] == [30, 60, 120, 240]
    assert max(seconds) == 3600


def test_no_attempt_count_overflows_the_wait() -> None:
    backoff = Backoff(first=timedelta(seconds=30), cap=timedelta(hours=1))
    assert backoff.after(0) == timedelta(seconds=30)
    assert backoff.after(10_000) == timedelta(hours=1)
