"""Money a booking holds once it gives no nights (cancelled, or a lapsed hold) goes back to the
guest, as a refund or a credit. Until it has, it waits in the owner's queue — Pagos, Hoy and the
daily summary — as one ``refund_required`` item per booking beside Mercado Pago's flagged
payments, kept in step with the booking's ledger by every movement of its money."""

from __future__ import annotations

from datetime import datetime

from application.payments.attention import PaymentResolution, resolve_audited
from application.ports.unit_of_work import UnitOfWork
from domain.booking.reservation import Reservation
from domain.money import Money
from domain.payments.ledger import BookingLedger
from domain.payments.standing import standing


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
    - once nothing is held it is settled (``settled_as``: refunded, or credited), audited.
    Returns what the booking owes back."""
    code = reservation.code.value
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
    return owed
