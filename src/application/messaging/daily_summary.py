"""The owner's morning summary: the day's arrivals and departures, and what needs a look."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from application.messaging import console_pages
from application.messaging import scheduled_texts as words
from application.messaging.balance_reminders import balance_due, payments_unrecorded
from application.messaging.dispatch_outbox import OutboxSetup
from application.messaging.scheduling import Notification, queue_once, scheduled_key
from application.messaging.texts import ars
from application.ports.calendars import Feed
from application.ports.clock import Clock
from application.ports.ledger import DEFAULT_LEDGER_TERMS, LedgerTerms
from application.ports.outbox import EmailMessage, OutboxMessage, Topic, WhatsAppMessage
from application.ports.unit_of_work import UnitOfWork
from application.ports.whatsapp_templates import OWNER_DAILY_SUMMARY
from domain.booking.reservation import Reservation
from domain.calendar_sync.external_calendar import ExternalSource
from domain.messaging.schedule import Scheduled, ScheduleRules
from domain.money import Money

log = logging.getLogger("cabanas.scheduled")

# The action queue is counted up to this many of each kind ("500" reads as "a lot" anyway).
COUNT_UP_TO = 500
SOURCE_NAMES = {
    ExternalSource.AIRBNB: "Airbnb",
    ExternalSource.BOOKING: "Booking.com",
    ExternalSource.GOOGLE: "Google",
    ExternalSource.OTHER: "otro canal",
}


@dataclass(frozen=True, slots=True)
class SummarySetup:
    # A calendar feed is "not up to date" past this age (ICAL_STALE_MINUTES, as /healthz).
    feed_stale_after: timedelta = timedelta(minutes=20)


@dataclass(frozen=True, slots=True)
class SendDailySummary:
    """Rules:
    - once a day, from ``daily_summary_at`` (Argentine time) until the day ends, to the
      owner's WhatsApp (``ADMIN_WHATSAPP_NUMBER``; the ``resumen_diario`` template outside
      the 24 h window) and e-mail (``OWNER_EMAIL``); with neither, nothing is queued;
    - it says: the day's arrivals and departures (confirmed bookings: cabin, guest, code),
      the live holds, the balances due (``balance_due`` of bookings arriving from today until
      ``balance_reminder_days`` ahead; those whose payments were never recorded counted
      apart, "sin datos de pagos", never as owing their total), the calendar feeds' health
      (not synced within ``feed_stale_after``, or failing), and the action queue's open
      items: undeliverable messages and payment flags not yet settled, calendar feeds
      holding a release;
    - once, across passes, restarts and concurrent workers (``queue_once``).
    Returns 1 when it queued the day's summary, else 0."""

    uow: UnitOfWork
    clock: Clock
    rules: ScheduleRules
    owner: OutboxSetup
    setup: SummarySetup
    terms: LedgerTerms = DEFAULT_LEDGER_TERMS

    async def __call__(self) -> int:
        now = self.clock.now()
        day = self.rules.summary_due(now)
        if day is None or not (self.owner.admin_phone or self.owner.owner_email):
            return 0
        key = scheduled_key(Scheduled.DAILY_SUMMARY, day.isoformat())
        async with self.uow:
            if await self.uow.schedule.queued(key):
                return 0
            facts = await self._facts(day, now)
            panel = console_pages.absolute(self.owner.console_base_url, console_pages.TODAY)
            wording = words.daily_summary(facts, panel)
            values = words.summary_values(facts, panel)
            messages: list[OutboxMessage] = []
            if self.owner.admin_phone:
                messages.append(
                    WhatsAppMessage(
                        self.owner.admin_phone,
                        wording.text,
                        template=OWNER_DAILY_SUMMARY.use(*values),
                        topic=Topic.OWNER_DAILY_SUMMARY,
                    )
                )
            if self.owner.owner_email:
                messages.append(
                    EmailMessage(None, wording.subject, wording.email, Topic.OWNER_DAILY_SUMMARY)
                )
            notification = Notification(key, Scheduled.DAILY_SUMMARY, None, tuple(messages))
            queued = await queue_once(self.uow, notification, now)
            await self.uow.commit()
        if queued:
            log.info("daily_summary_queued", extra={"day": day.isoformat()})
        return int(queued)

    async def _facts(self, day: date, now: datetime) -> words.SummaryFacts:
        cabins = {a.id: a.name for a in await self.uow.accommodations.list(only_active=False)}
        schedule = self.uow.schedule

        def stays(found: list[Reservation] | tuple[Reservation, ...]) -> str:
            lines = [
                words.stay_line(cabins.get(r.accommodation_id, "?"), r.guest.name, r.code.display)
                for r in found
            ]
            return "; ".join(lines) or words.NOTHING

        arriving = await schedule.arriving(
            day, day + timedelta(days=self.rules.balance_reminder_lead)
        )
        owed, unknown = [], 0
        for r in arriving:
            if (d := await balance_due(self.uow, r, self.terms)) is not None:
                owed.append(d)
            elif await payments_unrecorded(self.uow, r, self.terms):
                unknown += 1
        total = sum((d.owed for d in owed), Money.zero(owed[0].owed.currency if owed else "ARS"))
        feeds = await self.uow.feeds.list_feeds(only_enabled=True)
        return words.SummaryFacts(
            day=day,
            arrivals=stays([r for r in arriving if r.stay.check_in == day]),
            departures=stays(list(await schedule.leaving(day, day))),
            live_holds=await schedule.live_holds(now),
            balances=words.balances_line(ars(total), len(owed), unknown),
            calendars=words.calendars_line(
                len(feeds),
                [self._feed_name(f, cabins) for f in feeds if self._stale(f, now)],
                [self._feed_name(f, cabins) for f in feeds if f.last_error],
            ),
            to_review=words.to_review_line(
                len(await self.uow.undeliverable.list_open(COUNT_UP_TO)),
                len(await self.uow.payments.needing_attention(COUNT_UP_TO))
                + len(await self.uow.ledger.open_flags(COUNT_UP_TO)),
                sum(1 for f in feeds if f.held_release is not None),
            ),
        )

    def _stale(self, feed: Feed, now: datetime) -> bool:
        return now - (feed.last_success_at or feed.created_at) > self.setup.feed_stale_after

    @staticmethod
    def _feed_name(feed: Feed, cabins: dict[int, str]) -> str:
        source = SOURCE_NAMES.get(feed.source, str(feed.source))
        return f"{source} de {cabins.get(feed.accommodation_id, '?')}"
