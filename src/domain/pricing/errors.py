"""Why a price rule or a stay is refused. All are rule violations (HTTP 422)."""

from __future__ import annotations

from domain.errors import InvalidValue, RuleViolation


class InvalidPriceRule(InvalidValue):
    """A rule that cannot be priced: a night made free or negative, a bad date or percentage."""

    code = "invalid_price_rule"


class OverlappingPriceRules(InvalidPriceRule):
    """Two rules of the same specificity cover the same night: neither could win it."""

    code = "overlapping_price_rules"


class ArrivalDayNotAllowed(RuleViolation):
    code = "arrival_day_not_allowed"
