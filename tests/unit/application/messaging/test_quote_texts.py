"""Quotes and cancellation terms as the guest reads them on WhatsApp."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from application.messaging.quote_texts import (
    breakdown_lines,
    cancellation_lines,
    cancellation_terms,
    credit_lines,
    percent,
)
from application.messaging.texts import ars, booking_confirmed
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
from tests.money_text import PESO

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
        f"• 2 noches (Temporada alta): 2 × {PESO}120.000 = {PESO}240.000",
        f"• 1 noche (Año Nuevo): 1 × {PESO}250.000 = {PESO}250.000",
        f"• Limpieza: {PESO}15.000",
        f"• 1 persona extra × 3 noches × {PESO}5.000 = {PESO}15.000",
        f"• Descuento estadía larga (7,5 %): −{PESO}36.750",
        f"Total: {PESO}463.250",
        f"Seña (30 %): {PESO}138.975",
    ]
    assert breakdown_lines(BREAKDOWN, totals=False)[-1].startswith("• Descuento")


def test_the_base_rates_name_is_never_shown_and_the_weekend_is_said_as_such() -> None:
    base = AppliedRule(Specificity.BASE, "Tarifa base")
    unnamed = AppliedRule(Specificity.LONG_WEEKEND, "")
    weekend = BREAKDOWN._replace(
        nights=(
            night(18, 10_200_000, base, weekend=True),
            night(19, 10_200_000, base, weekend=True),
            night(20, 8_500_000, base),
            night(26, 15_000_000, HIGH, weekend=True),
            night(27, 12_000_000, unnamed),
        ),
        fees=(),
        discounts=(),
    )
    lines = breakdown_lines(weekend, totals=False)
    assert lines == [
        f"• 2 noches (fin de semana): 2 × {PESO}102.000 = {PESO}204.000",
        f"• 1 noche: 1 × {PESO}85.000 = {PESO}85.000",
        f"• 1 noche (fin de semana, Temporada alta): 1 × {PESO}150.000 = {PESO}150.000",
        f"• 1 noche (fin de semana largo): 1 × {PESO}120.000 = {PESO}120.000",
    ]
    assert not any("Tarifa base" in line or "viernes/sábado" in line for line in lines)


def test_extra_guests_read_as_people_and_nights_and_a_named_percentage_is_not_repeated() -> None:
    # A party of 6 where 4 are included, 3 nights: the fee's quantity is 2 × 3 = 6.
    six = BREAKDOWN._replace(
        fees=(FeeLine(FeeKind.EXTRA_GUESTS, Money(1_000_000), 6),),
        discounts=(DiscountLine("7+ noches −10 %", Decimal(10), Money(100)),),
    )
    assert breakdown_lines(six, totals=False)[-2:] == [
        f"• 2 personas extra × 3 noches × {PESO}10.000 = {PESO}60.000",
        f"• Descuento 7+ noches −10 %: −{PESO}1",
    ]


def test_amounts_join_the_sign_and_the_number_with_a_no_break_space() -> None:
    # WhatsApp and the e-mail's HTML part (built from this text) never end a line after "$".
    assert ars(Money(39_000_000)) == "$\u00a0390.000"
    assert ars(Money(4_500_050)) == "$\u00a045.000,50"


def test_percentages_are_written_with_a_decimal_comma() -> None:
    assert (percent(Decimal("10.00")), percent(Decimal("7.5"))) == ("10 %", "7,5 %")


def test_a_credit_applied_says_what_is_left_of_the_deposit() -> None:
    assert credit_lines(Money(2_000_000), Money(8_670_000)) == [
        f"Crédito a tu favor aplicado: −{PESO}20.000",
        f"Seña a pagar: {PESO}66.700",
    ]
    assert credit_lines(Money(9_000_000), Money(8_670_000))[-1] == (
        "La seña queda cubierta con tu crédito."
    )


def test_the_cancellation_terms_read_as_ranges_of_notice_most_first() -> None:
    policy = CancellationPolicy(
        (
            CancellationTier(7, Decimal(50), Outcome.CREDIT, credit_valid_days=180),
            CancellationTier(30, Decimal(100)),
        )
    )
    assert cancellation_lines(policy) == [
        "Con 30 días o más de anticipación: te devolvemos el 100 % de lo pagado.",
        "Entre 7 y 29 días antes de la llegada: te queda un crédito del 50 % de lo pagado para "
        "usar en otra reserva dentro de 180 días.",
        "Con menos de 7 días de anticipación: no hay devolución.",
    ]
    assert cancellation_terms(policy) == (
        "Si cancelás:\n"
        "• Con 30 días o más de anticipación: te devolvemos el 100 % de lo pagado.\n"
        "• Entre 7 y 29 días antes de la llegada: te queda un crédito del 50 % de lo pagado "
        "para usar en otra reserva dentro de 180 días.\n"
        "• Con menos de 7 días de anticipación: no hay devolución."
    )
    assert cancellation_lines(None) == []
    assert cancellation_terms(None) is None
    assert cancellation_terms(CancellationPolicy(())) is None


def test_each_tier_ends_where_the_one_with_more_notice_begins() -> None:
    policy = CancellationPolicy(
        (
            CancellationTier(30, Decimal(100)),
            CancellationTier(15, Decimal(100), Outcome.CREDIT),
            CancellationTier(14, Decimal("12.50")),
            CancellationTier(1, Decimal(0)),
            CancellationTier(0, Decimal(0), Outcome.CREDIT),
        )
    )
    assert cancellation_lines(policy) == [
        "Con 30 días o más de anticipación: te devolvemos el 100 % de lo pagado.",
        "Entre 15 y 29 días antes de la llegada: te queda un crédito del 100 % de lo pagado "
        "para usar en otra reserva cuando quieras (no vence).",
        "Con 14 días de anticipación: te devolvemos el 12,5 % de lo pagado.",
        "Entre 1 y 13 días antes de la llegada: no hay devolución.",
        "El día de llegada: no hay devolución.",
    ]
    last_day = CancellationPolicy(
        (CancellationTier(3, Decimal(100)), CancellationTier(1, Decimal(50)))
    )
    assert cancellation_lines(last_day)[1:] == [
        "Entre 1 y 2 días antes de la llegada: te devolvemos el 50 % de lo pagado.",
        "El día de llegada: no hay devolución.",
    ]
    until_arrival = CancellationPolicy(
        (CancellationTier(7, Decimal(100)), CancellationTier(0, Decimal(50)))
    )
    assert cancellation_lines(until_arrival) == [
        "Con 7 días o más de anticipación: te devolvemos el 100 % de lo pagado.",
        "Con menos de 7 días de anticipación (hasta el día de llegada): te devolvemos el 50 % "
        "de lo pagado.",
    ]


def test_the_confirmation_carries_the_cancellation_terms() -> None:
    terms = "Si cancelás:\n• Hasta el día de llegada: te devolvemos el 100 % de lo pagado."
    text = booking_confirmed(
        "Juana",
        "ABCD-EFGH-JKMN",
        "Cabaña del Lago",
        date(2026, 12, 18),
        date(2026, 12, 21),
        Money(8_670_000),
        terms=terms,
        today=date(2026, 12, 1),
    )
    assert text.endswith(f"¡Te esperamos!\n\n{terms}")
    assert cancellation_terms(CancellationPolicy((CancellationTier(0, Decimal(100)),))) == terms
