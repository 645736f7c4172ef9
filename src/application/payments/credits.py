"""Credit for another date: money a booking held, kept for the guest's next booking from the
same phone instead of refunded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from application.payments.attention import PaymentResolution
from application.payments.ledger import LedgerView, load_reservation, request_reference
from application.payments.money_to_return import track_money_to_return
from application.ports.audit import AuditEntry
from application.ports.clock import Clock
from application.ports.ledger import LedgerTerms
from application.ports.unit_of_work import UnitOfWork
from domain.booking.hold_limits import phone_key
from domain.booking.reservation import Reservation
from domain.calendar import local_today
from domain.errors import InvalidValue
from domain.money import Money
from domain.payments.credits import GuestCredit
from domain.payments.ledger import BookingLedger, MoneyOut
from domain.payments.standing import returnable


async def issue_guest_credit(
    uow: UnitOfWork,
    reservation: Reservation,
    ledger: BookingLedger,
    amount: Money,
    valid_days: int | None,
    actor: str,
    reference: str,
    now: datetime,
    note: str | None = None,
) -> tuple[BookingLedger, GuestCredit]:
    """Rules: never more than the booking can give back (``RefundExceedsPaid``;
    ``domain.payments.standing.returnable``: not a hold's credit, the guest's already); tied
    to the guest's
    normalised phone (a booking without one cannot give credit); recorded as a credit in the
    booking's ledger and stored for the phone, both under ``reference`` (the same reference
    again changes nothing); usable ``valid_days`` (None: no end)."""
    if not phone_key(reservation.guest.phone or ""):
        raise InvalidValue("this booking has no phone number to tie a credit to")
    today = local_today(now)
    most = returnable(ledger, reservation.status)
    after = ledger.credit(MoneyOut(reference, amount, today, actor), most=most)
    credit = GuestCredit.issue(
        reservation.guest.phone,
        amount,
        reservation.code.value,
        reference,
        actor,
        today,
        valid_days,
    )
    if not any(c.reference == reference for c in ledger.credits):
        await uow.ledger.add_credit(reservation.code.value, after.credits[-1], note)
    stored = await uow.credits.issue(credit, now)
    return after, stored


@dataclass(frozen=True, slots=True)
class CreditIssued:
    view: LedgerView
    credit: GuestCredit


@dataclass(frozen=True, slots=True)
class IssueCredit:
    """Rules:
    - the owner keeps part or all of what a booking holds as credit for the guest's next
      booking (instead of a refund): never more than it can give back (paid and not yet
      returned; not a hold's credit, which is the guest's already);
    - tied to the guest's phone, normalised as the hold limits do; usable ``valid_days`` from
      today, or without end;
    - applied by itself when that phone books again (``apply_guest_credits``);
    - the money to give back of a booking that gives no nights follows: settled
      (``credited``) once nothing is held;
    - idempotent by the request's key; the booking's row is locked while deciding;
    - audited (``reservation.credit``)."""

    uow: UnitOfWork
    clock: Clock
    terms: LedgerTerms

    async def __call__(
        self,
        raw_code: str,
        amount_cents: int,
        valid_days: int | None,
        note: str | None,
        actor: str,
        idempotency_key: str,
    ) -> CreditIssued:
        now = self.clock.now()
        async with self.uow:
            reservation = await load_reservation(self.uow, raw_code, for_update=True)
            ledger = await self.uow.ledger.load(reservation, self.terms)
            reference = request_reference("credit", idempotency_key)
            amount = Money(amount_cents, reservation.total.currency)
            again = any(c.reference == reference for c in ledger.credits)
            after, credit = await issue_guest_credit(
                self.uow, reservation, ledger, amount, valid_days, actor, reference, now, note
            )
            if again:
                return CreditIssued(LedgerView(reservation, ledger, recorded=False), credit)
            await track_money_to_return(
                self.uow, reservation, after, actor, now, settled_as=PaymentResolution.CREDITED
            )
            await self.uow.audit.record(
                AuditEntry(
                    actor=actor,
                    action="reservation.credit",
                    target=reservation.code.value,
                    at=now,
                    after={
                        "amount_cents": amount.cents,
                        "expires_on": credit.expires_on.isoformat() if credit.expires_on else None,
                        "note": note,
                    },
                )
            )
            await self.uow.commit()
        return CreditIssued(LedgerView(reservation, after), credit)
