"""Quote a stay under a cabin's price list, and judge the stay rules its nights carry."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from domain.errors import NightsOutOfRange, RuleViolation
from domain.money import derived
from domain.pricing.breakdown import DiscountLine, FeeKind, FeeLine, PriceBreakdown
from domain.pricing.errors import ArrivalDayNotAllowed
from domain.pricing.holidays import HolidayCalendar
from domain.pricing.price_list import PriceList
from domain.stay import Stay

NO_HOLIDAYS = HolidayCalendar()
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def quote_stay(
    prices: PriceList,
    stay: Stay,
    guests: int,
    *,
    deposit_percent: Decimal,
    holidays: HolidayCalendar = NO_HOLIDAYS,
    pets: bool = False,
) -> PriceBreakdown:
    """Rules:
    - every night is priced by the most specific rule covering it (``PriceList.terms``);
    - the stay's minimum is the strictest among the rules of its nights; its arrival days are
      those of the rule pricing the check-in night;
    - one length-of-stay discount (the one with the most nights the stay reaches) comes off the
      nights, not the fees, rounded half-up to the cent;
    - cleaning and pet fees once per stay; the extra-guest fee per guest above the included
      number, per night;
    - total = nights − discount + fees; the deposit is ``deposit_percent`` of the total.
    """
    plain = prices.plain_nights(stay)
    if plain is not None:
        nights, min_nights, arrival = plain, prices.min_nights, None
    else:
        nights, min_nights, arrival = prices.stay_terms(stay, holidays)
    currency = prices.base.currency
    nights_cents = sum([n.price.cents for n in nights])
    discounts: tuple[DiscountLine, ...] = ()
    discount_cents = 0
    if prices.discounts:
        count = stay.nights
        reached = [d for d in prices.discounts if d.min_nights <= count]
        if reached:
            best = reached[-1]
            amount = derived(nights_cents, currency).percent(best.percent)
            discounts = (DiscountLine(best.label, best.percent, amount),)
            discount_cents = amount.cents
    fees = _fees(prices, stay.nights, guests, pets)
    # Derived from valid amounts: the fees and the discount never exceed what they come from.
    total = derived(nights_cents - discount_cents + sum([f.amount.cents for f in fees]), currency)
    # Positional, in the fields' order (nights, fees, discounts, total, deposit percent,
    # deposit, minimum nights, arrival weekdays): this runs for every cabin of every quote.
    return PriceBreakdown(
        nights,
        fees,
        discounts,
        total,
        deposit_percent,
        total.percent(deposit_percent),
        min_nights,
        arrival,
    )


def _fees(prices: PriceList, nights: int, guests: int, pets: bool) -> tuple[FeeLine, ...]:
    fees = prices.fees
    lines = []
    if fees.cleaning.cents:
        lines.append(FeeLine(FeeKind.CLEANING, fees.cleaning, 1))
    included = fees.guests_included
    if fees.extra_guest_nightly.cents and included is not None and guests > included:
        lines.append(
            FeeLine(FeeKind.EXTRA_GUESTS, fees.extra_guest_nightly, (guests - included) * nights)
        )
    if pets and fees.pet is not None and fees.pet.cents:
        lines.append(FeeLine(FeeKind.PET, fees.pet, 1))
    return tuple(lines)


def fills_gap(stay: Stay, occupied: Iterable[Stay]) -> bool:
    """The stay starts the day one booking leaves and ends the day the next one arrives."""
    taken = list(occupied)
    return any(o.check_out == stay.check_in for o in taken) and any(
        o.check_in == stay.check_out for o in taken
    )


def stay_violation(
    breakdown: PriceBreakdown,
    stay: Stay,
    occupied: Iterable[Stay] = (),
    *,
    name: str | None = None,
    max_nights: int | None = None,
) -> RuleViolation | None:
    """The stay rules of the priced nights: the minimum stay (waived for a stay exactly filling
    the gap between two bookings — those nights could not be sold otherwise), then the arrival
    day. With the cabin's ``name`` and the policy's ``max_nights``, the minimum is worded like
    the booking policy's own."""
    if stay.nights < breakdown.min_nights and not fills_gap(stay, occupied):
        least = breakdown.min_nights
        if name is not None and max_nights is not None:
            words = f"{name} takes stays of {least} to {max_nights} nights"
        else:
            words = f"those dates take stays of at least {least} nights"
        return NightsOutOfRange(
            f"{words}; asked for {stay.nights}",
            nights=stay.nights,
            min_nights=least,
            max_nights=max_nights,
            for_dates=True,
        )
    allowed = breakdown.arrival_weekdays
    if allowed is not None and stay.check_in.weekday() not in allowed:
        days = ", ".join(_WEEKDAYS[d] for d in sorted(allowed))
        return ArrivalDayNotAllowed(
            f"arrivals on those dates are on {days}; "
            f"{stay.check_in.isoformat()} is a {_WEEKDAYS[stay.check_in.weekday()]}"
        )
    return None
