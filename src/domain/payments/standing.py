"""Where a booking's money stands for the owner, by whether the booking still gives nights: a
hold or a booking collects its balance; a cancelled booking (or a lapsed hold) collects nothing
more and owes back the money it holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.booking.reservation import ACTIVE_STATUSES, ReservationStatus
from domain.money import Money
from domain.payments.ledger import BookingLedger


@dataclass(frozen=True, slots=True)
class Standing:
    balance_due: Money  # what the guest still owes
    balance_due_on: date | None  # None: nothing is collected any more
    to_return: Money  # what goes back to the guest: refunded, or kept as credit
    # What is still missing of the deposit (``deposit_missing``); zero once it is paid, and
    # when nothing is collected any more.
    deposit_missing: Money
    # False: a confirmed booking with nothing in its ledger — what it was paid was never
    # written down, so what it owes is unknown ("sin datos de pagos"), not its whole total —
    # and such a booking once cancelled: what goes back is unknown, not nothing.
    payments_known: bool = True

    @property
    def collecting(self) -> bool:
        return self.balance_due_on is not None


def standing(
    ledger: BookingLedger, status: ReservationStatus, *, was_confirmed: bool = False
) -> Standing:
    """Rules: a hold or a booking owes its balance by its due date and owes nothing back (a
    payment beyond what is due is flagged on the payment itself); a booking that gives no
    nights (cancelled, or a hold that lapsed) collects nothing, and everything it holds —
    paid, less refunded and credited — goes back to the guest, as a refund or a credit.
    Except a lapsed hold's credit from an earlier cancellation: it is the guest's again by
    itself (open for their next booking, like a hold's that is cancelled), so it is not money
    to give back.

    A confirmed booking whose ledger has nothing at all (``BookingLedger.recorded``) was paid
    what was never written here: confirmed before the ledger existed (its deposit paid through
    Mercado Pago or by hand then), or confirmed on the owner's word without an amount (the
    admin API's ``…/confirm``). Confirming takes a paid deposit, so its silence is not "nothing
    paid": it stands, owing an unknown balance (``payments_known`` False) — shown as such, with
    no amount claimed (nothing due, no deposit missing) until a payment is recorded on it. A
    hold with nothing recorded simply has nothing paid yet.

    Cancelled, such a booking (``was_confirmed``: it was confirmed when it was cancelled) keeps
    that silence: what it was paid, and so what goes back, is unknown — not "nothing" — and no
    amount is claimed (nothing to return) until a payment is recorded on it. A hold cancelled
    or lapsed with nothing recorded was simply never paid."""
    zero = Money.zero(ledger.total.currency)
    if not ledger.recorded:
        if status is ReservationStatus.CONFIRMED:
            return Standing(zero, ledger.balance_due_on, zero, zero, payments_known=False)
        if status is ReservationStatus.CANCELLED and was_confirmed:
            return Standing(zero, None, zero, zero, payments_known=False)
    if status in ACTIVE_STATUSES:
        missing = deposit_missing(ledger, status)
        return Standing(ledger.balance_due, ledger.balance_due_on, zero, missing)
    return Standing(zero, None, returnable(ledger, status), zero)


# A hold's credit from an earlier cancellation is still the guest's: it comes back to them by
# itself when the hold lapses (open again for their next booking) or is cancelled (released).
CREDIT_STILL_THE_GUESTS = frozenset({ReservationStatus.PRE_RESERVED, ReservationStatus.EXPIRED})


def returnable(ledger: BookingLedger, status: ReservationStatus) -> Money:
    """The most that can still go back to the guest from this booking — refunded, or kept as
    credit for another date: exactly what the guest paid for it and has not had back. Rules:
    - what was paid (Mercado Pago, transfer, cash, other, and a credit the booking spent),
      less every refund and every credit given from it (a credit given is money returned, even
      once the guest uses it on another booking);
    - a hold's credit from the guest's earlier cancellation (live, or lapsed: swept or not) is
      not: it was never spent, and it goes back to the guest by itself — open again when the
      hold lapses, released when it is cancelled — so refunding or crediting it as well would
      give the same money back twice;
    - once the booking was confirmed the credit was spent on it: it is the booking's money
      like any other (a cancelled booking gives it back with the rest; a cancelled hold has
      already released its own);
    - never less than nothing.
    ``BookingLedger.held`` is what the ledger holds (that credit included); this is the limit
    of every refund and credit (``BookingLedger.refund``/``credit``'s ``most``), the figure the
    owner's forms offer, and what a booking without nights owes back (``standing``)."""
    cents = ledger.held.cents
    if status in CREDIT_STILL_THE_GUESTS:
        cents -= ledger.credit_applied.cents
    return Money(max(0, cents), ledger.total.currency)


def deposit_missing(ledger: BookingLedger, status: ReservationStatus) -> Money:
    """What is still missing of the deposit. Rules:
    - a hold's deposit is what confirms it, and what confirms it is the money it holds (paid,
      less refunded and credited; a credit from an earlier cancellation counts as paid): a
      refund before it is confirmed un-pays that part;
    - a confirmed booking's deposit, once what was paid covers it, stays paid: a refund or a
      credit after it (a discount, part given back as a favour) is money the owner gave back,
      which the balance counts, not a deposit the guest stopped paying — so it counts what was
      paid, whatever went back; a booking confirmed by hand without the whole deposit misses
      the rest of it;
    - a booking without nights (cancelled, a lapsed hold) collects nothing: nothing is missing
      (whether its deposit had been paid is ``deposit_paid``).
    """
    if status not in ACTIVE_STATUSES:
        return Money.zero(ledger.total.currency)
    cents = max(0, ledger.deposit_due.cents - _counted_for_deposit(ledger, status).cents)
    return Money(cents, ledger.total.currency)


def deposit_paid(ledger: BookingLedger, status: ReservationStatus) -> bool:
    """Whether the deposit is paid, by ``deposit_missing``'s rule: a hold while what it holds
    covers it; any other booking once what was paid covered it (a booking without nights
    included: whether it had been paid)."""
    return _counted_for_deposit(ledger, status) >= ledger.deposit_due


def _counted_for_deposit(ledger: BookingLedger, status: ReservationStatus) -> Money:
    return ledger.held if status is ReservationStatus.PRE_RESERVED else ledger.paid
