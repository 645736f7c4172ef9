"""A payment's attention flag leaves the owner's queue when the owner has dealt with it: the
payment recorded in a booking's ledger, the money given back, or dismissed with a reason (by
hand on Pagos or the admin API; on its own when the owner records a payment or a refund on the
flagged booking). A payment the owner recorded by hand whose amount matched nothing owed
(``unmatched``, ``overpaid``) waits there too until the owner settles it on Pagos
(``ResolveLedgerFlag``), or until it settles on its own (``settle_ledger_flags``: the booking's
ledger lines up again, or its money to give back became the booking's own item). Hoy and the
daily summary count only the open flags."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from application.ports.audit import AuditEntry
from application.ports.clock import Clock
from application.ports.ledger import QUEUE_FLAGS, FlaggedPayment
from application.ports.unit_of_work import UnitOfWork
from domain.errors import InvalidValue, NotFound
from domain.payments.ledger import BookingLedger, PaymentMethod
from domain.payments.payment import Attention

DISMISSED = "dismissed"
MAX_REASON = 500


class QueueItemNotOpen(NotFound):
    code = "queue_item_not_open"


class PaymentResolution(StrEnum):
    PAYMENT_RECORDED = "payment_recorded"  # the owner recorded it in a booking's ledger
    REFUNDED = "refunded"  # the owner gave the money back
    DISMISSED = "dismissed"  # nothing to do, with the owner's reason
    CREDITED = "credited"  # kept for the guest as credit (set by the credit itself)
    # A Mercado Pago payment's flag whose money is its booking's money to give back: the
    # booking's own item (``money_to_return``) carries it from then on (set by that item).
    MONEY_TO_RETURN = "money_to_return"


# A booking's money to give back is settled by its refund or credit, recorded on the booking;
# by hand it can only be dismissed.
BY_HAND = frozenset(
    {PaymentResolution.PAYMENT_RECORDED, PaymentResolution.REFUNDED, PaymentResolution.DISMISSED}
)


def required_reason(resolution: StrEnum, reason: str | None) -> str | None:
    text = (reason or "").strip()[:MAX_REASON] or None
    if resolution.value == DISMISSED and text is None:
        raise InvalidValue("say why it is dismissed (a reason is required)")
    return text


@dataclass(frozen=True, slots=True)
class ResolvePaymentAttention:
    """Rules: only an open flag is settled (else ``QueueItemNotOpen``); dismissing needs a
    reason; a credit settles only by being issued; a booking's money to give back
    (``money_to_return``) is settled by its refund or credit on the booking, or dismissed
    (the cancellation policy keeps it); the same flag coming again from Mercado Pago stays
    settled, another one reopens it; audited (``payment.attention_resolve``)."""

    uow: UnitOfWork
    clock: Clock

    async def __call__(
        self, payment_id: str, resolution: PaymentResolution, reason: str | None, actor: str
    ) -> None:
        why = required_reason(resolution, reason)
        if resolution not in BY_HAND:
            raise InvalidValue(f"'{resolution.value}' is set by the booking's money, not by hand")
        now = self.clock.now()
        async with self.uow:
            known = await self.uow.payments.get(payment_id)
            if (
                known is not None
                and known.money_to_return
                and resolution is not PaymentResolution.DISMISSED
            ):
                raise InvalidValue(
                    "record the refund or credit on the booking (it settles this by itself), "
                    "or dismiss it with a reason"
                )
            if not await resolve_audited(self.uow, payment_id, resolution, why, actor, now):
                raise QueueItemNotOpen("that payment has no open attention flag")
            await self.uow.commit()


async def resolve_audited(
    uow: UnitOfWork,
    payment_id: str,
    resolution: PaymentResolution,
    reason: str | None,
    actor: str,
    now: datetime,
) -> bool:
    """Settle one payment's open flag and audit it (``payment.attention_resolve``, under its
    booking's code); False when it had none open."""
    record = await uow.payments.resolve_attention(payment_id, resolution.value, now)
    if record is None:
        return False
    await uow.audit.record(
        AuditEntry(
            actor,
            "payment.attention_resolve",
            record.reservation_code or f"payment:{payment_id}",
            now,
            before={
                "payment": payment_id,
                "attention": record.attention.value if record.attention else None,
            },
            after={"resolution": resolution.value, "reason": reason},
        )
    )
    return True


async def settle_flags(
    uow: UnitOfWork,
    code: str,
    which: frozenset[Attention],
    resolution: PaymentResolution,
    actor: str,
    now: datetime,
) -> list[str]:
    """Inside the caller's transaction: settle the booking's open flags of these kinds (the
    owner's action on the booking answered them), audited; the payments' ids."""
    settled = []
    for record in await uow.payments.for_reservation(code):
        if record.attention not in which or record.attention_resolved_at is not None:
            continue
        if await resolve_audited(uow, record.payment.id, resolution, None, actor, now):
            settled.append(record.payment.id)
    return settled


MAX_FLAGS_PAGE = 200
# How a payment recorded by hand that matched nothing left the queue on its own: the booking's
# ledger lines up again (``BookingLedger.lines_up``), or its money to give back, once it gives
# no nights, is the booking's own item (``money_to_return``).
LEDGER_LINED_UP = "ledger_lined_up"


async def settle_ledger_flags(
    uow: UnitOfWork,
    ledger: BookingLedger,
    code: str,
    resolution: str,
    actor: str,
    now: datetime,
) -> list[int]:
    """Inside the caller's transaction: settle the open flags of the booking's payments
    recorded by hand, audited (``payment.attention_resolve``); their ids. A ledger with no
    such flag at all (most) asks the database nothing."""
    if not any(
        p.flag in QUEUE_FLAGS and p.method is not PaymentMethod.MERCADOPAGO for p in ledger.payments
    ):
        return []
    settled = await uow.ledger.resolve_flags_of(code, resolution, now)
    for item in settled:
        await uow.audit.record(_ledger_flag_settled(item, resolution, None, actor, now))
    return [item.id for item in settled]


def _ledger_flag_settled(
    item: FlaggedPayment, resolution: str, reason: str | None, actor: str, now: datetime
) -> AuditEntry:
    """The audit line of a settled flag of a payment recorded by hand, under its booking."""
    return AuditEntry(
        actor,
        "payment.attention_resolve",
        item.code,
        now,
        before={
            "ledger_payment": item.id,
            "method": item.method.value,
            "amount_cents": item.amount.cents,
            "flag": item.flag.value,
        },
        after={"resolution": resolution, "reason": reason},
    )


@dataclass(frozen=True, slots=True)
class ListLedgerFlags:
    """The payments recorded by hand whose amount matched nothing owed (``unmatched``,
    ``overpaid``) and that the owner has not settled yet, newest first."""

    uow: UnitOfWork

    async def __call__(self, limit: int = 50) -> list[FlaggedPayment]:
        async with self.uow:
            return await self.uow.ledger.open_flags(min(max(limit, 1), MAX_FLAGS_PAGE))


@dataclass(frozen=True, slots=True)
class ResolveLedgerFlag:
    """Rules: the owner settles a payment recorded by hand that matched nothing owed by
    saying what became of it — the reason is required (kept, given back, a typo corrected by
    a refund of the excess…): the ledger already counts the money, and whether an excess is
    kept, refunded or left as credit is the owner's call, recorded on the reservation page.
    Only an open flag is settled (else ``QueueItemNotOpen``); audited like a Mercado Pago
    payment's (``payment.attention_resolve``, under its booking's code)."""

    uow: UnitOfWork
    clock: Clock

    async def __call__(self, item_id: int, reason: str | None, actor: str) -> FlaggedPayment:
        why = required_reason(PaymentResolution.DISMISSED, reason)
        now = self.clock.now()
        async with self.uow:
            settled = await self.uow.ledger.resolve_flag(
                item_id, PaymentResolution.DISMISSED.value, now
            )
            if settled is None:
                raise QueueItemNotOpen("that payment has no open attention flag")
            await self.uow.audit.record(
                _ledger_flag_settled(settled, PaymentResolution.DISMISSED.value, why, actor, now)
            )
            await self.uow.commit()
        return settled
