"""A refund through Mercado Pago, inside ``IssueRefund``'s transaction (the booking's row
locked across every provider call): the booking's Mercado Pago payments looked at first, the
refund asked with the key derived from the request's, the payment re-fetched, and the ledger
following what Mercado Pago reports. The rules are ``IssueRefund``'s; it settles the booking's
refund-owed flags once, after everything here is recorded."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import timedelta

from application.errors import IntegrationError
from application.payments.ledger import refundable_by_mercadopago
from application.payments.provider_refunds import (
    ReportedRefund,
    accounted_refunds,
    record_reported_refund,
    stored_as_counted,
)
from application.payments.refund_preflight import (
    PaymentLook,
    fetch_reported,
    look_at_all,
    mercadopago_payment_ids,
    reported_cents,
)
from application.ports.clock import Clock
from application.ports.idempotency import (
    PROVIDER_REFUNDS,
    REFUND_ASKED_STATUS,
    StoredRequest,
)
from application.ports.payments import PaymentGateway, PaymentRecord, RefundMade, RefundRequest
from application.ports.unit_of_work import Transactions, UnitOfWork
from domain.booking.reservation import Reservation
from domain.money import Money
from domain.payments.errors import (
    FoundRefund,
    MoneyReferenceReused,
    RefundExceedsPaid,
    RefundInProcessAtProvider,
    RefundNotMade,
    RefundPendingAtProvider,
    UnrecordedRefundFound,
)
from domain.payments.ledger import (
    BookingLedger,
    MoneyOut,
    PaymentMethod,
    answered_refund_reference,
    mercadopago_reference,
)
from domain.payments.payment import Attention, Payment

# Mercado Pago's status of a refund in its answer: recorded from the answer only when approved
# (or not said); not made when rejected or cancelled; anything else is pending there.
APPROVED = frozenset({None, "approved"})
REFUND_NOT_MADE = frozenset({"rejected", "cancelled"})
KEY_PREFIX = "cabanas-"  # a refund's key at Mercado Pago: this, then the request's reference
# How long a key sent to Mercado Pago whose refund neither the ledger nor Mercado Pago's report
# shows yet holds back refunds with other keys of the booking (``RefundPendingAtProvider``):
# Mercado Pago's report catches up within minutes; a key whose call never got there (a timeout,
# the owner gone) stops holding them back after this. Its own retry settles it at once.
PENDING_AT_PROVIDER = timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class RefundAsked:
    """What a note of a key sent to Mercado Pago says it asked for (its response body)."""

    payment_id: str
    cents: int
    # The payment's cumulative refunded cents once Mercado Pago's report shows this refund.
    shown_cents: int

    def encode(self) -> str:
        return json.dumps(
            {"payment": self.payment_id, "cents": self.cents, "shown_cents": self.shown_cents}
        )

    @classmethod
    def decode(cls, body: str | None) -> RefundAsked | None:
        """None: a note without it (noted before notes said it), or unreadable."""
        try:
            data = json.loads(body) if body else None
            if not isinstance(data, dict):
                return None
            return cls(str(data["payment"]), int(data["cents"]), int(data["shown_cents"]))
        except (ValueError, KeyError, TypeError):
            return None


class MercadoPagoRefundExceeds(RefundExceedsPaid):
    """More than one Mercado Pago payment of the booking has left to refund (``available``:
    the most one has; zero when the booking was not paid through Mercado Pago). Same code:
    to the API it is a refund larger than can be made."""


@dataclass(frozen=True, slots=True)
class AtProvider:
    payment_id: str | None  # None: refused before choosing one
    ledger: BookingLedger  # with what Mercado Pago reported beyond it recorded
    ours: bool  # whether the request's own refund was recorded now
    refund_id: str | None = None  # Mercado Pago's id of the refund it answered with
    # Not asked of Mercado Pago: it had refunds the ledger did not count (recorded now).
    refused: UnrecordedRefundFound | None = None


@dataclass(frozen=True, slots=True)
class RefundThroughMercadoPago:
    uow: UnitOfWork  # the caller's, open: it commits
    clock: Clock
    gateway: PaymentGateway
    transactions: Transactions  # to note a key sent to Mercado Pago, whatever ours becomes

    async def __call__(
        self, reservation: Reservation, ledger: BookingLedger, refund: MoneyOut, note: str | None
    ) -> AtProvider:
        amount = refund.amount
        key = f"{KEY_PREFIX}{refund.reference}"
        noted = await self.uow.idempotency.stored(PROVIDER_REFUNDS, key)
        # A key that went to Mercado Pago goes again to the payment it went to, never another:
        # were Mercado Pago's keys per payment, the same key elsewhere would be a new refund.
        # None: it went for another amount (refused below, once the refunds found are shown).
        payment_id = (
            _noted_payment(ledger, amount, noted.fingerprint)
            if noted is not None
            else await self._choose(ledger, amount)
        )
        # Before asking for a refund, what Mercado Pago already made of each of the booking's
        # payments: a refund the ledger does not count yet is news the owner must see before
        # giving more back. Except this request's own, retried: its key went to Mercado Pago
        # for this payment and amount (our save failed after the call), and the payment's
        # unrecorded refunds come to that much. Then the key is sent again, and Mercado Pago
        # answers with the refund it made for it (or makes it, if the call never got there).
        looks = await look_at_all(self.uow, self.gateway, ledger)
        found = {look.payment_id: look.unrecorded for look in looks if look.unrecorded > 0}
        retried = (
            payment_id is not None
            and noted is not None
            and found.get(payment_id, 0) >= amount.cents
        )
        if found and not (retried and found.keys() == {payment_id}):
            return await self._refuse(reservation, ledger, looks, amount)
        if payment_id is None:
            raise MoneyReferenceReused(
                "this request's key already went to Mercado Pago for a refund of another "
                "amount; nothing was asked now: send this refund with a new key"
            )
        if noted is None:
            await self._hold_back_while_pending(reservation, ledger, looks)
        look = next(look for look in looks if look.payment_id == payment_id)
        shown = max(reported_cents(look.fresh, amount.currency), look.accounted) + amount.cents
        asked = RefundAsked(payment_id, amount.cents, shown)
        first = await self._note_asked(
            key, _fingerprint(payment_id, amount), reservation.code.value, asked
        )
        try:
            made = await self.gateway.refund(RefundRequest(payment_id, amount, idempotency_key=key))
        except IntegrationError as err:
            if not _refused_by_provider(err):
                raise
            await self._settle_note(key)  # the key made no refund: nothing pending
            raise RefundNotMade(
                f"Mercado Pago refused this refund of {amount} of payment {payment_id} "
                f"({err.message}): no refund was made. If money is still owed, send a new "
                "request (a new key)"
            ) from err
        ours = {p.reference for p in ledger.payments if p.method is PaymentMethod.MERCADOPAGO}
        if mercadopago_reference(made.payment_id) not in ours or made.amount != amount:
            raise MoneyReferenceReused(
                f"this key already refunded {made.amount} of Mercado Pago payment "
                f"{made.payment_id}; send this refund with a new key"
            )
        if made.status in REFUND_NOT_MADE:
            await self._settle_note(key)  # the key made no refund: nothing pending
            raise RefundNotMade(
                f"Mercado Pago answered this refund of {amount} of payment {payment_id} as "
                f"{made.status}: no refund was made. If money is still owed, send a new "
                "request (a new key)"
            )
        return await self._made(
            reservation, ledger, refund, note, made, first=first, noted=noted, key=key
        )

    async def _made(
        self,
        reservation: Reservation,
        ledger: BookingLedger,
        refund: MoneyOut,
        note: str | None,
        made: RefundMade,
        *,
        first: bool,
        noted: StoredRequest | None,
        key: str,
    ) -> AtProvider:
        """What Mercado Pago answered, into the ledger as its re-fetched report allows: the
        request's refund recorded once, whichever of our save and its notification comes
        first (``first``: the key went to Mercado Pago now for the first time)."""
        payment_id, amount = made.payment_id, made.amount
        fresh = await fetch_reported(self.gateway, payment_id)
        stored = await self.uow.payments.get(payment_id)
        accounted = accounted_refunds(ledger, payment_id, stored, amount.currency)
        reported = reported_cents(fresh, amount.currency)
        recorded: MoneyOut | None = None
        if reported - accounted >= amount.cents:  # reported, and the ledger does not count it
            recorded, rest_from = refund, accounted + amount.cents
        elif first:
            # Mercado Pago made it now (a key never sent before) and its report does not show
            # it yet: recorded from its answer, under a reference that counts it as reported
            # once the report shows it - the notification of it then records nothing more.
            once_shown = max(reported, accounted) + amount.cents
            reference = answered_refund_reference(refund.reference, payment_id, once_shown)
            recorded = replace(refund, reference=reference, amount=amount)
            rest_from = accounted
        else:
            # A retried key, and the report has less than it beyond the ledger: its notification
            # recorded it already (our save had failed; the report shows it), or the report
            # lags still - then Mercado Pago's answer to the key is the refund it made for it,
            # recorded from the answer as on the first attempt (under the cumulative amount the
            # note says the report shows once it does: its notification records nothing more).
            asked = RefundAsked.decode(noted.response_body if noted else None)
            if (
                asked is not None
                and reported < asked.shown_cents
                and ledger.refund_of(refund.reference) is None
            ):
                reference = answered_refund_reference(
                    refund.reference, payment_id, asked.shown_cents
                )
                recorded = replace(refund, reference=reference, amount=amount)
            rest_from = accounted
        if recorded is not None and recorded is not refund and made.status not in APPROVED:
            # Mercado Pago took it but has not approved it: not recorded from its answer (the
            # notification records it once the report shows it); the key's note stays, holding
            # back refunds with other keys meanwhile.
            raise RefundInProcessAtProvider(
                f"Mercado Pago answered this refund of {amount} of payment {payment_id} as "
                f"{made.status}, not approved yet: nothing recorded now; it is recorded once "
                "Mercado Pago reports it. Do not make it again"
            )
        if recorded is not None:
            ledger = ledger.refund(recorded)
            await self.uow.ledger.add_refund(reservation.code.value, recorded, note)
        # The key's refund is counted now (recorded, or its report's): its note is settled.
        await self.uow.idempotency.mark_processed(PROVIDER_REFUNDS, key, self.clock.now())
        rest = await self._record_reported(reservation, ledger, fresh, stored, rest_from)
        return AtProvider(payment_id, rest.ledger, recorded is not None, refund_id=made.refund_id)

    async def _choose(self, ledger: BookingLedger, amount: Money) -> str:
        """The first Mercado Pago payment of the booking with ``amount`` left to refund."""
        left = await refundable_by_mercadopago(self.uow, ledger)
        payment_id = next((pid for pid, money in left if money >= amount), None)
        if payment_id is None:
            most = max((money for _, money in left), default=Money.zero(amount.currency))
            raise MercadoPagoRefundExceeds(
                f"no Mercado Pago payment of this booking has {amount} left to refund (the most "
                f"is {most}); refund by hand and record it (through_mercadopago: false), or "
                "refund in parts",
                available=most,
            )
        return payment_id

    async def _note_asked(self, key: str, fingerprint: str, code: str, asked: RefundAsked) -> bool:
        """The key is about to go to Mercado Pago: noted in a transaction of its own, so that a
        rollback of this request's (our save failing after the call) does not forget it, tied
        to the booking with what it asks (``RefundAsked``) until its refund is counted.
        Whether it is noted now: the key never went there before (notes outlive the longest
        a refund can be asked: ``REFUND_NOTE_RETENTION``)."""
        async with self.transactions() as own:
            claimed = await own.idempotency.claim(
                PROVIDER_REFUNDS, key, self.clock.now(), fingerprint=fingerprint
            )
            if claimed is None:
                await own.idempotency.attach_reservation(PROVIDER_REFUNDS, key, code)
                await own.idempotency.store_response(
                    PROVIDER_REFUNDS, key, REFUND_ASKED_STATUS, asked.encode()
                )
                await own.commit()
        return claimed is None

    async def _settle_note(self, key: str) -> None:
        """The key's note settled in a transaction of its own (this request's rolls back)."""
        async with self.transactions() as own:
            await own.idempotency.mark_processed(PROVIDER_REFUNDS, key, self.clock.now())
            await own.commit()

    async def _hold_back_while_pending(
        self, reservation: Reservation, ledger: BookingLedger, looks: list[PaymentLook]
    ) -> None:
        """A refund with a new key is not asked while another key of the booking went to
        Mercado Pago a moment ago and neither the ledger nor Mercado Pago's report shows its
        refund yet (our save failed, the report lags): it could be the same money twice. The
        notes whose refunds are shown are settled."""
        currency = ledger.total.currency
        reported = {look.payment_id: reported_cents(look.fresh, currency) for look in looks}
        now = self.clock.now()
        for pending in await self.uow.idempotency.unsettled_refund_notes(reservation.code.value):
            asked = RefundAsked.decode(pending.body)
            if asked is None:
                continue
            counted = ledger.refund_of(pending.key.removeprefix(KEY_PREFIX)) is not None
            if counted or reported.get(asked.payment_id, 0) >= asked.shown_cents:
                await self.uow.idempotency.mark_processed(PROVIDER_REFUNDS, pending.key, now)
            elif now - pending.created_at < PENDING_AT_PROVIDER:
                raise RefundPendingAtProvider(
                    f"a refund of {Money(asked.cents, currency)} of Mercado Pago payment "
                    f"{asked.payment_id} went to Mercado Pago a moment ago and neither the "
                    "ledger nor its report shows it yet; nothing was asked now: wait a few "
                    "minutes and look at the booking before refunding again (or send that "
                    "request again, with its own key)"
                )

    async def _refuse(
        self,
        reservation: Reservation,
        ledger: BookingLedger,
        looks: list[PaymentLook],
        amount: Money,
    ) -> AtProvider:
        """Nothing asked: the refunds found, recorded as their notifications would record
        them (each payment stored as reported), and the owner told how much was found."""
        what: list[str] = []
        outcomes: list[FoundRefund] = []
        for look in looks:
            if look.unrecorded <= 0:
                continue
            reported = await self._record_reported(
                reservation, ledger, look.fresh, look.stored, look.accounted
            )
            ledger = reported.ledger
            what.append(look.found(reported))
            outcomes.append(look.outcome(reported))
        return AtProvider(
            None,
            ledger,
            ours=False,
            refused=UnrecordedRefundFound(
                f"Mercado Pago already reports {'; '.join(what)}. This refund of {amount} was "
                "not made: check whether it is still owed, then send it again",
                outcomes=tuple(outcomes),
            ),
        )

    async def _record_reported(
        self,
        reservation: Reservation,
        ledger: BookingLedger,
        fresh: Payment,
        stored: PaymentRecord | None,
        accounted: int,
    ) -> ReportedRefund:
        """What the payment's report has beyond what the ledger counts, recorded as its
        notification would; the payment stored as reported (flagged when that could not be;
        without the refunds its state keeps out of the ledger: ``stored_as_counted``)."""
        now = self.clock.now()
        rest = await record_reported_refund(
            self.uow, reservation, ledger, fresh, stored, now, accounted=accounted, settle=False
        )
        counted = Money(accounted, ledger.total.currency)
        await self.uow.payments.save(
            stored_as_counted(fresh, counted),
            now,
            reservation_code=reservation.code.value,
            attention=Attention.REFUND_MISMATCH if rest.mismatch else None,
            attention_reason=rest.mismatch,
        )
        return rest


def _noted_payment(ledger: BookingLedger, amount: Money, fingerprint: str | None) -> str | None:
    """The booking's Mercado Pago payment a key's note says it asked ``amount`` of; None when
    the note is of another amount (or of a payment not this booking's)."""
    return next(
        (
            pid
            for pid in mercadopago_payment_ids(ledger)
            if _fingerprint(pid, amount) == fingerprint
        ),
        None,
    )


def _refused_by_provider(err: IntegrationError) -> bool:
    """Mercado Pago answered the refund with a 4xx that trying again does not change (not a
    timeout, a 5xx or a rate limit): it made no refund for the key."""
    return (
        not err.retryable
        and err.code is not None
        and err.code.isdigit()
        and 400 <= int(err.code) < 500
    )


def _fingerprint(payment_id: str, amount: Money) -> str:
    """Which refund a key asked for: the payment and the amount."""
    return hashlib.sha256(f"{payment_id}:{amount.cents}:{amount.currency}".encode()).hexdigest()
