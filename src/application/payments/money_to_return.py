"""Money a booking holds once it gives no nights (cancelled, or a lapsed hold) goes back to the
guest, as a refund or a credit. Until it has, it waits in the owner's queue — Pagos, Hoy and the
daily summary — as one ``refund_required`` item per booking beside Mercado Pago's flagged
payments, kept in step with the booking's ledger by every movement of its money, and by the
sync process for what changes without one (a hold lapsing, bookings from before the queue).

One sum of money is one item: the booking's item is the source of truth for what goes back (it
follows the ledger: every payment, refund and credit, by any means). A Mercado Pago flag about
money that item carries (``FOLDED_FLAGS``: paid for nights we no longer give, or short of a
deposit that no longer matters) is settled into it (``money_to_return``, audited), so Pagos,
``/admin/payments`` and Hoy show the booking once, and its refund or credit settles it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from application.payments.attention import (
    LEDGER_LINED_UP,
    PaymentResolution,
    resolve_audited,
    settle_ledger_flags,
)
from application.ports.audit import AuditEntry
from application.ports.clock import Clock
from application.ports.ledger import DEFAULT_LEDGER_TERMS
from application.ports.payments import FOLDED_FLAGS
from application.ports.unit_of_work import UnitOfWork
from domain.booking.reservation import ACTIVE_STATUSES, Reservation
from domain.codes import ReservationCode
from domain.money import Money
from domain.payments.ledger import BookingLedger, Flag, mercadopago_reference
from domain.payments.standing import standing

log = logging.getLogger("cabanas.payments")

# Who the sync process's own changes are audited as.
SYSTEM_ACTOR = "system"
# Bookings brought in step per pass: a backlog (bookings cancelled before the queue existed)
# clears over a few passes instead of one long one.
RECONCILE_BATCH = 100


def money_to_return_id(code: str) -> str:
    """The booking's item in the queue (never a Mercado Pago id: those are digits)."""
    return f"held:{code}"


async def track_money_to_return(
    uow: UnitOfWork,
    reservation: Reservation,
    ledger: BookingLedger,
    actor: str,
    now: datetime,
    *,
    newly_owed: bool = False,
    settled_as: PaymentResolution = PaymentResolution.REFUNDED,
) -> Money:
    """Inside the caller's transaction, after a movement of the booking's money or its
    cancellation. Rules:
    - a booking that gives no nights and holds money (``domain.payments.standing``) has an
      open item for what it holds; a hold or a booking has none (it is collecting);
    - the item's amount follows the ledger; a refund or credit that leaves something held
      keeps it open (a partial refund does not settle it);
    - the owner may dismiss it on Pagos with a reason (the cancellation policy keeps the
      money): then it stays settled while money only goes out, and opens again when the
      booking newly owes money back (``newly_owed``: money arrived, or it was cancelled);
    - once nothing is held it is settled (``settled_as``: refunded, or credited), audited;
    - while it is open, the booking's Mercado Pago flags about money it carries are settled
      into it (``fold_payment_flags``): one sum of money, one item.
    - the flags of its payments recorded by hand that matched nothing (``unmatched``,
      ``overpaid``) settle once its ledger lines up again (``BookingLedger.lines_up``), or
      into its open item, as Mercado Pago's do.
    Returns what the booking owes back."""
    code = reservation.code.value
    if ledger.lines_up:
        await settle_ledger_flags(uow, ledger, code, LEDGER_LINED_UP, actor, now)
    owed = standing(ledger, reservation.status).to_return
    item_id = money_to_return_id(code)
    known = await uow.payments.get(item_id)
    if owed.cents == 0:
        if known is not None and known.attention_resolved_at is None:
            await resolve_audited(uow, item_id, settled_as, None, actor, now)
        return owed
    if known is None or newly_owed or owed != known.payment.amount:
        reason = (
            f"the booking is {reservation.status.value} and holds {owed.cents} "
            f"{owed.currency} cents: refund it or keep it as the guest's credit"
        )
        await uow.payments.keep_money_to_return(item_id, code, owed, reason, now, reopen=newly_owed)
    if known is None or newly_owed or known.attention_resolved_at is None:
        await fold_payment_flags(uow, code, ledger, actor, now)
        await settle_ledger_flags(
            uow, ledger, code, PaymentResolution.MONEY_TO_RETURN.value, actor, now
        )
    return owed


async def fold_payment_flags(
    uow: UnitOfWork, code: str, ledger: BookingLedger, actor: str, now: datetime
) -> list[str]:
    """Inside the caller's transaction, while the booking (without nights) has an open item:
    settle its open Mercado Pago flags of ``FOLDED_FLAGS`` whose payment the ledger counts
    (recorded under its id, in the booking's currency) as ``money_to_return``, audited — the
    item carries that money now, and a refund or credit on the booking settles it. A flag
    about money the ledger does not count stays. The payments' ids."""
    counted = {
        p.reference
        for p in ledger.payments
        if p.flag is not Flag.OTHER_CURRENCY and p.amount.currency == ledger.total.currency
    }
    folded = []
    for record in await uow.payments.for_reservation(code):
        if record.attention not in FOLDED_FLAGS or record.attention_resolved_at is not None:
            continue
        if mercadopago_reference(record.payment.id) not in counted:
            continue
        resolution = PaymentResolution.MONEY_TO_RETURN
        if await resolve_audited(uow, record.payment.id, resolution, None, actor, now):
            folded.append(record.payment.id)
    return folded


@dataclass(frozen=True, slots=True)
class ReconcileMoneyToReturn:
    """The queue's items follow the ledgers even when no money moves. Rules:
    - a booking without nights that holds money and has no item gets one (a hold that lapsed
      — swept by the sync process or expired by a booking that wanted its nights — holding a
      short Mercado Pago payment or part of a deposit; a booking cancelled before the queue
      existed); an open item takes the amount the ledger says (``track_money_to_return``);
    - an open item of a booking that owes nothing back any more is settled: ``refunded`` when
      the booking gives no nights, ``payment_recorded`` when it gives them again (a lapsed
      hold a payment confirmed: the money is its deposit);
    - an item the owner dismissed stays dismissed (and a settled one settled): only money
      arriving reopens it, and that is the payment's own use case;
    - an open item's booking whose Mercado Pago flags about the same money are still open
      beside it (bookings from before one sum was one item) has them settled into it;
    - found in one query (``money_to_return_out_of_step``), at most ``RECONCILE_BATCH`` a
      pass (``codes``: only those bookings, e.g. the holds just swept); each booking in its
      own transaction, its row locked like every movement of its money; audited as
      ``system`` (``payment.money_to_return``, with the amount before and now).
    True when every booking found was brought in step (one that fails is logged and left for
    the next pass)."""

    uow: UnitOfWork
    clock: Clock

    async def __call__(self, codes: Sequence[str] | None = None) -> bool:
        if codes is not None and not codes:
            return True
        async with self.uow:
            found = await self.uow.payments.money_to_return_out_of_step(RECONCILE_BATCH, codes)
        failed = 0
        for code in found:
            try:
                async with self.uow:
                    await self._bring_in_step(code)
                    await self.uow.commit()
            except Exception:  # one booking must not hold up the ones behind it
                log.exception("money_to_return_reconcile_failed", extra={"code": code})
                failed += 1
        if found:
            log.info(
                "money_to_return_reconciled", extra={"count": len(found) - failed, "failed": failed}
            )
        return failed == 0

    async def _bring_in_step(self, code: str) -> None:
        now = self.clock.now()
        reservation = await self.uow.reservations.get(ReservationCode(code), for_update=True)
        if reservation is None:
            return
        ledger = await self.uow.ledger.load(reservation, DEFAULT_LEDGER_TERMS)
        known = await self.uow.payments.get(money_to_return_id(code))
        owed = standing(ledger, reservation.status).to_return
        if known is None and owed.cents == 0:
            return
        if known is not None and known.attention_resolved_at is not None:
            return  # the owner settled it, or a movement of its money did meanwhile
        if known is not None and known.payment.amount == owed:
            # The item is in step; a flag left beside it is not.
            await fold_payment_flags(self.uow, code, ledger, SYSTEM_ACTOR, now)
            return
        gives_nights = reservation.status in ACTIVE_STATUSES
        await track_money_to_return(
            self.uow,
            reservation,
            ledger,
            SYSTEM_ACTOR,
            now,
            settled_as=PaymentResolution.PAYMENT_RECORDED
            if gives_nights
            else PaymentResolution.REFUNDED,
        )
        if owed.cents:  # settling is audited by itself (``payment.attention_resolve``)
            await self.uow.audit.record(
                AuditEntry(
                    SYSTEM_ACTOR,
                    "payment.money_to_return",
                    code,
                    now,
                    before={"amount_cents": known.payment.amount.cents if known else None},
                    after={"status": reservation.status.value, "to_return_cents": owed.cents},
                )
            )
