"""When each scheduled message is due, in Argentine time (the business's clock).

A guest message has a window: from its first day at its hour until its last day, and within
each day only during the sending hours (from ``guest_messages_at`` until ``quiet_from``): never
at night, even when the worker comes back from an outage then; a message whose window closed
while nobody sent it is not sent late. The owner's daily summary is due from
``daily_summary_at`` until midnight of its day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from domain.calendar import ARGENTINA, local_today
from domain.errors import InvalidValue
from domain.stay import Stay

MAX_DAYS_AHEAD = 60
MAX_BALANCE_DUE_DAYS = 365  # as BALANCE_DUE_DAYS allows
# The thank-you may still go this many days after check-out (an outage on the day after).
THANK_YOU_DAYS = 2
QUIET_FROM = time(22, 0)


class Scheduled(StrEnum):
    PRE_ARRIVAL = "pre_arrival"
    BALANCE_REMINDER = "balance_reminder"
    CHECK_OUT_REMINDER = "check_out_reminder"
    THANK_YOU = "thank_you"
    DAILY_SUMMARY = "daily_summary"


ARRIVAL_KINDS = (Scheduled.PRE_ARRIVAL, Scheduled.BALANCE_REMINDER)
DEPARTURE_KINDS = (Scheduled.CHECK_OUT_REMINDER, Scheduled.THANK_YOU)


@dataclass(frozen=True, slots=True)
class ScheduleRules:
    """Rules:
    - pre-arrival: from ``pre_arrival_days`` before check-in until the check-in day;
    - balance reminder: from ``balance_reminder_days`` before the balance is due (which is
      ``balance_due_days`` before check-in: the ledger's ``BALANCE_DUE_DAYS``) until the day
      before check-in;
    - check-out reminder: the evening before check-out, from ``check_out_reminder_at``;
    - thank-you: from the day after check-out, for ``THANK_YOU_DAYS`` days;
    - guest messages only from ``guest_messages_at`` to ``QUIET_FROM`` each day;
    - the owner's summary from ``daily_summary_at`` until the day ends.
    """

    pre_arrival_days: int = 2
    balance_reminder_days: int = 7
    balance_due_days: int = 0
    guest_messages_at: time = time(10, 0)
    check_out_reminder_at: time = time(19, 0)
    daily_summary_at: time = time(8, 0)

    def __post_init__(self) -> None:
        if not 0 <= self.pre_arrival_days <= MAX_DAYS_AHEAD:
            raise InvalidValue(f"pre_arrival_days is from 0 to {MAX_DAYS_AHEAD}")
        if not 1 <= self.balance_reminder_days <= MAX_DAYS_AHEAD:
            raise InvalidValue(f"balance_reminder_days is from 1 to {MAX_DAYS_AHEAD}")
        if not 0 <= self.balance_due_days <= MAX_BALANCE_DUE_DAYS:
            raise InvalidValue(f"balance_due_days is from 0 to {MAX_BALANCE_DUE_DAYS}")
        if not self.guest_messages_at <= self.check_out_reminder_at < QUIET_FROM:
            raise InvalidValue(
                "guest messages go between guest_messages_at and 22:00, and the check-out "
                "reminder within those hours"
            )

    def _days(self, kind: Scheduled, stay: Stay) -> tuple[date, date]:
        """The first and last local days of ``kind``'s window for this stay."""
        if kind is Scheduled.PRE_ARRIVAL:
            return stay.check_in - timedelta(days=self.pre_arrival_days), stay.check_in
        if kind is Scheduled.BALANCE_REMINDER:
            first = stay.check_in - timedelta(days=self.balance_reminder_lead)
            return first, stay.check_in - timedelta(days=1)
        if kind is Scheduled.CHECK_OUT_REMINDER:
            eve = stay.check_out - timedelta(days=1)
            return eve, eve
        if kind is Scheduled.THANK_YOU:
            after = stay.check_out + timedelta(days=1)
            return after, after + timedelta(days=THANK_YOU_DAYS - 1)
        raise ValueError(f"{kind} is not about a stay")

    @property
    def balance_reminder_lead(self) -> int:
        """How many days before check-in the balance reminder may go: its days before the
        balance is due, plus the days before check-in it is due."""
        return self.balance_due_days + self.balance_reminder_days

    def _opens_at(self, kind: Scheduled) -> time:
        if kind is Scheduled.CHECK_OUT_REMINDER:
            return self.check_out_reminder_at
        return self.guest_messages_at

    def is_due(self, kind: Scheduled, stay: Stay, now: datetime) -> bool:
        """Whether a message about ``stay`` may go at ``now`` (timezone-aware)."""
        local = now.astimezone(ARGENTINA)
        first, last = self._days(kind, stay)
        return first <= local.date() <= last and self._opens_at(kind) <= local.time() < QUIET_FROM

    def summary_due(self, now: datetime) -> date | None:
        """The day whose summary is due at ``now``, or None before ``daily_summary_at``."""
        local = now.astimezone(ARGENTINA)
        return local.date() if local.time() >= self.daily_summary_at else None

    def arrivals_to_consider(self, now: datetime) -> tuple[date, date]:
        """Check-in days (first, last) whose stays may have an arrival message due today."""
        today = local_today(now)
        ahead = max(self.pre_arrival_days, self.balance_reminder_lead)
        return today, today + timedelta(days=ahead)

    def departures_to_consider(self, now: datetime) -> tuple[date, date]:
        """Check-out days (first, last) whose stays may have a departure message due today."""
        today = local_today(now)
        return today - timedelta(days=THANK_YOU_DAYS), today + timedelta(days=1)
