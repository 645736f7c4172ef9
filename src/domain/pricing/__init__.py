"""Prices: the flat base quote (``base``) and the owner's rules over it (seasons, long weekends,
date overrides, fees, length-of-stay discounts), priced night by night into a breakdown."""

from domain.pricing.base import (
    FRIDAY,
    SATURDAY,
    WEEKEND_NIGHTS,
    Quote,
    nightly_price,
    quote,
    quote_nights,
    weekend_nights,
)
from domain.pricing.breakdown import (
    AppliedRule,
    DiscountLine,
    FeeKind,
    FeeLine,
    NightPrice,
    PriceBreakdown,
    RateLine,
)
from domain.pricing.errors import ArrivalDayNotAllowed, InvalidPriceRule, OverlappingPriceRules
from domain.pricing.holidays import HolidayCalendar, LongWeekend
from domain.pricing.price_list import PriceList
from domain.pricing.quoting import fills_gap, quote_stay, stay_violation
from domain.pricing.recurring import DayMonth, RecurringRange
from domain.pricing.rules import (
    DateOverride,
    Fees,
    LengthOfStayDiscount,
    LongWeekendRule,
    PriceChange,
    Rate,
    Season,
    Specificity,
)

__all__ = [
    "FRIDAY",
    "SATURDAY",
    "WEEKEND_NIGHTS",
    "AppliedRule",
    "ArrivalDayNotAllowed",
    "DateOverride",
    "DayMonth",
    "DiscountLine",
    "FeeKind",
    "FeeLine",
    "Fees",
    "HolidayCalendar",
    "InvalidPriceRule",
    "LengthOfStayDiscount",
    "LongWeekend",
    "LongWeekendRule",
    "NightPrice",
    "OverlappingPriceRules",
    "PriceBreakdown",
    "PriceChange",
    "PriceList",
    "Quote",
    "Rate",
    "RateLine",
    "RecurringRange",
    "Season",
    "Specificity",
    "fills_gap",
    "nightly_price",
    "quote",
    "quote_nights",
    "quote_stay",
    "stay_violation",
    "weekend_nights",
]
