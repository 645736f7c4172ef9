"""/api/v1/admin: a cabin's price rules (GET/PUT …/accommodations/{id}/prices) and bulk price
changes with a preview (…/prices/bulk-preview, …/prices/bulk-apply). Amounts are JSON numbers
in the cabin's currency with at most two decimals, like every amount of the API."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, get, post, put
from litestar.params import JSONBody, Parameter

from application.back_office.prices import (
    ApplyBulkChange,
    BulkChange,
    BulkPreview,
    CabinPrices,
    GetPrices,
    PreviewBulkChange,
    ReplacePrices,
)
from application.errors import IdempotentReplay
from domain.errors import DomainError, InvalidValue
from domain.money import Money
from domain.payments.cancellation import CancellationPolicy, CancellationTier, Outcome
from domain.pricing import (
    DateOverride,
    DayMonth,
    Fees,
    LengthOfStayDiscount,
    LongWeekendRule,
    PriceChange,
    Rate,
    RecurringRange,
    Season,
)
from domain.pricing.cabin_rules import CabinPriceRules
from domain.pricing.rules import LONG_WEEKEND_NAME
from entrypoints.http.admin.auth import current_admin, require_admin
from entrypoints.http.idempotency import RequiredKey, fingerprint, remembered
from entrypoints.http.openapi import problems
from entrypoints.http.params import BIGINT_MAX, BodyRowId, RowId

_CENT = Decimal("0.01")
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
Nights = Annotated[int, msgspec.Meta(ge=1, le=366)]
Amount = Annotated[float, msgspec.Meta(ge=0, le=1e9, description="at most two decimals")]
Percent = Annotated[float, msgspec.Meta(ge=-100, le=1000, description="at most two decimals")]
DayOfYear = Annotated[str, msgspec.Meta(pattern=r"^\d{1,2}/\d{1,2}$", examples=["15/12"])]
Weekday = Annotated[
    int, msgspec.Meta(ge=0, le=6), Parameter(ge=0, le=6, description="0 Monday … 6 Sunday")
]
# msgspec checks the bound; Litestar's schema reads it on list items only from a Parameter.
CabinId = Annotated[
    int, msgspec.Meta(ge=1, le=BIGINT_MAX), Parameter(ge=1, le=BIGINT_MAX, description="Row id")
]


class SeasonBody(msgspec.Struct, forbid_unknown_fields=True):
    """Recurs every year; ``to`` before ``from`` wraps the new year. One of
    ``nightly_amount`` / ``percent_over_base``."""

    name: Name
    from_: DayOfYear = msgspec.field(name="from")
    to: DayOfYear = "31/12"
    nightly_amount: Amount | None = None
    percent_over_base: Percent | None = None
    weekend_amount: Amount | None = None
    min_nights: Nights | None = None
    arrival_weekdays: list[Weekday] | None = None


class OverrideBody(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    first_night: date
    last_night: date
    nightly_amount: Amount | None = None
    percent_over_base: Percent | None = None
    min_nights: Nights | None = None


class LongWeekendBody(msgspec.Struct, forbid_unknown_fields=True):
    name: Name = LONG_WEEKEND_NAME
    nightly_amount: Amount | None = None
    percent_over_base: Percent | None = None
    min_nights: Nights | None = None


class FeesBody(msgspec.Struct, forbid_unknown_fields=True):
    cleaning_amount: Amount = 0
    extra_guest_amount: Amount = 0  # per night, per guest above guests_included
    guests_included: Annotated[int, msgspec.Meta(ge=1, le=100)] | None = None
    pet_amount: Amount | None = None


class DiscountBody(msgspec.Struct, forbid_unknown_fields=True):
    min_nights: Nights
    percent: Percent
    name: Annotated[str, msgspec.Meta(max_length=80)] = ""


class PriceChangeBody(msgspec.Struct, forbid_unknown_fields=True):
    effective_from: date
    percent: Percent


class TierBody(msgspec.Struct, forbid_unknown_fields=True):
    min_days_before: Annotated[int, msgspec.Meta(ge=0, le=1000)]
    percent: Annotated[float, msgspec.Meta(ge=0, le=100)]
    outcome: Outcome = Outcome.REFUND
    # A credit tier's credit is usable this many days from the cancellation (null: no end).
    credit_valid_days: Annotated[int, msgspec.Meta(ge=1, le=3650)] | None = None


class PricesBody(msgspec.Struct, forbid_unknown_fields=True):
    """The whole of a cabin's rules (PUT replaces them all: send back what GET gave, changed).
    ``accommodation_id``, ``currency``, ``base_price`` and ``weekend_multiplier`` are shown by
    GET and ignored by PUT (the base is changed on the accommodation)."""

    seasons: list[SeasonBody] = msgspec.field(default_factory=list)
    overrides: list[OverrideBody] = msgspec.field(default_factory=list)
    long_weekend: LongWeekendBody | None = None
    fees: FeesBody = msgspec.field(default_factory=FeesBody)
    stay_discounts: list[DiscountBody] = msgspec.field(default_factory=list)
    price_changes: list[PriceChangeBody] = msgspec.field(default_factory=list)
    cancellation_tiers: list[TierBody] = msgspec.field(default_factory=list)
    accommodation_id: BodyRowId | None = None
    currency: str | None = None
    base_price: float | None = None
    weekend_multiplier: float | None = None


def _decimal(value: float, field: str) -> Decimal:
    exact = Decimal(repr(value))  # the shortest repr is the number as written
    if exact != exact.quantize(_CENT):
        raise _at(InvalidValue("at most two decimals"), field)
    return exact


def _money(value: float | None, field: str, currency: str) -> Money | None:
    return None if value is None else Money.of(_decimal(value, field), currency)


def _at[E: DomainError](error: E, field: str) -> E:
    if error.field is None:
        error.field = field
    return error


def _each[T, R](items: Sequence[T], field: str, build: Callable[[T, str], R]) -> tuple[R, ...]:
    """Build each item, naming the one at fault (``seasons[1]``) in a refusal."""
    built = []
    for i, item in enumerate(items):
        where = f"{field}[{i}]"
        try:
            built.append(build(item, where))
        except DomainError as exc:
            raise _at(exc, where) from None
    return tuple(built)


def _rate(nightly: float | None, percent: float | None, where: str, currency: str) -> Rate:
    return Rate(
        nightly=_money(nightly, f"{where}.nightly_amount", currency),
        percent_over_base=None if percent is None else _decimal(percent, where),
    )


def to_rules(body: PricesBody, currency: str) -> tuple[CabinPriceRules, CancellationPolicy | None]:
    def season(s: SeasonBody, where: str) -> Season:
        return Season(
            s.name,
            RecurringRange(DayMonth.parse(s.from_), DayMonth.parse(s.to)),
            _rate(s.nightly_amount, s.percent_over_base, where, currency),
            weekend_nightly=_money(s.weekend_amount, f"{where}.weekend_amount", currency),
            min_nights=s.min_nights,
            arrival_weekdays=frozenset(s.arrival_weekdays) if s.arrival_weekdays else None,
        )

    def override(o: OverrideBody, where: str) -> DateOverride:
        rate = _rate(o.nightly_amount, o.percent_over_base, where, currency)
        return DateOverride(o.name, o.first_night, o.last_night, rate, o.min_nights)

    def discount(d: DiscountBody, where: str) -> LengthOfStayDiscount:
        return LengthOfStayDiscount(d.min_nights, _decimal(d.percent, where), d.name)

    def change(c: PriceChangeBody, where: str) -> PriceChange:
        return PriceChange(c.effective_from, _decimal(c.percent, where))

    def tier(t: TierBody, where: str) -> CancellationTier:
        return CancellationTier(
            t.min_days_before, _decimal(t.percent, where), t.outcome, t.credit_valid_days
        )

    long_weekend = None
    if body.long_weekend is not None:
        lw = body.long_weekend
        try:
            rate = _rate(lw.nightly_amount, lw.percent_over_base, "long_weekend", currency)
            long_weekend = LongWeekendRule(rate, lw.min_nights, lw.name)
        except DomainError as exc:
            raise _at(exc, "long_weekend") from None
    f = body.fees
    try:
        fees = Fees(
            cleaning=Money.of(_decimal(f.cleaning_amount, "fees.cleaning_amount"), currency),
            extra_guest_nightly=Money.of(
                _decimal(f.extra_guest_amount, "fees.extra_guest_amount"), currency
            ),
            guests_included=f.guests_included,
            pet=_money(f.pet_amount, "fees.pet_amount", currency),
        )
    except DomainError as exc:
        raise _at(exc, "fees") from None
    rules = CabinPriceRules(
        seasons=_each(body.seasons, "seasons", season),
        overrides=_each(body.overrides, "overrides", override),
        long_weekend=long_weekend,
        fees=fees,
        discounts=_each(body.stay_discounts, "stay_discounts", discount),
        changes=_each(body.price_changes, "price_changes", change),
    )
    tiers = _each(body.cancellation_tiers, "cancellation_tiers", tier)
    try:
        policy = CancellationPolicy(tiers) if tiers else None
    except DomainError as exc:
        raise _at(exc, "cancellation_tiers") from None
    return rules, policy


def _amount(money: Money | None) -> float | None:
    return None if money is None else money.cents / 100


def _percent(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def prices_view(p: CabinPrices) -> PricesBody:
    r, acc = p.rules, p.accommodation
    lw = r.long_weekend
    return PricesBody(
        accommodation_id=acc.id,
        currency=acc.base_price.currency,
        base_price=acc.base_price.cents / 100,
        weekend_multiplier=float(acc.weekend_multiplier),
        seasons=[
            SeasonBody(
                name=s.name,
                from_=str(s.dates.first),
                to=str(s.dates.last),
                nightly_amount=_amount(s.rate.nightly),
                percent_over_base=_percent(s.rate.percent_over_base),
                weekend_amount=_amount(s.weekend_nightly),
                min_nights=s.min_nights,
                arrival_weekdays=sorted(s.arrival_weekdays) if s.arrival_weekdays else None,
            )
            for s in r.seasons
        ],
        overrides=[
            OverrideBody(
                o.name,
                o.first_night,
                o.last_night,
                _amount(o.rate.nightly),
                _percent(o.rate.percent_over_base),
                o.min_nights,
            )
            for o in r.overrides
        ],
        long_weekend=LongWeekendBody(
            lw.name, _amount(lw.rate.nightly), _percent(lw.rate.percent_over_base), lw.min_nights
        )
        if lw is not None
        else None,
        fees=FeesBody(
            r.fees.cleaning.cents / 100,
            r.fees.extra_guest_nightly.cents / 100,
            r.fees.guests_included,
            _amount(r.fees.pet),
        ),
        stay_discounts=[DiscountBody(d.min_nights, float(d.percent), d.name) for d in r.discounts],
        price_changes=[PriceChangeBody(c.effective_from, float(c.percent)) for c in r.changes],
        cancellation_tiers=[
            TierBody(t.min_days_before, float(t.percent), t.outcome, t.credit_valid_days)
            for t in (p.cancellation.tiers if p.cancellation else ())
        ],
    )


class BulkChangeBody(msgspec.Struct, forbid_unknown_fields=True):
    """``percent`` on every night from ``effective_from`` on (fees unchanged), on the chosen
    cabins or, with ``accommodation_ids`` empty or left out, every active cabin."""

    percent: Percent
    effective_from: date
    accommodation_ids: list[CabinId] = msgspec.field(default_factory=list)  # empty: every one
    months: Annotated[int, msgspec.Meta(ge=1, le=18)] = 6


class MonthView(msgspec.Struct):
    month: str  # YYYY-MM
    nights: int
    before_amount: float  # every night of the month priced alone, summed
    after_amount: float
    before_average_nightly: float
    after_average_nightly: float


class CabinPreviewView(msgspec.Struct):
    accommodation_id: int
    name: str
    currency: str
    months: list[MonthView]


class BulkPreviewView(msgspec.Struct):
    percent: float
    effective_from: date
    accommodation_ids: list[int]
    cabins: list[CabinPreviewView]
    applied: bool = False


def _bulk(body: BulkChangeBody) -> BulkChange:
    ids = tuple(body.accommodation_ids) if body.accommodation_ids else None
    return BulkChange(_decimal(body.percent, "percent"), body.effective_from, ids, body.months)


def preview_view(p: BulkPreview, *, applied: bool) -> BulkPreviewView:
    return BulkPreviewView(
        percent=float(p.change.percent),
        effective_from=p.change.effective_from,
        accommodation_ids=[c.accommodation.id for c in p.cabins],
        applied=applied,
        cabins=[
            CabinPreviewView(
                c.accommodation.id,
                c.accommodation.name,
                c.accommodation.base_price.currency,
                [
                    MonthView(
                        f"{m.month:%Y-%m}",
                        m.nights,
                        m.before.cents / 100,
                        m.after.cents / 100,
                        m.before_average.cents / 100,
                        m.after_average.cents / 100,
                    )
                    for m in c.months
                ],
            )
            for c in p.cabins
        ],
    )


class AdminPricesController(Controller):
    path = "/admin"
    tags = ["admin"]
    guards = [require_admin]
    security = [{"BearerToken": []}]

    @get(
        "/accommodations/{accommodation_id:int}/prices",
        summary="A cabin's price rules, cancellation tiers and dated price changes",
        responses=problems(400, 401, 403, 404),
    )
    @inject
    async def get_prices(
        self, accommodation_id: RowId, use_case: FromDishka[GetPrices]
    ) -> PricesBody:
        return prices_view(await use_case(accommodation_id))

    @put(
        "/accommodations/{accommodation_id:int}/prices",
        summary="Replace a cabin's price rules (audited); 422 names the field at fault",
        responses=problems(400, 401, 403, 404, 422),
    )
    @inject
    async def put_prices(
        self,
        request: Request[Any, Any, Any],
        accommodation_id: RowId,
        data: JSONBody[PricesBody],
        current: FromDishka[GetPrices],
        use_case: FromDishka[ReplacePrices],
    ) -> PricesBody:
        cabin = (await current(accommodation_id)).accommodation
        rules, policy = to_rules(data, cabin.base_price.currency)
        saved = await use_case(accommodation_id, rules, policy, current_admin(request).email)
        return prices_view(saved)

    @post(
        "/prices/bulk-preview",
        status_code=200,
        summary="What a percentage change from a date does to each cabin, month by month",
        responses=problems(400, 401, 403, 404, 422),
    )
    @inject
    async def bulk_preview(
        self, data: JSONBody[BulkChangeBody], use_case: FromDishka[PreviewBulkChange]
    ) -> BulkPreviewView:
        return preview_view(await use_case(_bulk(data)), applied=False)

    @post(
        "/prices/bulk-apply",
        status_code=200,
        summary="Apply a percentage change from a date to many cabins at once (audited)",
        responses=problems(400, 401, 403, 404, 422),
    )
    @inject
    async def bulk_apply(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[BulkChangeBody],
        use_case: FromDishka[ApplyBulkChange],
        idempotency_key: RequiredKey,
    ) -> Response[BulkPreviewView]:
        def respond(p: BulkPreview) -> str:
            return msgspec.json.encode(preview_view(p, applied=True)).decode()

        try:
            done = await use_case(
                _bulk(data),
                current_admin(request).email,
                idempotency_key,
                fingerprint(data),
                respond,
            )
        except IdempotentReplay as replay:
            return remembered(replay.stored.response_body, BulkPreviewView)
        return Response(preview_view(done, applied=True))
