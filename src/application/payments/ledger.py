"""The ledger of a booking, seen and written by the owner: payments by transfer, cash or other
means recorded by hand (confirming the hold they cover), and the hold's extra time while a
transfer is on its way. Mercado Pago payments reach the same ledger through ``ApplyPayment``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from application.messaging.booking_confirmed import tell_guest_confirmed
from application.payments.attention import PaymentResolution, settle_flags
from application.payments.money_to_return import track_money_to_return
from application.payments.provider_refunds import accounted_refunds
from application.ports.audit import AuditEntry
from application.ports.clock import Clock
from application.ports.ledger import LedgerTerms
from application.ports.outbox import PaymentLinkJob
from application.ports.repositories import PaidOutcome
from application.ports.unit_of_work import UnitOfWork
from domain.booking.reservation import Reservation, ReservationStatus
from domain.calendar import local_today
from domain.codes import ReservationCode
from domain.errors import ConcurrentUpdate, InvalidValue, ReservationNotFound
from domain.money import Money
from domain.payments.ledger import MERCADOPAGO_PREFIX, BookingLedger, MoneyIn, PaymentMethod
from domain.payments.payment import Attention
from domain.payments.standing import Standing, returnable, standing

MAX_EXTENSION_HOURS = 168
# The audit entry of a cancellation (``CancelReservation``, ``CancelHold``): its ``before`` says
# whether a booking was confirmed when it was cancelled.
CANCEL_ACTION = "reservation.cancel"
# The flags a payment the owner records on the booking answers (the rest of a short one).
PAYMENT_FLAGS = frozenset({Attention.AMOUNT_SHORT})


@dataclass(frozen=True, slots=True)
class LedgerView:
    reservation: Reservation
    ledger: BookingLedger
    # Whether this request recorded something (False: the same request again, a no-op).
    recorded: bool = True
    # The hold the payment covered became a booking; None when it did not apply.
    confirmed: bool | None = None
    # The most one refund through Mercado Pago can give back (``GetLedger`` only).
    mercadopago_refundable: Money | None = None
    # A cancelled booking with nothing in its ledger that was confirmed when it was cancelled
    # (``GetLedger`` only): its money is unknown (``domain.payments.standing``).
    was_confirmed: bool = False

    def standing(self, status: ReservationStatus) -> Standing:
        """Where its money stands with the booking at ``status`` (the console reads a lapsed
        hold as expired before anything sweeps it)."""
        return standing(self.ledger, status, was_confirmed=self.was_confirmed)

    @property
    def returnable(self) -> Money:
        """The most that can still go back, refunded or as credit
        (``domain.payments.standing.returnable``)."""
        return returnable(self.ledger, self.reservation.status)


def request_reference(prefix: str, idempotency_key: str) -> str:
    """A movement's reference from the owner's request key: the same key, the same reference,
    so a retried or double-clicked request is recorded once."""
    return f"{prefix}:{hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]}"


async def load_reservation(
    uow: UnitOfWork, raw_code: str, *, for_update: bool = False
) -> Reservation:
    try:
        code = ReservationCode.parse(raw_code)
    except InvalidValue:
        raise ReservationNotFound("no reservation with that code") from None
    found = await uow.reservations.get(code, for_update=for_update)
    if found is None:
        raise ReservationNotFound("no reservation with that code")
    return found


async def confirm_if_covered(
    uow: UnitOfWork,
    clock: Clock,
    reservation: Reservation,
    ledger: BookingLedger,
    reference: str,
    terms: LedgerTerms,
    trace_id: str | None = None,
) -> bool | None:
    """A hold (live, or lapsed with its row still a hold, or swept as expired) whose deposit
    the money held covers becomes a booking. An expired hold re-enters the exclusion
    constraint: False when its nights were sold meanwhile (the money stays recorded, for the
    owner to refund). None: nothing to confirm."""
    if reservation.status not in (ReservationStatus.PRE_RESERVED, ReservationStatus.EXPIRED):
        return None
    if not ledger.deposit_paid:
        return None
    now = clock.now()
    previous = reservation.status
    reservation.confirm_payment(reference, now)
    outcome = await uow.reservations.save_paid(reservation, previous)
    if outcome is PaidOutcome.RACED:
        raise ConcurrentUpdate("the reservation changed meanwhile; reload it and retry")
    if outcome is PaidOutcome.TAKEN:
        reservation.status = previous
        return False
    await tell_guest_confirmed(uow, clock, reservation, ledger, trace_id)
    return True


async def refundable_by_mercadopago(
    uow: UnitOfWork, ledger: BookingLedger
) -> list[tuple[str, Money]]:
    """Each Mercado Pago payment of the booking with what is left of it to refund through
    Mercado Pago: paid, less the refunds of it the ledger counts (``accounted_refunds``: as
    it last reported the payment, or more — ours recorded from Mercado Pago's answer before its
    report showed it). A refund comes out of one payment."""
    left = []
    for paid in ledger.payments:
        if paid.method is not PaymentMethod.MERCADOPAGO:
            continue
        payment_id = paid.reference.removeprefix(MERCADOPAGO_PREFIX)
        stored = await uow.payments.get(payment_id)
        currency = paid.amount.currency
        cents = paid.amount.cents - accounted_refunds(ledger, payment_id, stored, currency)
        if cents > 0:
            left.append((payment_id, Money(cents, paid.amount.currency)))
    return left


@dataclass(frozen=True, slots=True)
class GetLedger:
    """Rules: the booking's ledger as recorded, and the most one Mercado Pago refund can give
    back. A cancelled booking with nothing recorded says whether it was confirmed when it was
    cancelled (every cancellation is audited with the status it had): if so its money is
    unknown, not nothing (``LedgerView.standing``)."""

    uow: UnitOfWork
    terms: LedgerTerms

    async def __call__(self, raw_code: str) -> LedgerView:
        async with self.uow:
            reservation = await load_reservation(self.uow, raw_code)
            ledger = await self.uow.ledger.load(reservation, self.terms)
            left = await refundable_by_mercadopago(self.uow, ledger)
            most = max((m for _, m in left), default=Money.zero(ledger.total.currency))
            was_confirmed = (
                reservation.status is ReservationStatus.CANCELLED
                and not ledger.recorded
                and await self.uow.audit.status_before(reservation.code.value, CANCEL_ACTION)
                == ReservationStatus.CONFIRMED.value
            )
            return LedgerView(
                reservation, ledger, mercadopago_refundable=most, was_confirmed=was_confirmed
            )


class PaymentOverOwed(InvalidValue):
    """A payment more than the booking still owes, refused because the caller asked for it
    (``RecordManualPayment``'s ``refuse_over_owed``): ``most`` is what it still owes."""

    code = "payment_over_owed"

    def __init__(self, message: str, *, most: Money) -> None:
        super().__init__(message)
        self.most = most


@dataclass(frozen=True, slots=True)
class RecordManualPayment:
    """Rules:
    - the owner records money received (in the booking's currency) by transfer, cash or other
      means (Mercado Pago's come from its webhook), on any booking: money is never lost;
    - it is matched to the deposit, the whole total or the balance owed; any other amount is
      recorded, counted and flagged (``unmatched``, ``overpaid``) for the owner to settle;
    - idempotent by the request's key: the same key again records nothing and answers the
      ledger as it is; with another amount or method, refused (409);
    - the booking's row is locked while deciding (concurrent payments apply one by one);
    - a hold whose deposit is then covered is confirmed (a lapsed one only if its nights are
      still free), and the guest is told once;
    - money received on a booking that gives no nights (cancelled, lapsed, or whose nights
      were sold meanwhile) is recorded all the same and waits in the owner's queue as money
      to give back (``track_money_to_return``), like Mercado Pago's ``refund_required``;
    - the booking's open "amount short" flags are settled (``payment_recorded``);
    - with ``refuse_over_owed`` (the console, unless the owner confirms the guest paid more),
      on a booking that still collects (``Standing.collecting``: not one without nights),
      an amount over what it still owes (``BookingLedger.balance_due``) is refused
      (``PaymentOverOwed``, naming it) and nothing is recorded: a typo caught before it
      confirms a hold and tells the guest; without it (the admin API) it is recorded and
      flagged ``overpaid``;
    - audited (``reservation.payment``)."""

    uow: UnitOfWork
    clock: Clock
    terms: LedgerTerms

    async def __call__(
        self,
        raw_code: str,
        method: PaymentMethod,
        amount_cents: int,
        note: str | None,
        actor: str,
        idempotency_key: str,
        *,
        refuse_over_owed: bool = False,
    ) -> LedgerView:
        if method is PaymentMethod.MERCADOPAGO:
            raise InvalidValue("Mercado Pago payments are recorded from its notifications")
        now = self.clock.now()
        async with self.uow:
            reservation = await load_reservation(self.uow, raw_code, for_update=True)
            status_before = reservation.status.value
            before = await self.uow.ledger.load(reservation, self.terms)
            amount = Money(amount_cents, reservation.total.currency)  # the booking's currency
            reference = request_reference("manual", idempotency_key)
            payment = MoneyIn(reference, method, amount, local_today(now), actor)
            after = before.record_payment(payment)
            if after is before:  # the same request again
                return LedgerView(reservation, before, recorded=False)
            recorded = after.payments[-1]
            # A booking without nights collects nothing: money that arrived there is recorded
            # all the same (it goes back to the guest), never refused as a typo.
            collecting = standing(before, reservation.status).collecting
            if refuse_over_owed and collecting and amount.cents > before.balance_due.cents:
                raise PaymentOverOwed(
                    f"a payment of {amount} is more than the {before.balance_due} still owed",
                    most=before.balance_due,
                )
            await self.uow.ledger.add_payment(reservation.code.value, recorded, note)
            await settle_flags(
                self.uow,
                reservation.code.value,
                PAYMENT_FLAGS,
                PaymentResolution.PAYMENT_RECORDED,
                actor,
                now,
            )
            confirmed = await confirm_if_covered(
                self.uow, self.clock, reservation, after, reference, self.terms
            )
            owed = await track_money_to_return(
                self.uow,
                reservation,
                after,
                actor,
                now,
                newly_owed=True,
                settled_as=PaymentResolution.PAYMENT_RECORDED,
            )
            await self.uow.audit.record(
                AuditEntry(
                    actor=actor,
                    action="reservation.payment",
                    target=reservation.code.value,
                    at=now,
                    before={"status": status_before},
                    after={
                        "status": reservation.status.value,
                        "method": method.value,
                        "amount_cents": amount.cents,
                        "covers": recorded.covers.value if recorded.covers else None,
                        "flag": recorded.flag.value if recorded.flag else None,
                        "to_return_cents": owed.cents,
                        "note": note,
                    },
                )
            )
            await self.uow.commit()
        return LedgerView(reservation, after, confirmed=confirmed)


@dataclass(frozen=True, slots=True)
class ExtendHold:
    """Rules: only a hold (``pre_reserved``, even one whose time just ran out but that no one
    has taken) gets more time: ``hours`` (1–168) from its expiry, or from now if that has
    passed; the write is guarded by the status it read; audited (``reservation.extend``);
    its Mercado Pago checkout, when it has one, is moved to the new expiry by the outbox (in
    the same transaction, retried if Mercado Pago is down), so the guest can still pay
    through the link they were sent."""

    uow: UnitOfWork
    clock: Clock

    async def __call__(self, raw_code: str, hours: int, actor: str) -> Reservation:
        if not 1 <= hours <= MAX_EXTENSION_HOURS:
            raise InvalidValue(f"hours is 1 to {MAX_EXTENSION_HOURS}")
        now = self.clock.now()
        async with self.uow:
            reservation = await load_reservation(self.uow, raw_code, for_update=True)
            old = reservation.expires_at
            start = max(now, old) if old is not None else now
            reservation.extend_hold(start + timedelta(hours=hours), now)
            if not await self.uow.reservations.save_status(reservation, reservation.status):
                raise ConcurrentUpdate("the reservation changed meanwhile; reload it and retry")
            await self.uow.audit.record(
                AuditEntry(
                    actor=actor,
                    action="reservation.extend",
                    target=reservation.code.value,
                    at=now,
                    before={"expires_at": _iso(old)},
                    after={"expires_at": _iso(reservation.expires_at), "hours": hours},
                )
            )
            if reservation.payment_preference and reservation.expires_at is not None:
                await self.uow.outbox.put(
                    PaymentLinkJob(reservation.code.value, "extend"),
                    now,
                    dedupe_key=f"checkout-extend:{reservation.code.value}:"
                    f"{reservation.expires_at.isoformat()}",
                )
            await self.uow.commit()
        return reservation


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
