"""The ledger of one booking: what it costs, what is due and when, and every movement of money
(payments in, refunds and credits out). Immutable: each movement returns a new ledger, and
recording the same movement twice (same reference) changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from domain.errors import InvalidValue
from domain.money import Money
from domain.payments.cancellation import CancellationPolicy, Settlement
from domain.payments.errors import MoneyReferenceReused, RefundExceedsPaid

DEFAULT_BALANCE_DUE_DAYS = 7
MERCADOPAGO_PREFIX = "mp:"  # a Mercado Pago payment's reference in the ledger


MERCADOPAGO_REFUND_PREFIX = "mp-refund:"  # a refund Mercado Pago reported (its panel)
# Between a refund's request reference and what Mercado Pago's answer says it refunded
# (``answered_refund_reference``).
ANSWERED_MARK = "@"


def mercadopago_reference(payment_id: str) -> str:
    """A Mercado Pago payment in a booking's ledger: recorded once per payment id."""
    return f"{MERCADOPAGO_PREFIX}{payment_id}"


def mercadopago_refund_reference(payment_id: str, refunded_cents: int) -> str:
    """A refund Mercado Pago reported on one of its payments and we did not make (its panel):
    named by the payment and the cumulative amount refunded once it is counted, so the same
    report, however often it comes, is recorded once."""
    return f"{MERCADOPAGO_REFUND_PREFIX}{payment_id}:{refunded_cents}"


def answered_refund_reference(request_reference: str, payment_id: str, refunded_cents: int) -> str:
    """The owner's refund through Mercado Pago recorded from Mercado Pago's answer, its report
    of the payment not showing it yet: the request's reference (the same request again finds
    it: ``BookingLedger.refund_of``) and, after ``ANSWERED_MARK``, the payment and the
    cumulative amount refunded once the report shows it, as a reported refund is named — so
    ``reported_refunded_cents`` counts it, and the notification of it records nothing more."""
    reported = mercadopago_refund_reference(payment_id, refunded_cents)
    return f"{request_reference}{ANSWERED_MARK}{reported}"


def reported_refunded_cents(refunds: tuple[MoneyOut, ...], payment_id: str) -> int:
    """The highest cumulative refunded amount of a Mercado Pago payment that the ledger's
    reported refunds (``mercadopago_refund_reference``, also after ``ANSWERED_MARK``: ours
    recorded from Mercado Pago's answer) account for; 0 when none."""
    prefix = f"{MERCADOPAGO_REFUND_PREFIX}{payment_id}:"
    amounts = []
    for refund in refunds:
        reported = refund.reference.rpartition(ANSWERED_MARK)[2]
        if reported.startswith(prefix) and reported.removeprefix(prefix).isdigit():
            amounts.append(int(reported.removeprefix(prefix)))
    return max(amounts, default=0)


class PaymentMethod(StrEnum):
    MERCADOPAGO = "mercadopago"
    TRANSFER = "transfer"
    CASH = "cash"
    OTHER = "other"
    CREDIT = "credit"  # the guest's credit from a cancelled booking (``domain.payments.credits``)


class Covers(StrEnum):
    """Which amount due a payment matched exactly."""

    DEPOSIT = "deposit"
    BALANCE = "balance"
    TOTAL = "total"  # the whole booking at once


class Flag(StrEnum):
    """Why a recorded payment needs the owner's eye. It is counted all the same (except in
    another currency): money received is never lost."""

    UNMATCHED = "unmatched"  # matches no amount due (part of one, say)
    OVERPAID = "overpaid"  # more than everything still owed
    OTHER_CURRENCY = "other_currency"  # not counted towards the booking


@dataclass(frozen=True, slots=True)
class MoneyIn:
    reference: str  # the provider's payment id, or the owner's note of a transfer: unique
    method: PaymentMethod
    amount: Money
    received_on: date
    recorded_by: str
    covers: Covers | None = None
    flag: Flag | None = None

    def __post_init__(self) -> None:
        _reference(self.reference, self.recorded_by)
        if self.amount.cents <= 0:
            raise InvalidValue("a payment is more than 0")


@dataclass(frozen=True, slots=True)
class MoneyOut:
    """A refund to the guest, or a credit for another date (tied to the guest by the caller)."""

    reference: str
    amount: Money
    on: date
    recorded_by: str

    def __post_init__(self) -> None:
        _reference(self.reference, self.recorded_by)
        if self.amount.cents <= 0:
            raise InvalidValue("a refund or credit is more than 0")


def _reference(reference: str, recorded_by: str) -> None:
    if not reference.strip() or not recorded_by.strip():
        raise InvalidValue("a movement of money needs a reference and who recorded it")


def balance_due_on(check_in: date, booked_on: date, balance_due_days: int) -> date:
    """``balance_due_days`` before check-in; a booking made later than that owes it at
    check-in (it could never have met the earlier date)."""
    if balance_due_days < 0:
        raise InvalidValue("balance_due_days cannot be negative")
    due = check_in - timedelta(days=balance_due_days)
    return check_in if due < booked_on else due


@dataclass(frozen=True, slots=True)
class BookingLedger:
    total: Money
    deposit_due: Money
    check_in: date
    balance_due_on: date
    payments: tuple[MoneyIn, ...] = ()
    refunds: tuple[MoneyOut, ...] = ()
    credits: tuple[MoneyOut, ...] = ()

    def __post_init__(self) -> None:
        if self.deposit_due.currency != self.total.currency or self.deposit_due > self.total:
            raise InvalidValue("the deposit is part of the total, in the same currency")
        if self.balance_due_on > self.check_in:
            raise InvalidValue("the balance is due at check-in at the latest")

    @classmethod
    def open(
        cls,
        total: Money,
        deposit_due: Money,
        check_in: date,
        booked_on: date,
        balance_due_days: int = DEFAULT_BALANCE_DUE_DAYS,
    ) -> BookingLedger:
        due = balance_due_on(check_in, booked_on, balance_due_days)
        return cls(total, deposit_due, check_in, due)

    def _cents(self, movements: tuple[MoneyIn, ...] | tuple[MoneyOut, ...]) -> int:
        return sum(m.amount.cents for m in movements if m.amount.currency == self.total.currency)

    @property
    def paid(self) -> Money:
        return Money(self._cents(self.payments), self.total.currency)

    @property
    def refunded(self) -> Money:
        return Money(self._cents(self.refunds), self.total.currency)

    @property
    def credited(self) -> Money:
        """Kept for the guest as credit for another date."""
        return Money(self._cents(self.credits), self.total.currency)

    @property
    def returned(self) -> Money:
        """Refunded plus credited."""
        return Money(self.refunded.cents + self.credited.cents, self.total.currency)

    def paid_by(self, method: PaymentMethod) -> Money:
        return Money(
            self._cents(tuple(p for p in self.payments if p.method is method)),
            self.total.currency,
        )

    @property
    def held(self) -> Money:
        """Paid and not returned: the most that can still be refunded or credited."""
        return Money(self.paid.cents - self.returned.cents, self.total.currency)

    @property
    def deposit_paid(self) -> bool:
        return self.held >= self.deposit_due

    @property
    def deposit_owed(self) -> Money:
        """What is still to pay of the deposit (less when a credit or a payment covers part)."""
        return Money(max(0, self.deposit_due.cents - self.held.cents), self.total.currency)

    @property
    def credit_applied(self) -> Money:
        cents = sum(
            p.amount.cents
            for p in self.payments
            if p.method is PaymentMethod.CREDIT and p.amount.currency == self.total.currency
        )
        return Money(cents, self.total.currency)

    @property
    def balance_due(self) -> Money:
        return Money(max(0, self.total.cents - self.held.cents), self.total.currency)

    def overdue(self, today: date) -> bool:
        return self.balance_due.cents > 0 and today > self.balance_due_on

    @property
    def recorded(self) -> bool:
        """Whether any movement of money was ever written for the booking: a payment (in any
        currency), a credit it took, a refund or a credit it gave."""
        return bool(self.payments or self.refunds or self.credits)

    @property
    def lines_up(self) -> bool:
        """Whether what it holds is again an amount the booking asks for: nothing, exactly the
        deposit or exactly the total. A payment that matched nothing (``UNMATCHED``,
        ``OVERPAID``) needs no one's eye once it does: the rest of the deposit came, the
        excess went back, everything was returned."""
        return self.held.cents in (0, self.deposit_due.cents, self.total.cents)

    @property
    def flagged(self) -> tuple[MoneyIn, ...]:
        return tuple(p for p in self.payments if p.flag is not None)

    def record_payment(self, payment: MoneyIn) -> BookingLedger:
        """Rules: a payment is matched to what it pays exactly — the deposit (nothing held
        yet), the whole total (nothing held yet) or the balance still owed; anything else is
        recorded, counted and flagged (``UNMATCHED``, ``OVERPAID``; another currency is flagged
        and not counted). The same reference again is a no-op; with other details, refused."""
        for known in self.payments:
            if known.reference == payment.reference:
                if (known.method, known.amount) != (payment.method, payment.amount):
                    raise MoneyReferenceReused(
                        f"payment {payment.reference!r} was recorded with other details"
                    )
                return self
        covers, flag = self._match(payment.amount)
        recorded = replace(payment, covers=covers, flag=flag)
        return replace(self, payments=(*self.payments, recorded))

    def apply_credit(self, credit: MoneyIn) -> BookingLedger:
        """Rules: the guest's credit counts as paid (method ``credit``), up to what is still
        owed; it covers the deposit first, then the balance; it is never flagged. The same
        reference again is a no-op."""
        if credit.method is not PaymentMethod.CREDIT:
            raise InvalidValue("a credit is applied with method 'credit'")
        for known in self.payments:
            if known.reference == credit.reference:
                if known.amount != credit.amount:
                    raise MoneyReferenceReused(
                        f"credit {credit.reference!r} was applied with another amount"
                    )
                return self
        if credit.amount.currency != self.total.currency:
            raise InvalidValue(f"a credit is in {self.total.currency}")
        if credit.amount.cents > self.total.cents - self.held.cents:
            raise InvalidValue("a credit covers at most what the booking still owes")
        covers = Covers.DEPOSIT if self.held < self.deposit_due else Covers.BALANCE
        recorded = replace(credit, covers=covers, flag=None)
        return replace(self, payments=(*self.payments, recorded))

    def _match(self, amount: Money) -> tuple[Covers | None, Flag | None]:
        if amount.currency != self.total.currency:
            return None, Flag.OTHER_CURRENCY
        owed = self.total.cents - self.held.cents
        nothing_held = self.held.cents == 0
        if nothing_held and amount == self.deposit_due:
            return Covers.DEPOSIT, None
        if not nothing_held and amount == self.deposit_owed and amount.cents < owed:
            return Covers.DEPOSIT, None  # the rest of a deposit a credit covered in part
        if amount.cents == owed:
            return (Covers.TOTAL if nothing_held else Covers.BALANCE), None
        if amount.cents > owed:
            return None, Flag.OVERPAID
        return None, Flag.UNMATCHED

    def refund_of(self, reference: str) -> MoneyOut | None:
        """The refund recorded under a request's reference, as it is or recorded from Mercado
        Pago's answer (``answered_refund_reference``); None when there is none."""
        answered = f"{reference}{ANSWERED_MARK}"
        return next(
            (
                r
                for r in self.refunds
                if r.reference == reference or r.reference.startswith(answered)
            ),
            None,
        )

    def refund(self, refund: MoneyOut, most: Money | None = None) -> BookingLedger:
        return replace(self, refunds=self._out(self.refunds, refund, "refund", most))

    def credit(self, credit: MoneyOut, most: Money | None = None) -> BookingLedger:
        return replace(self, credits=self._out(self.credits, credit, "credit", most))

    def _out(
        self,
        movements: tuple[MoneyOut, ...],
        new: MoneyOut,
        what: str,
        most: Money | None,
    ) -> tuple[MoneyOut, ...]:
        """Rules: never more than ``most`` — what the booking can still give back, which
        depends on its status (``domain.payments.standing.returnable``: a hold's credit is
        not its to give) — and never more than is held (paid and not yet returned), in the
        booking's currency; the same reference again (a retry: on another day, or sent by
        another of the owner's people) is a no-op; with another amount, or as the other kind
        of movement, refused."""
        for known in self.refunds + self.credits:
            if known.reference == new.reference:
                if known.amount != new.amount or known not in movements:
                    raise MoneyReferenceReused(
                        f"{what} {new.reference!r} was recorded with other details"
                    )
                return movements
        if new.amount.currency != self.total.currency:
            raise InvalidValue(f"a {what} is in {self.total.currency}")
        limit = self.held if most is None or most > self.held else most
        if new.amount > limit:
            raise RefundExceedsPaid(
                f"a {what} of {new.amount} exceeds the {limit} paid and not yet returned",
                available=limit,
            )
        return (*movements, new)

    def settle_cancellation(self, policy: CancellationPolicy, cancelled_on: date) -> Settlement:
        """What the policy returns of the money held, cancelling on ``cancelled_on``."""
        return policy.settle(self.held, self.check_in, cancelled_on)
