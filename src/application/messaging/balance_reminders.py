"""Reminding guests of the balance they owe before they arrive."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from application.messaging import scheduled_texts as words
from application.messaging.scheduling import Notification, queue_once, scheduled_key, to_guest
from application.messaging.texts import ars, day_month, first_name
from application.ports.clock import Clock
from application.ports.ledger import DEFAULT_LEDGER_TERMS, LedgerTerms
from application.ports.outbox import OutboxMessage, PaymentLinkJob, Topic
from application.ports.unit_of_work import UnitOfWork
from application.ports.whatsapp_templates import BALANCE_LINK, BALANCE_REMINDER
from domain.booking.reservation import Reservation, ReservationStatus
from domain.calendar import ARGENTINA, local_today
from domain.messaging.schedule import Scheduled, ScheduleRules
from domain.money import Money
from domain.payments.checkout import CheckoutPurpose
from domain.payments.standing import standing

log = logging.getLogger("cabanas.scheduled")


@dataclass(frozen=True, slots=True)
class BalanceLinks:
    """Whether balance reminders carry a Mercado Pago link (payments configured)."""

    enabled: bool = False


@dataclass(frozen=True, slots=True)
class BalanceDue:
    owed: Money
    deadline: date


async def balance_due(
    uow: UnitOfWork, reservation: Reservation, terms: LedgerTerms
) -> BalanceDue | None:
    """What a booking still owes, and by when; None when nothing.

    The one place that decides it (the reminder and the owner's summary both ask here), read
    from the booking's stored ledger (``LedgerRepository.load``: every payment recorded — by
    Mercado Pago or by the owner — net of refunds and credits): only a confirmed booking owes
    a balance; it owes ``BookingLedger.balance_due`` by ``BookingLedger.balance_due_on``
    (``BALANCE_DUE_DAYS`` before check-in). A confirmed booking with nothing in its ledger
    (confirmed before the ledger existed, or without an amount) owes an unknown balance
    (``domain.payments.standing``): never its whole total — no reminder asks the guest for it,
    and the owner's summary does not count it."""
    if reservation.status is not ReservationStatus.CONFIRMED:
        return None
    ledger = await uow.ledger.load(reservation, terms)
    if not standing(ledger, reservation.status).payments_known:
        return None
    if ledger.balance_due.cents <= 0:
        return None
    return BalanceDue(ledger.balance_due, ledger.balance_due_on)


async def payments_unrecorded(
    uow: UnitOfWork, reservation: Reservation, terms: LedgerTerms
) -> bool:
    """A confirmed booking whose balance is unknown: nothing in its ledger
    (``domain.payments.standing``'s ``payments_known``)."""
    if reservation.status is not ReservationStatus.CONFIRMED:
        return False
    ledger = await uow.ledger.load(reservation, terms)
    return not standing(ledger, reservation.status).payments_known


def balance_link_expiry(check_in: date) -> datetime:
    """A balance link works until the end of the check-in day (Argentine time): the balance
    may still be paid on arrival."""
    return datetime.combine(check_in + timedelta(days=1), time(0), tzinfo=ARGENTINA)


async def queue_balance_reminder(
    uow: UnitOfWork, reservation: Reservation, due: BalanceDue, now: datetime, url: str
) -> None:
    """The balance reminder with its Mercado Pago link (WhatsApp, its template outside the
    24 h window, and e-mail), once per booking (its rows' keys)."""
    cabin = await uow.accommodations.get(reservation.accommodation_id)
    today = local_today(now)
    facts = (
        first_name(reservation.guest.name),
        reservation.code.display,
        cabin.name if cabin else "la cabaña",
    )
    messages = to_guest(
        reservation,
        Topic.BALANCE_REMINDER,
        BALANCE_LINK.use(*facts, ars(due.owed), day_month(due.deadline, today), url),
        words.balance_link(*facts, ars(due.owed), due.deadline, url, today),
    )
    key = f"balance-link:{reservation.code.value}"
    for i, message in enumerate(messages):
        await uow.outbox.put(message, now, dedupe_key=key if i == 0 else f"{key}:{i}", group=key)


@dataclass(frozen=True, slots=True)
class RemindBalancesDue:
    """Rules:
    - a booking that owes a balance (``balance_due``) is reminded once, from
      ``balance_reminder_days`` before check-in until the day before (``ScheduleRules``);
    - by WhatsApp (the ``recordatorio_saldo`` template outside the 24 h window) and by e-mail
      when the guest gave one; a transactional message, sent whatever the guest's opt-out;
    - what it owes is read again in the transaction that queues the reminder: a booking
      cancelled or paid in full meanwhile is not reminded;
    - once, across passes, restarts and concurrent workers (``queue_once``);
    - with ``links`` (Mercado Pago configured), what is queued is the balance's checkout job:
      the outbox creates the link (``CODE:balance``, for what is owed then) and sends the
      reminder with it (``saldo_link_de_pago``); a provider down delays it, retried.
    Returns how many reminders it queued."""

    uow: UnitOfWork
    clock: Clock
    rules: ScheduleRules
    terms: LedgerTerms = DEFAULT_LEDGER_TERMS
    links: BalanceLinks = field(default_factory=BalanceLinks)

    async def __call__(self) -> int:
        now = self.clock.now()
        async with self.uow:
            arriving = await self.uow.schedule.arriving(*self.rules.arrivals_to_consider(now))
        queued = 0
        for reservation in arriving:
            if self.rules.is_due(Scheduled.BALANCE_REMINDER, reservation.stay, now):
                queued += await self._remind(reservation, now)
        if queued:
            log.info("balance_reminders_queued", extra={"count": queued})
        return queued

    async def _remind(self, reservation: Reservation, now: datetime) -> int:
        key = scheduled_key(Scheduled.BALANCE_REMINDER, reservation.code.value)
        async with self.uow:
            if await self.uow.schedule.queued(key):
                return 0
            current = await self.uow.reservations.get(reservation.code)
            due = None if current is None else await balance_due(self.uow, current, self.terms)
            if current is None or due is None:
                return 0
            cabin = await self.uow.accommodations.get(current.accommodation_id)
            today = local_today(now)
            facts = (
                first_name(current.guest.name),
                current.code.display,
                cabin.name if cabin else "la cabaña",
            )
            messages: tuple[OutboxMessage, ...] = to_guest(
                current,
                Topic.BALANCE_REMINDER,
                BALANCE_REMINDER.use(*facts, ars(due.owed), day_month(due.deadline, today)),
                words.balance_reminder(*facts, ars(due.owed), due.deadline, today),
            )
            if self.links.enabled and messages:
                messages = (PaymentLinkJob(current.code.value, CheckoutPurpose.BALANCE.value),)
            notification = Notification(
                key, Scheduled.BALANCE_REMINDER, current.code.value, messages
            )
            queued = await queue_once(self.uow, notification, now)
            await self.uow.commit()
        return int(queued)
