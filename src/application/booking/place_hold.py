"""Place a hold (``pre_reserved``) on an accommodation for a stay."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from application.booking.credits import apply_guest_credits
from application.errors import (
    CodeCollision,
    IdempotentReplay,
    RequestRetried,
    TransientStorageError,
)
from application.ports.catalogue import Catalogue
from application.ports.clock import Clock
from application.ports.codes import CodeGenerator
from application.ports.holidays import HolidaySource
from application.ports.ledger import LedgerTerms
from application.ports.metrics import BookingMetrics
from application.ports.outbox import OutboxKind
from application.ports.pricing import PriceRulesRepository
from application.ports.repositories import HoldOutcome, QuotaCheck, QuotaRefused
from application.ports.unit_of_work import UnitOfWork
from domain.booking.accommodation import Accommodation
from domain.booking.hold_limits import HoldLimit, HoldLimits, HoldQuota
from domain.booking.policy import BookingPolicy
from domain.booking.reservation import Channel, Guest, Reservation, ReservationStatus
from domain.calendar import local_today
from domain.errors import (
    AccommodationNotFound,
    IdempotencyKeyReused,
    RuleViolation,
    StayUnavailable,
)
from domain.payments.ledger import PaymentMethod
from domain.pricing import PriceBreakdown, stay_violation
from domain.pricing.cabin_rules import CabinPriceRules, Pricing
from domain.pricing.errors import InvalidPriceRule
from domain.pricing.holidays import HolidayCalendar
from domain.stay import Stay

MAX_ATTEMPTS = 3
API_SCOPE = "api"
_DAY = timedelta(days=1)
NO_RULES = Pricing()


class PricesUnavailable(RuleViolation):
    """The cabin's stored price rules no longer price with its base price: never sold at a
    guess (the owner fixes the rules or the base)."""

    code = "prices_unavailable"


@dataclass(frozen=True, slots=True)
class PaymentsSetup:
    """When a payment provider is configured, every hold gets a deposit link (created by the
    outbox, so the provider being down never loses or slows the hold)."""

    enabled: bool = False
    # How long a booking request waits for the link before answering without it.
    link_timeout_s: float = 3.0


@dataclass(frozen=True, slots=True)
class PlaceHoldCommand:
    accommodation_id: int
    check_in: date
    check_out: date
    guests: int
    guest: Guest
    channel: Channel = Channel.API
    notes: str | None = None
    # An ``Idempotency-Key`` and a fingerprint of the request it came with.
    idempotency_key: str | None = None
    fingerprint: str | None = None
    # A hash of the client and the body: the same request from the same client, retried after
    # an answer it never got, gets the hold it placed back (``RequestRetried``).
    retry_key: str | None = None
    # Whom the hold counts against (``HoldLimits``); None for the owner's own bookings.
    quota: HoldQuota | None = None
    # How the guest will pay the deposit: Mercado Pago (a link, a short hold) or a bank
    # transfer (no link; the hold lasts ``policy.transfer_hold_hours``).
    payment_method: PaymentMethod = PaymentMethod.MERCADOPAGO


@dataclass(frozen=True, slots=True)
class PlaceHold:
    """Rules:
    - the accommodation exists and is active; the stay is well formed, starts today or later
      (Argentine date), within the booking horizon, between the accommodation's minimum and the
      policy's maximum nights, for 1 to capacity guests;
    - total and deposit come from the quote at booking time, under the cabin's price rules
      (the same cached rules ``/availability`` quotes with), and the whole breakdown is stored
      with the hold: later price changes never reprice it. The insert only lands if the stored
      rules still are the version the cached ones were read at (a change made by another
      process is never sold at the old price: the rules are read again and the stay priced
      again, as for a changed cabin). The rules judge the minimum stay
      (waived for a stay exactly filling a gap between bookings) and the arrival day; rules that
      no longer price with the cabin's base refuse the hold (``PricesUnavailable``);
    - the hold lasts ``policy.hold_minutes``, or ``policy.transfer_hold_hours`` when the guest
      pays the deposit by bank transfer (such a hold gets no Mercado Pago link);
    - the database decides availability: overlapping active reservations → ``StayUnavailable``;
      lapsed holds never block;
    - the cabin may come from the (seconds-stale) catalogue, but the insert only lands if the
      cabin still has the price, capacity, minimum nights and active flag it was checked
      against; otherwise the decision is made again from a fresh read;
    - deadlocks/serialization failures and code collisions are retried a bounded number of times;
    - with an idempotency key, the key is claimed in the hold's own transaction: a second
      request with the key waits for the first, then replays it (``IdempotentReplay``), or is
      refused if its body differs (``IdempotencyKeyReused``); a request that fails leaves no
      key behind, so it may be retried;
    - with payments enabled, a payment-link job is queued in the same transaction;
    - without a key, the request is still safe to retry: a hold keeps the ``retry_key`` of the
      request that placed it (its client and body), and the same request meeting that live
      hold on its nights gets it back (``RequestRetried``) instead of a 409 or a 429 against
      itself — also when the two were sent at once and the other's hold committed while this
      one's insert was deciding (a refusal with a retry key reads once more to tell);
    - a hold with a quota (every guest's: API and WhatsApp) is at most ``limits.max_nights``
      long (``HoldTooLong``), and is placed only while its phone number and its client have
      fewer live holds than ``limits.per_phone`` / ``limits.per_client`` (``TooManyHolds``,
      decided in the hold's own statement, exact under concurrency);
    - a guest's hold (one with a quota: API and WhatsApp) then takes the open credit its phone
      has from earlier cancellations (``apply_guest_credits``; whether it has one comes back
      from the hold's own statement), before its payment link job is
      queued (in the hold's transaction, or in one of its own after a hold written alone): it
      lowers the deposit link's amount, or confirms the hold when it covers the deposit.
    """

    uow: UnitOfWork
    clock: Clock
    codes: CodeGenerator
    policy: BookingPolicy
    catalogue: Catalogue
    metrics: BookingMetrics
    payments: PaymentsSetup = PaymentsSetup()
    limits: HoldLimits = field(default_factory=HoldLimits)
    price_rules: PriceRulesRepository | None = None
    holidays: HolidaySource | None = None
    terms: LedgerTerms = field(default_factory=LedgerTerms)

    async def __call__(self, cmd: PlaceHoldCommand) -> Reservation:
        stay = Stay(cmd.check_in, cmd.check_out)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return await self._attempt(cmd, stay)
            except (TransientStorageError, CodeCollision):
                if attempt == MAX_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def _attempt(self, cmd: PlaceHoldCommand, stay: Stay) -> Reservation:
        now = self.clock.now()
        async with self.uow:
            if cmd.idempotency_key is not None:
                await self._claim_key(cmd, now)
            # The cached catalogue saves a round trip; the insert itself verifies that the
            # cabin still matches it, and on a mismatch we decide again from a fresh read.
            acc = await self.catalogue.get_active(cmd.accommodation_id)
            if acc is None:
                acc = await self._fresh(cmd.accommodation_id)
            # With no key to record and no payment job to queue, the hold is the only write:
            # one statement, atomic by itself, so no BEGIN/COMMIT round trips around it.
            link = self.payments.enabled and cmd.payment_method is PaymentMethod.MERCADOPAGO
            alone = cmd.idempotency_key is None and not link
            quota = self._quota(cmd, stay)
            # Priced under the cached rules' version: the insert lands only if the stored
            # rules still are that version (another process may have changed them since).
            reservation, outcome = await self._place(cmd, stay, acc, now, alone, quota)
            if outcome is HoldOutcome.STALE:
                self.catalogue.invalidate()
                if self.price_rules is not None:
                    self.price_rules.invalidate()
                acc = await self._fresh(cmd.accommodation_id)
                reservation, outcome = await self._place(cmd, stay, acc, now, alone, quota)
            if isinstance(outcome, QuotaRefused):
                # A copy of this very request sent at the same moment (a double tap, a client
                # retrying before the first answer) may hold the place that is now missing: the
                # insert's statement could not see it (it committed after that statement began).
                await self._retried(cmd, stay, now)
                self.metrics.hold_limited(outcome.limit.value, cmd.channel.value)
                raise self.limits.refused(outcome.limit, outcome.retry_at, now)
            if outcome is HoldOutcome.STALE:
                raise TransientStorageError("the accommodation changed while booking")
            if outcome is HoldOutcome.RETRIED or outcome is HoldOutcome.TAKEN_MEANWHILE:
                # RETRIED: the statement saw this request's own live hold; TAKEN_MEANWHILE:
                # what holds the nights was committed while the statement ran, and may be a
                # concurrent copy's hold. Either way a fresh read says whether it is ours and
                # still live. (Plain TAKEN: the statement saw the row, and it is not ours.)
                await self._retried(cmd, stay, now)
                outcome = HoldOutcome.TAKEN
            if outcome is HoldOutcome.TAKEN:
                self.metrics.stay_conflict(cmd.channel.value)
                raise StayUnavailable(
                    f"{acc.name} is already taken for some nights between "
                    f"{stay.check_in.isoformat()} and {stay.check_out.isoformat()}"
                )
            if cmd.idempotency_key is not None:
                await self.uow.idempotency.attach_reservation(
                    API_SCOPE, cmd.idempotency_key, reservation.code.value
                )
            # The hold's own statement told whether its phone has an open credit (a hold
            # written alone is already committed: its credit then goes in a transaction of its
            # own, before any link is asked for).
            phone = quota.quota.phone_key if quota is not None else None
            if outcome is HoldOutcome.PLACED_WITH_CREDIT and phone is not None:
                await apply_guest_credits(self.uow, self.clock, reservation, phone, now, self.terms)
            if link and reservation.status is ReservationStatus.PRE_RESERVED:
                await self.uow.outbox.add(
                    OutboxKind.PAYMENT_LINK,
                    {"code": reservation.code.value},
                    now,
                    dedupe_key=payment_link_job(reservation.code.value),
                )
            await self.uow.commit()
        self.metrics.hold_placed(cmd.channel.value)
        return reservation

    async def _place(
        self,
        cmd: PlaceHoldCommand,
        stay: Stay,
        acc: Accommodation,
        now: datetime,
        alone: bool,
        quota: QuotaCheck | None,
    ) -> tuple[Reservation, HoldOutcome | QuotaRefused]:
        """The hold priced from ``acc``, and what its insert met."""
        reservation, version = await self._hold(cmd, stay, acc, now)
        outcome = await self.uow.reservations.add_hold(
            reservation,
            now,
            acc,
            alone=alone,
            retry_key=cmd.retry_key,
            quota=quota,
            rules_version=version,
        )
        return reservation, outcome

    def _quota(self, cmd: PlaceHoldCommand, stay: Stay) -> QuotaCheck | None:
        if cmd.quota is None:
            return None
        try:
            self.limits.check_nights(stay)
        except RuleViolation:
            self.metrics.hold_limited(HoldLimit.NIGHTS.value, cmd.channel.value)
            raise
        return QuotaCheck(cmd.quota, self.limits.per_phone, self.limits.per_client)

    async def _retried(self, cmd: PlaceHoldCommand, stay: Stay, now: datetime) -> None:
        if cmd.retry_key is None:
            return
        own = await self.uow.reservations.retried_hold(
            cmd.accommodation_id, stay, cmd.retry_key, now
        )
        if own is not None:
            raise RequestRetried(own)

    async def _claim_key(self, cmd: PlaceHoldCommand, now: datetime) -> None:
        assert cmd.idempotency_key is not None
        prior = await self.uow.idempotency.claim(
            API_SCOPE, cmd.idempotency_key, now, fingerprint=cmd.fingerprint
        )
        if prior is None:
            return
        if prior.fingerprint != cmd.fingerprint:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was already used with a different request body"
            )
        raise IdempotentReplay(prior)

    async def _fresh(self, accommodation_id: int) -> Accommodation:
        acc = await self.uow.accommodations.get(accommodation_id)
        if acc is None:
            raise AccommodationNotFound(f"no accommodation with id {accommodation_id}")
        return acc

    async def _hold(
        self, cmd: PlaceHoldCommand, stay: Stay, acc: Accommodation, now: datetime
    ) -> tuple[Reservation, int | None]:
        """The hold, and the version of the price rules it was priced under (None: no rules
        repository, or its version unknown)."""
        breakdown, version = await self._price(cmd, stay, acc, now)
        hold = Reservation(
            code=self.codes.new_code(),
            accommodation_id=acc.id,
            stay=stay,
            guests=cmd.guests,
            guest=cmd.guest,
            total=breakdown.total,
            deposit=breakdown.deposit,
            channel=cmd.channel,
            status=ReservationStatus.PRE_RESERVED,
            created_at=now,
            expires_at=now + self.policy.hold_length(cmd.payment_method is PaymentMethod.TRANSFER),
            notes=cmd.notes,
            breakdown=breakdown,
            payment_method=cmd.payment_method,
        )
        return hold, version

    async def _price(
        self, cmd: PlaceHoldCommand, stay: Stay, acc: Accommodation, now: datetime
    ) -> tuple[PriceBreakdown, int | None]:
        """The booking policy, then the quote under the cabin's rules and their stay limits;
        with the version of the rules it read."""
        today = local_today(now)
        rules, version = await self._rules(acc.id)
        deposit_percent = self.policy.deposit_percent
        if rules is None:
            self.policy.check(acc, stay, cmd.guests, today)
            return NO_RULES.quote(acc, stay, cmd.guests, deposit_percent), version
        # The rules judge the minimum stay: the policy's own is only lowered to the stay's
        # length, so the maximum and the party size still speak in its words.
        lowered = min(stay.nights, acc.min_nights)
        violation = (
            self.policy.closed(acc)
            or self.policy.dates_violation(stay, today)
            or self.policy.fit_violation(acc, stay.nights, cmd.guests, min_nights=lowered)
        )
        if violation is not None:
            raise violation
        calendar = HolidayCalendar()
        if rules.long_weekend is not None and self.holidays is not None:
            calendar = await self.holidays.calendar(stay.check_in, stay.check_out)
        try:
            breakdown = Pricing({acc.id: rules}, calendar).quote(
                acc, stay, cmd.guests, deposit_percent
            )
        except InvalidPriceRule as exc:
            raise PricesUnavailable(
                f"{acc.name}'s prices are being updated; please ask the owner"
            ) from exc
        taken: list[Stay] = []
        if stay.nights < breakdown.min_nights:
            # Only a stay shorter than the rules' minimum needs its neighbours (the gap rule).
            window = Stay(stay.check_in - _DAY, stay.check_out + _DAY)
            taken = (await self.uow.reservations.occupied(window, now, acc.id)).get(acc.id, [])
        violation = stay_violation(
            breakdown, stay, taken, name=acc.name, max_nights=self.policy.max_nights
        )
        if violation is not None:
            raise violation
        return breakdown, version

    async def _rules(self, accommodation_id: int) -> tuple[CabinPriceRules | None, int | None]:
        """The cabin's cached rules and their version, read together (no await between: a
        reload by a concurrent request cannot come in between)."""
        if self.price_rules is None:
            return None, None
        rules = await self.price_rules.all_rules()
        return rules.get(accommodation_id), self.price_rules.loaded_version


def payment_link_job(code: str) -> str:
    return f"checkout:{code}"
