"""The messages around a stay: arrival information, the check-out reminder, the thank-you."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from application.messaging import console_pages
from application.messaging import scheduled_texts as words
from application.messaging.scheduling import Notification, queue_once, scheduled_key, to_guest
from application.messaging.texts import day_month, first_name
from application.ports.clock import Clock
from application.ports.outbox import OwnerAlert, Topic
from application.ports.unit_of_work import UnitOfWork
from application.ports.whatsapp_templates import CHECK_OUT_REMINDER, PRE_ARRIVAL, THANK_YOU
from domain.booking.reservation import Reservation, ReservationStatus
from domain.calendar import local_today
from domain.messaging.cabin_texts import DEFAULT_TEXTS
from domain.messaging.opt_out import NEEDS_CONSENT
from domain.messaging.schedule import DEPARTURE_KINDS, Scheduled, ScheduleRules
from domain.messaging.service_window import whatsapp_id

log = logging.getLogger("cabanas.scheduled")


@dataclass(frozen=True, slots=True)
class SendStayMessages:
    """Rules:
    - each confirmed booking (not a hold, a block or a stay imported from another channel)
      gets the pre-arrival information, the check-out reminder and the thank-you with the
      review link, each once and only within its window (``ScheduleRules``, Argentine time);
    - by WhatsApp — the approved template outside the guest's 24 h window — and by e-mail
      when the guest gave one, through the outbox;
    - a booking cancelled meanwhile gets nothing: its status is read again in the
      transaction that queues the message;
    - the pre-arrival message needs the cabin's address: without one nothing goes, the owner
      is alerted (once a day per cabin), and it goes on a later pass once the address is
      saved, if its window is still open;
    - the thank-you needs the cabin's review link; without one it is not sent;
    - a guest whose number replied BAJA gets no message that needs consent (the thank-you),
      on WhatsApp or by e-mail; the others are transactional and go (``NEEDS_CONSENT``); an
      opt-out is read when the message is due, so an ALTA in time brings it back;
    - once, across passes, restarts and concurrent workers (``queue_once``).
    Returns how many notifications it queued."""

    uow: UnitOfWork
    clock: Clock
    rules: ScheduleRules

    async def __call__(self) -> int:
        now = self.clock.now()
        async with self.uow:
            arriving = await self.uow.schedule.arriving(*self.rules.arrivals_to_consider(now))
            leaving = await self.uow.schedule.leaving(*self.rules.departures_to_consider(now))
        due = [(Scheduled.PRE_ARRIVAL, r) for r in arriving]
        due += [(kind, r) for r in leaving for kind in DEPARTURE_KINDS]
        queued = 0
        for kind, reservation in due:
            if self.rules.is_due(kind, reservation.stay, now):
                queued += await self._queue(kind, reservation, now)
        if queued:
            log.info("stay_messages_queued", extra={"count": queued})
        return queued

    async def _queue(self, kind: Scheduled, reservation: Reservation, now: datetime) -> int:
        key = scheduled_key(kind, reservation.code.value)
        async with self.uow:
            if await self.uow.schedule.queued(key):
                return 0
            current = await self.uow.reservations.get(reservation.code)
            if current is None or current.status is not ReservationStatus.CONFIRMED:
                return 0
            notification = await self._compose(kind, key, current, now)
            queued = notification is not None and await queue_once(self.uow, notification, now)
            await self.uow.commit()  # the claim and its rows, or an alert to the owner
        return int(queued)

    async def _compose(
        self, kind: Scheduled, key: str, r: Reservation, now: datetime
    ) -> Notification | None:
        cabin = await self.uow.accommodations.get(r.accommodation_id)
        cabin_name = cabin.name if cabin else "la cabaña"
        texts = await self.uow.cabin_texts.get(r.accommodation_id) or DEFAULT_TEXTS
        name, code = first_name(r.guest.name), r.code.display
        today = local_today(now)
        if kind is Scheduled.PRE_ARRIVAL:
            if not texts.address:
                await self._address_missing(cabin_name, r, now)
                return None
            when = f"{texts.check_in_time:%H:%M}"
            messages = to_guest(
                r,
                Topic.PRE_ARRIVAL,
                PRE_ARRIVAL.use(
                    name,
                    cabin_name,
                    day_month(r.stay.check_in, today),
                    when,
                    texts.address,
                    texts.map_link,
                    texts.keys,
                ),
                words.pre_arrival(
                    name,
                    code,
                    cabin_name,
                    r.stay.check_in,
                    texts.check_in_time,
                    texts.address,
                    texts.map_link,
                    texts.keys,
                    today,
                ),
            )
        elif kind is Scheduled.CHECK_OUT_REMINDER:
            messages = to_guest(
                r,
                Topic.CHECK_OUT_REMINDER,
                CHECK_OUT_REMINDER.use(
                    name,
                    day_month(r.stay.check_out, today),
                    cabin_name,
                    f"{texts.check_out_time:%H:%M}",
                    texts.check_out_note,
                ),
                words.check_out_reminder(
                    name,
                    cabin_name,
                    r.stay.check_out,
                    texts.check_out_time,
                    texts.check_out_note,
                    today,
                ),
            )
        else:
            if not texts.review_url or await self._opted_out(kind, r):
                return None
            messages = to_guest(
                r,
                Topic.THANK_YOU,
                THANK_YOU.use(name, cabin_name, texts.thank_you_note, texts.review_url),
                words.thank_you(name, cabin_name, texts.thank_you_note, texts.review_url),
            )
        return Notification(key, kind, r.code.value, messages)

    async def _opted_out(self, kind: Scheduled, r: Reservation) -> bool:
        """A guest who replied BAJA gets no message that needs consent, on any channel."""
        return kind in NEEDS_CONSENT and await self.uow.opt_outs.opted_out(
            whatsapp_id(r.guest.phone)
        )

    async def _address_missing(self, cabin: str, r: Reservation, now: datetime) -> None:
        await self.uow.outbox.put(
            OwnerAlert(
                words.admin_cabin_without_address(cabin, r.code.display),
                console_pages.cabin(r.accommodation_id),
            ),
            now,
            dedupe_key=f"alert:cabin-address:{r.accommodation_id}:{local_today(now).isoformat()}",
        )
