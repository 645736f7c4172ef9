from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.money import Money
from domain.payments.cancellation import CancellationPolicy, CancellationTier, Outcome
from domain.payments.errors import InvalidCancellationPolicy

CHECK_IN = date(2027, 1, 15)
POLICY = CancellationPolicy(
    (
        CancellationTier(7, Decimal(100), Outcome.CREDIT),
        CancellationTier(30, Decimal(100)),
        CancellationTier(15, Decimal(50)),
    )
)


@pytest.mark.parametrize(
    ("days_before", "refund", "credit"),
    [
        (60, 90_000_00, 0),
        (30, 90_000_00, 0),
        (29, 45_000_00, 0),
        (15, 45_000_00, 0),
        (14, 0, 90_000_00),
        (7, 0, 90_000_00),
        (6, 0, 0),
        (0, 0, 0),
        (-2, 0, 0),  # after check-in
    ],
)
def test_the_tier_by_days_of_notice_decides_refund_or_credit(
    days_before: int, refund: int, credit: int
) -> None:
    paid = Money(90_000_00)
    s = POLICY.settle(paid, CHECK_IN, CHECK_IN - timedelta(days=days_before))
    assert s.days_before == days_before
    assert (s.refund, s.credit) == (Money(refund), Money(credit))
    assert s.kept == Money(paid.cents - refund - credit)


@pytest.mark.parametrize(
    "tiers",
    [
        (CancellationTier(30, Decimal(50)), CancellationTier(15, Decimal(80))),
        (CancellationTier(30, Decimal(50)), CancellationTier(30, Decimal(20), Outcome.CREDIT)),
    ],
)
def test_inconsistent_policies_are_refused(tiers: tuple[CancellationTier, ...]) -> None:
    with pytest.raises(InvalidCancellationPolicy):
        CancellationPolicy(tiers)


@pytest.mark.parametrize(
    ("days", "percent"), [(-1, Decimal(10)), (3, Decimal(101)), (3, Decimal("1.001"))]
)
def test_bad_tiers_are_refused(days: int, percent: Decimal) -> None:
    with pytest.raises(InvalidCancellationPolicy):
        CancellationTier(days, percent)


tiers = st.lists(
    st.builds(
        CancellationTier,
        st.integers(0, 90),
        st.decimals(min_value=0, max_value=100, places=2),
        st.sampled_from(Outcome),
    ),
    max_size=4,
    unique_by=lambda t: t.min_days_before,
)


@given(tiers, st.integers(0, 10**9), st.integers(-10, 120), st.integers(0, 30))
def test_never_returns_more_than_paid_and_more_notice_never_returns_less(
    candidate: list[CancellationTier], cents: int, days_before: int, more: int
) -> None:
    try:
        policy = CancellationPolicy(tuple(candidate))
    except InvalidCancellationPolicy:
        candidate.sort(key=lambda t: t.min_days_before)
        assert any(  # refused only when a same-kind tier with more notice returns less
            a.outcome is b.outcome and a.percent > b.percent
            for a in candidate
            for b in candidate
            if a.min_days_before < b.min_days_before
        )
        return
    paid = Money(cents)
    s = policy.settle(paid, CHECK_IN, CHECK_IN - timedelta(days=days_before))
    assert s.refund.cents + s.credit.cents + s.kept.cents == paid.cents
    assert s.refund.cents == 0 or s.credit.cents == 0
    earlier = policy.settle(paid, CHECK_IN, CHECK_IN - timedelta(days=days_before + more))
    if s.tier is not None and earlier.tier is not None and s.tier.outcome is earlier.tier.outcome:
        assert earlier.refund >= s.refund
        assert earlier.credit >= s.credit
