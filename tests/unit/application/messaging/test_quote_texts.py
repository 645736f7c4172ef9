"""Quotes and cancellation terms as the guest reads them on WhatsApp."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from application.messaging.quote_texts import (
    breakdown_lines,
    cancellation_terms,
    credit_lines,
    percent,
)
from application.messaging.texts import booking_confirmed
from domain.money import Money
from domain.payments.cancellation import CancellationPolicy, CancellationTier, Outcome
from domain.pricing.breakdown import (
    AppliedRule,
    DiscountLine,
    FeeKind,
    FeeLine,
    NightPrice,
    PriceBreakdown,
)
from domain.pricing.rules import Specificity

HIGH = AppliedRule(Specificity.SEASON, "Temporada alta")
NYE = AppliedRule(Specificity.OVERRIDE, "Año Nuevo")


def night(day: int, cents: int, rule: AppliedRule, *, weekend: bool = False) -> NightPrice:
    return NightPrice(date(2026, 12, day), Money(cents), rule, weekend)


BREAKDOWN = PriceBreakdown(
    nights=(
        night(29, 12_000_000, HIGH),
        night(30, 12_000_000, HIGH),
        night(31, 25_000_000, NYE),
    ),
    fees=(
        FeeLine(FeeKind.CLEANING, Money(1_500_000), 1),
        FeeLine(FeeKind.EXTRA_GUESTS, Money(500_000), 3),
    ),
    discounts=(DiscountLine("estadía larga", Decimal("7.5"), Money(3_675_000)),),
    total=Money(46_325_000),
    deposit_percent=Decimal(30),
    deposit=Money(13_897_500),
    min_nights=1,
    arrival_weekdays=None,
)


def test_a_quote_lists_nights_by_rate_fees_discounts_total_and_deposit() -> None:
    assert breakdown_lines(BREAKDOWN) == [
        "• 2 noches Temporada alta: 2 × $ 120.000 = $ 240.000",
        "• 1 noche Año Nuevo: 1 × $ 250.000 = $ 250.000",
        "• Limpieza: $ 15.000",
        "• 1 persona extra × 3 noches × $ 5.000 = $ 15.000",
        "• Descuento estadía larga (7,5 %): −$ 36.750",
        "Total: $ 463.250",
        "Seña (30 %): $ 138.975",
    ]
    assert breakdown_lines(BREAKDOWN, totals=False)[-1].startswith("• Descuento")


def test_extra_guests_read_as_people_and_nights_and_a_named_percentage_is_not_repeated() -> None:
    # A party of 6 where 4 are included, 3 nights: the fee's quantity is 2 × 3 = 6.
    six = BREAKDOWN._replace(
        fees=(FeeLine(FeeKind.EXTRA_GUESTS, Money(1_000_000), 6),),
        discounts=(DiscountLine("7+ noches −10 %", Decimal(10), Money(100)),),
    )
    assert breakdown_lines(six, totals=False)[-2:] == [
        "• 2 personas extra × 3 noches × $ 10.000 = $ 60.000",
        "• Descuento 7+ noches −10 %: −$ 1",
    ]


def test_percentages_are_written_with_a_decimal_comma() -> None:
    assert (percent(Decimal("10.00")), percent(Decimal("7.5"))) == ("10 %", "7,5 %")


def test_a_credit_applied_says_what_is_left_of_the_deposit() -> None:
    assert credit_lines(Money(2_000_000), Money(8_670_000)) == [
        "Crédito a tu favor aplicado: −$ 20.000",
        "Seña a pagar: $ 66.700",
    ]
    assert credit_lines(Money(9_000_000), Money(8_670_000))[-1] == (
        "La seña queda cubierta con tu crédito."
    )


def test_the_cancellation_terms_read_tier_by_tier() -> None:
    policy = CancellationPolicy(
        (
            CancellationTier(30, Decimal(100)),
            CancellationTier(15, Decimal(100), Outcome.CREDIT, credit_valid_days=180),
            CancellationTier(7, Decimal(50)),
        )
    )
    assert cancellation_terms(policy) == (
        "Si cancelás: con 30 días o más de anticipación, te devolvemos el 100 % de lo pagado; "
        "con 15 días o más de anticipación, el 100 % de lo pagado queda como crédito para "
        "otra fecha, válido por 180 días; con 7 días o más de anticipación, te devolvemos el "
        "50 % de lo pagado; con menos anticipación, no hay devolución."
    )
    assert cancellation_terms(None) is None
    assert cancellation_terms(CancellationPolicy(())) is None


def test_the_confirmation_carries_the_cancellation_terms() -> None:
    terms = "Si cancelás: en cualquier momento, te devolvemos el 100 % de lo pagado."
    text = booking_confirmed(
        "Juana",
        "ABCD-EFGH-JKMN",
        "Cabaña del Lago",
        date(2026, 12, 18),
        date(2026, 12, 21),
        Money(8_670_000),
        terms=terms,
    )
    assert text.endswith(f"¡Te esperamos!\n\n{terms}")
    assert cancellation_terms(CancellationPolicy((CancellationTier(0, Decimal(100)),))) == terms
