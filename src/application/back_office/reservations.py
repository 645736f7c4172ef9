"""What the owner does with reservations: look them up with full guest data, cancel them, and
confirm them by hand when the deposit was paid in cash or by transfer. Every write is audited."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from application.messaging.booking_confirmed import tell_guest_confirmed
from application.payments.attention import PaymentResolution
from application.payments.credits import issue_guest_credit
from application.payments.money_to_return import track_money_to_return
from application.ports.audit import AuditEntry
from application.ports.clock import Clock
from application.ports.ledger import DEFAULT_LEDGER_TERMS, LedgerTerms
from application.ports.outbox import PaymentLinkJob
from application.ports.repositories import ReservationFilter, ReservationPage
from application.ports.unit_of_work import UnitOfWork
from domain.booking.hold_limits import phone_key
from domain.booking.reservation import Reservation, ReservationStatus
from domain.calendar import local_today
from domain.codes import ReservationCode
from domain.errors import ConcurrentUpdate, IllegalTransition, InvalidValue, ReservationNotFound
from domain.money import Money
from domain.payments.cancellation import CancellationPolicy, Settlement
from domain.payments.credits import GuestCredit
from domain.payments.ledger import MoneyIn, PaymentMethod

MAX_PAGE = 200


class ManualPayment(StrEnum):
    CASH = "cash"
    TRANSFER = "transfer"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class SearchReservations:
    """Rules: page size 1–200; newest first; full guest data (admins only)."""

    uow: UnitOfWork

    async def __call__(self, criteria: ReservationFilter) -> ReservationPage:
        if not 1 <= criteria.limit <= MAX_PAGE or criteria.offset < 0:
            raise InvalidValue(f"limit must be 1–{MAX_PAGE} and offset ≥ 0")
        if criteria.stay_from and criteria.stay_to and criteria.stay_to <= criteria.stay_from:
            raise InvalidValue("'to' must be after 'from'")
        async with self.uow:
            return await self.uow.reservations.search(criteria)


@dataclass(frozen=True, slots=True)
class GetReservationForAdmin:
    uow: UnitOfWork

    async def __call__(self, raw_code: str) -> Reservation:
        async with self.uow:
            return await load_reservation(self.uow, raw_code)


@dataclass(frozen=True, slots=True)
class CancelReservation:
    """Rules: holds and confirmed bookings can be cancelled (their nights free up at once);
    expired or cancelled ones cannot (409). What the cabin's cancellation tiers return of the
    money held (refund, credit, kept) is worked out and kept in the audit entry; the owner then
    refunds it (``IssueRefund``). A cabin without tiers returns nothing by itself. Whatever the
    booking still holds (after a credit the tier gave) waits in the owner's queue as money to
    give back — refund it, keep it as credit, or dismiss it with a reason when the policy keeps
    it (``track_money_to_return``). Audited with the reason and that amount.

    Credit: a hold being cancelled gives back the credit it took from the guest's earlier
    cancellation (before settling, so that credit is not settled again). When the tier says
    credit — or the owner gives ``credit_cents`` (replacing the tier's amount; 0: none) — it
    is recorded in the ledger and stored for the guest's phone, usable for the tier's
    ``credit_valid_days`` (or the owner's ``credit_valid_days``), applied when they book
    again."""

    uow: UnitOfWork
    clock: Clock
    terms: LedgerTerms = field(default_factory=LedgerTerms)

    async def __call__(
        self,
        raw_code: str,
        actor: str,
        reason: str | None,
        credit_cents: int | None = None,
        credit_valid_days: int | None = None,
    ) -> Cancelled:
        settled: list[Settlement] = []
        issued: list[GuestCredit] = []

        async def settle(reservation: Reservation) -> dict[str, object]:
            was = reservation.events[-1].old if reservation.events else None
            if was is ReservationStatus.PRE_RESERVED:
                await self.uow.credits.release(reservation.code.value)
                await close_checkout(self.uow, reservation, self.clock.now())
            ledger = await self.uow.ledger.load(reservation, self.terms)
            stored = await self.uow.prices.get(reservation.accommodation_id)
            policy = stored.cancellation or CancellationPolicy(())
            now = self.clock.now()
            s = ledger.settle_cancellation(policy, local_today(now))
            settled.append(s)
            credit = s.credit if credit_cents is None else Money(credit_cents, s.paid.currency)
            days = credit_valid_days if credit_valid_days is not None else s.credit_valid_days
            # The tier's credit needs a phone to tie it to; the owner's own credit on a booking
            # without one is refused (422) rather than silently dropped.
            owners = credit_cents is not None
            if credit.cents and (owners or phone_key(reservation.guest.phone or "")):
                ledger, stored_credit = await issue_guest_credit(
                    self.uow, reservation, ledger, credit, days, actor, "cancel:credit", now
                )
                issued.append(stored_credit)
            owed = await track_money_to_return(
                self.uow,
                reservation,
                ledger,
                actor,
                now,
                newly_owed=True,
                settled_as=PaymentResolution.CREDITED,
            )
            settled_now: dict[str, object] = {
                "days_before": s.days_before,
                "refund_cents": s.refund.cents,
                "credit_cents": s.credit.cents,
                "kept_cents": s.kept.cents,
                "to_return_cents": owed.cents,
            }
            if issued:
                settled_now["credit_issued_cents"] = issued[0].amount.cents
            return settled_now

        reservation = await _transition(
            self.uow,
            self.clock,
            raw_code,
            actor,
            "reservation.cancel",
            Reservation.cancel,
            {"reason": reason},
            settle,
        )
        return Cancelled(reservation, settled[0], issued[0] if issued else None)


@dataclass(frozen=True, slots=True)
class Cancelled:
    reservation: Reservation
    settlement: Settlement
    credit: GuestCredit | None = None


@dataclass(frozen=True, slots=True)
class CancelHold:
    """Rules (a guest cancelling on WhatsApp, or staff on the console): only a live hold can
    be cancelled this way. If it got paid (confirmed) or lapsed meanwhile, nothing changes
    (``IllegalTransition``, or ``ConcurrentUpdate`` when the payment lands between the read and
    the write — the write is guarded by the status it read). Money it held (part of a
    deposit) waits in the owner's queue as money to give back. Audited."""

    uow: UnitOfWork
    clock: Clock

    async def __call__(self, raw_code: str, actor: str, reason: str | None) -> Reservation:
        def cancel_live_hold(reservation: Reservation, now: datetime) -> None:
            if reservation.status is not ReservationStatus.PRE_RESERVED or (
                reservation.hold_lapsed(now)
            ):
                raise IllegalTransition(
                    f"reservation {reservation.code.display} is no longer a live hold"
                )
            reservation.cancel(now)

        async def release(reservation: Reservation) -> dict[str, object]:
            await close_checkout(self.uow, reservation, self.clock.now())
            released = await self.uow.credits.release(reservation.code.value)
            ledger = await self.uow.ledger.load(reservation, DEFAULT_LEDGER_TERMS)
            owed = await track_money_to_return(
                self.uow, reservation, ledger, actor, self.clock.now(), newly_owed=True
            )
            return {"credits_released": released, "to_return_cents": owed.cents}

        return await _transition(
            self.uow,
            self.clock,
            raw_code,
            actor,
            "reservation.cancel",
            cancel_live_hold,
            {"reason": reason},
            release,
        )


@dataclass(frozen=True, slots=True)
class ConfirmManually:
    """Rules: only a hold can be confirmed. A hold past its expiry can still be confirmed while
    its row is still a hold: the exclusion constraint has kept its nights from anyone else, so
    this never double-books. Audited with the payment method, the amount received (when the
    owner gives it) and the note. The amount received is recorded in the booking's ledger in
    the same transaction (matched like any payment: deposit, total, or flagged), under a
    reference of its own per booking, so the balance owed counts it; with money received the
    guest gets the confirmation (through the outbox, once), as when a payment confirms a hold.
    Without an amount nothing is sent: the message says what was received."""

    uow: UnitOfWork
    clock: Clock
    terms: LedgerTerms = DEFAULT_LEDGER_TERMS

    async def __call__(
        self,
        raw_code: str,
        actor: str,
        method: ManualPayment,
        note: str | None,
        amount: Money | None = None,
    ) -> Reservation:
        if amount is not None and amount.cents <= 0:
            raise InvalidValue("the amount received must be more than zero")
        details: dict[str, object] = {"method": method.value, "note": note}
        if amount is not None:
            details["amount_cents"] = amount.cents

        async def record_payment(reservation: Reservation) -> Mapping[str, object]:
            if amount is None:
                return {}
            ledger = await self.uow.ledger.load(reservation, self.terms)
            received = MoneyIn(
                f"confirm:{reservation.code.value}",
                LEDGER_METHODS[method],
                amount,
                local_today(self.clock.now()),
                actor,
            )
            after = ledger.record_payment(received)
            if after is ledger:
                return {}
            recorded = after.payments[-1]
            await self.uow.ledger.add_payment(reservation.code.value, recorded, note)
            if after.held.cents > 0:
                # As when a payment confirms it: the guest is told, once (WhatsApp, e-mail).
                await tell_guest_confirmed(self.uow, self.clock, reservation, after)
            return {
                "covers": recorded.covers.value if recorded.covers else None,
                "flag": recorded.flag.value if recorded.flag else None,
            }

        return await _transition(
            self.uow,
            self.clock,
            raw_code,
            actor,
            "reservation.confirm_manually",
            Reservation.confirm,
            details,
            record_payment,
        )


async def close_checkout(uow: UnitOfWork, reservation: Reservation, now: datetime) -> None:
    """A hold given up: its deposit checkout is closed at Mercado Pago (through the outbox,
    once), so the link sent to the guest takes no more money for nights it no longer holds."""
    if reservation.payment_preference:
        await uow.outbox.put(
            PaymentLinkJob(reservation.code.value, "extend"),
            now,
            dedupe_key=f"checkout-close:{reservation.code.value}",
        )


LEDGER_METHODS = {
    ManualPayment.CASH: PaymentMethod.CASH,
    ManualPayment.TRANSFER: PaymentMethod.TRANSFER,
    ManualPayment.OTHER: PaymentMethod.OTHER,
}


async def _transition(
    uow: UnitOfWork,
    clock: Clock,
    raw_code: str,
    actor: str,
    action: str,
    move: Callable[[Reservation, datetime], None],
    details: Mapping[str, object],
    more: Callable[[Reservation], Awaitable[Mapping[str, object]]] | None = None,
) -> Reservation:
    """Load, apply the aggregate's transition, save unless someone moved it first, audit."""
    async with uow:
        reservation = await load_reservation(uow, raw_code)
        previous = reservation.status
        now = clock.now()
        move(reservation, now)
        await _save(uow, reservation, previous)
        if more is not None:
            details = {**details, **await more(reservation)}
        await uow.audit.record(
            AuditEntry(
                actor=actor,
                action=action,
                target=reservation.code.value,
                at=now,
                before={"status": previous.value},
                after={"status": reservation.status.value, **details},
            )
        )
        if not reservation.is_active:  # a collision it was in is gone
            await uow.feeds.clear_conflicts(now)
        await uow.commit()
        return reservation


async def load_reservation(uow: UnitOfWork, raw_code: str) -> Reservation:
    try:
        code = ReservationCode.parse(raw_code)
    except InvalidValue:
        raise ReservationNotFound("no reservation with that code") from None
    found = await uow.reservations.get(code)
    if found is None:
        raise ReservationNotFound("no reservation with that code")
    return found


async def _save(uow: UnitOfWork, reservation: Reservation, previous: ReservationStatus) -> None:
    if not await uow.reservations.save_status(reservation, previous):
        # Someone else moved it first (another admin, a payment webhook): let the client retry
        # against the fresh state rather than overwrite it.
        raise ConcurrentUpdate("the reservation changed meanwhile; reload it and retry")
