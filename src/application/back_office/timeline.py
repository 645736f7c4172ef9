"""A reservation's story on its page: created, messages, payments, what people did."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from application.back_office.reservations import load_reservation
from application.ports.back_office import BackOfficeReads
from application.ports.unit_of_work import UnitOfWork

TIMELINE_LIMIT = 200
# Audit entries that speak of money: left out of the staff's view.
MONEY_ACTIONS = frozenset(
    {
        "reservation.confirm_manually",
        "reservation.payment",
        "reservation.refund",
        "reservation.credit",
        "reservation.receipt_rejected",
        "payment.attention_resolve",
        "payment.money_to_return",
    }
)


def _without_money(details: Mapping[str, object]) -> dict[str, object]:
    """What the staff may read of an entry they see: no amount (``*_cents``)."""
    return {k: v for k, v in details.items() if not k.endswith("_cents")}


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    at: datetime
    kind: str  # created | audit | message | payment
    what: str  # the audit action, the message topic, the payment status…
    actor: str | None = None
    details: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GetReservationTimeline:
    """Rules: oldest first; the creation, the messages still in the outbox, the payments
    Mercado Pago reported and every audit entry about the reservation. Without ``money``
    (staff), payments and audit entries about money are left out, and the entries kept carry
    no amount (a cancellation's money to give back, say)."""

    uow: UnitOfWork
    reads: BackOfficeReads

    async def __call__(self, raw_code: str, *, money: bool) -> list[TimelineEvent]:
        async with self.uow:
            reservation = await load_reservation(self.uow, raw_code)
            payments = await self.uow.payments.for_reservation(reservation.code.value)
        code = reservation.code.value
        events = [
            TimelineEvent(reservation.created_at, "created", reservation.channel.value),
        ]
        for entry in await self.reads.audit_of(code, TIMELINE_LIMIT):
            if money:
                details = {**entry.after}
            elif entry.action in MONEY_ACTIONS:
                continue
            else:
                details = _without_money(entry.after)
            events.append(TimelineEvent(entry.at, "audit", entry.action, entry.actor, details))
        for message in await self.reads.messages_of(code, TIMELINE_LIMIT):
            events.append(
                TimelineEvent(
                    message.sent_at or message.created_at,
                    "message",
                    message.topic or message.kind,
                    None,
                    {"kind": message.kind, "status": message.status},
                )
            )
        if money:
            for record in payments:
                events.append(
                    TimelineEvent(
                        record.payment.approved_at or record.first_seen_at,
                        "payment",
                        record.payment.status.value,
                        None,
                        {"amount_cents": record.payment.amount.cents, "id": record.payment.id},
                    )
                )
        return sorted(events, key=lambda e: e.at)
