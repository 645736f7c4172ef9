"""A payment flagged ``refund_required`` on a booking that keeps its nights (a second deposit on
a confirmed booking, say) is settled by the booking's refunds only once they cover it: a small
partial refund leaves it open, saying what is still to give back. (On a booking without nights
the flag is its money-to-return item's, which follows the ledger: ``money_to_return``.)"""

from __future__ import annotations

import re
from datetime import datetime

from application.payments.attention import PaymentResolution, resolve_audited
from application.ports.payments import PaymentRecord
from application.ports.unit_of_work import UnitOfWork
from domain.payments.ledger import BookingLedger
from domain.payments.payment import Attention

# Where a flag's reason stops and what is left of it begins (rewritten by each refund).
LEFT_MARK = " — "
_LEFT = re.compile(r"\d+ of \d+ [A-Z]{3} cents refunded, (\d+) still to give back")


def flag_reason(reason: str | None) -> str:
    """A flag's reason without what an earlier refund said was left of it."""
    return (reason or "").split(LEFT_MARK)[0]


def still_to_give_back(record: PaymentRecord) -> int | None:
    """The cents still to give back of an open ``refund_required`` flag that refunds cover in
    part, as its reason says (``settle_refund_flags`` writes it); None for any other record."""
    if record.attention_resolved_at is not None or record.money_to_return:
        return None
    reason = record.attention_reason or ""
    if record.attention is not Attention.REFUND_REQUIRED or LEFT_MARK not in reason:
        return None
    left = _LEFT.fullmatch(reason.rsplit(LEFT_MARK, 1)[1])
    return int(left.group(1)) if left else None


async def settle_refund_flags(
    uow: UnitOfWork, code: str, ledger: BookingLedger, actor: str, now: datetime
) -> list[str]:
    """Inside the caller's transaction, after a refund is recorded on the booking. Rules:
    - the booking's refunds (everything its ledger says went back, in its currency) are set
      against its ``refund_required`` flags oldest first; a flag already settled as
      ``refunded`` took its amount before;
    - a flag whose amount (the payment's) they cover is settled (``refunded``, audited);
    - the first one they do not cover stays open, its reason saying how much is still to
      give back; the ones after it are left as they are;
    - a flag about money in another currency than the booking's is not the ledger's: it
      stays as it is (the owner settles it).
    The settled payments' ids."""
    left = ledger.refunded.cents
    settled = []
    for record in await uow.payments.for_reservation(code):
        if record.attention is not Attention.REFUND_REQUIRED:
            continue
        amount = record.payment.amount
        if amount.currency != ledger.total.currency:
            continue
        if record.attention_resolved_at is not None:
            if record.attention_resolution == PaymentResolution.REFUNDED.value:
                left = max(0, left - amount.cents)
            continue
        if left >= amount.cents:
            left -= amount.cents
            if await resolve_audited(
                uow, record.payment.id, PaymentResolution.REFUNDED, None, actor, now
            ):
                settled.append(record.payment.id)
            continue
        if left > 0:
            reason = (
                f"{flag_reason(record.attention_reason)}{LEFT_MARK}{left} of "
                f"{amount.cents} {amount.currency} cents refunded, "
                f"{amount.cents - left} still to give back"
            )
            await uow.payments.save(
                record.payment,
                now,
                reservation_code=code,
                attention=Attention.REFUND_REQUIRED,
                attention_reason=reason,
            )
        break
    return settled
