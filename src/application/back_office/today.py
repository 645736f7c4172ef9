"""Hoy: arrivals, departures, live holds and what needs a person."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from application.ports.back_office import BackOfficeReads, CalendarItem, Collision, FailedMessage
from application.ports.calendars import Feed
from application.ports.clock import Clock
from application.ports.conversations import ConversationStore, Handover
from application.ports.ledger import FlaggedPayment
from application.ports.payments import PaymentRecord
from application.ports.receipts import ReceiptSummary
from application.ports.unit_of_work import UnitOfWork
from domain.calendar import local_today
from domain.payments.payment import Attention

# The action queue looks this far ahead for collisions.
COLLISIONS_AHEAD = timedelta(days=365)
FAILED_MESSAGES_SHOWN = 5
RECEIPTS_SHOWN = 50
# Hoy lists the holds that lapse soonest; the rest are counted (and on the calendar), up to
# HOLDS_COUNTED: beyond it Hoy says "more than" (a flood of holds, not a business's day), and
# counting stops there, so the page costs the same however many there are.
HOLDS_SHOWN = 20
HOLDS_COUNTED = 1_000


@dataclass(frozen=True, slots=True)
class ActionQueue:
    refunds_owed: list[PaymentRecord] = field(default_factory=list)
    payments_to_check: list[PaymentRecord] = field(default_factory=list)
    # Payments recorded by hand whose amount matched nothing owed (unmatched, overpaid).
    flagged_payments: list[FlaggedPayment] = field(default_factory=list)
    collisions: list[Collision] = field(default_factory=list)
    held_feeds: list[Feed] = field(default_factory=list)
    failing_feeds: list[Feed] = field(default_factory=list)
    handovers: list[Handover] = field(default_factory=list)
    failed_messages: int = 0
    newest_failed: list[FailedMessage] = field(default_factory=list)
    receipts: list[ReceiptSummary] = field(default_factory=list)  # transfer receipts to review

    @property
    def empty(self) -> bool:
        return not (
            self.refunds_owed
            or self.payments_to_check
            or self.flagged_payments
            or self.collisions
            or self.held_feeds
            or self.failing_feeds
            or self.handovers
            or self.failed_messages
            or self.receipts
        )


@dataclass(frozen=True, slots=True)
class Today:
    today: date
    now: datetime
    arrivals: dict[date, list[CalendarItem]]
    departures: dict[date, list[CalendarItem]]
    holds: list[CalendarItem]
    live_holds: int
    queue: ActionQueue
    cabin_names: dict[int, str]
    # More than ``HOLDS_COUNTED`` live holds (``live_holds`` is then ``HOLDS_COUNTED``).
    holds_past_count: bool = False
    # What each confirmed booking arriving or leaving still owes, in cents (the owner's view
    # only): its total less what its ledger holds — the Reserva page's "Saldo"; None when its
    # ledger has nothing recorded ("sin datos de pagos": unknown, not the whole total).
    balances: dict[str, int | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GetToday:
    """Rules: "today" is the Argentine date; arrivals and departures of today and tomorrow
    count bookings and imported stays (not manual blocks); holds are the live ones, soonest to
    lapse first, at most ``HOLDS_SHOWN`` of them (and how many there are, up to
    ``HOLDS_COUNTED``; beyond it, that there are more). With
    ``money_and_feeds`` False (staff), the queue leaves out payments, transfer receipts, feeds
    and WhatsApp handovers, and no balance is read; with it, each confirmed booking arriving
    or leaving shows what it still owes, from its ledger (what was paid, not the deposit) —
    or, when its ledger has nothing recorded (confirmed before the ledger existed, or without
    an amount), that its payments are unknown, never its whole total
    (``domain.payments.standing``)."""

    reads: BackOfficeReads
    uow: UnitOfWork
    conversations: ConversationStore
    clock: Clock

    async def __call__(self, *, money_and_feeds: bool) -> Today:
        now = self.clock.now()
        today = local_today(now)
        days = (today, today + timedelta(days=1))
        items = await self.reads.items_between(today - timedelta(days=1), today + timedelta(2), now)
        stays = [i for i in items if i.kind != "block"]
        arrivals = {d: [i for i in stays if i.check_in == d] for d in days}
        departures = {d: [i for i in stays if i.check_out == d] for d in days}
        live, holds = await self.reads.live_holds(now, HOLDS_SHOWN, HOLDS_COUNTED + 1)
        collisions = await self.reads.collisions_between(today, today + COLLISIONS_AHEAD)
        failed, newest = await self.reads.failed_messages(FAILED_MESSAGES_SHOWN)
        queue = ActionQueue(collisions=collisions, failed_messages=failed, newest_failed=newest)
        names = await self.reads.cabin_names()
        if money_and_feeds:
            async with self.uow:
                payments = await self.uow.payments.needing_attention(50)
                flagged = await self.uow.ledger.open_flags(50)
                feeds = await self.uow.feeds.list_feeds()
                receipts = await self.uow.receipts.pending(RECEIPTS_SHOWN)
            queue = ActionQueue(
                refunds_owed=[p for p in payments if p.attention is Attention.REFUND_REQUIRED],
                payments_to_check=[
                    p
                    for p in payments
                    if p.attention not in (None, Attention.REFUND_REQUIRED, Attention.REFUNDED)
                ],
                flagged_payments=flagged,
                collisions=collisions,
                held_feeds=[f for f in feeds if f.held_release is not None],
                failing_feeds=[f for f in feeds if f.enabled and f.last_error],
                handovers=await self.conversations.handovers(),
                failed_messages=failed,
                newest_failed=newest,
                receipts=receipts,
            )
        balances: dict[str, int | None] = {}
        if money_and_feeds:
            confirmed = {
                i.code: i.total_cents
                for day in days
                for i in (*arrivals[day], *departures[day])
                if i.kind == "booking" and i.status == "confirmed"
            }
            held = await self.reads.money_held(sorted(confirmed))
            balances = {
                code: None if code not in held else max(0, total - held[code])
                for code, total in confirmed.items()
            }
        past_count = live > HOLDS_COUNTED
        live = min(live, HOLDS_COUNTED)
        return Today(
            today, now, arrivals, departures, holds, live, queue, names, past_count, balances
        )
