"""What /reservar reads from the guest's form and how it words a cabin's quote."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.booking.accommodation import Accommodation
from domain.booking.availability import Availability
from domain.booking.policy import BookingPolicy
from domain.errors import (
    GuestsOutOfRange,
    HoldTooLong,
    NightsOutOfRange,
    RuleViolation,
    TooManyHolds,
)
from domain.money import Money
from domain.pricing import Quote
from domain.pricing.breakdown import (
    AppliedRule,
    DiscountLine,
    FeeKind,
    FeeLine,
    NightPrice,
    PriceBreakdown,
)
from domain.pricing.errors import ArrivalDayNotAllowed
from domain.pricing.rules import Specificity
from entrypoints.http.guest.booking_view import (
    KEPT,
    BookingForm,
    asks_for_whatsapp,
    contact_errors,
    first_days,
    offer,
    refusal,
    search_errors,
    too_long,
    unavailable_reason,
    whatsapp_url,
)
from tests.money_text import PESO
from tests.unit.domain.builders import cabin

FORM = {
    "check_in": "2026-12-18",
    "check_out": "2026-12-21",
    "guests": "2",
    "accommodation_id": "1",
    "name": "Juana Pérez",
    "phone": "+54 9 11 5555-1234",
    "email": "",
}


def test_the_form_is_read_bounded_and_a_double_submit_has_one_fingerprint() -> None:
    form = BookingForm.read({**FORM, "name": "  Juana Pérez  " + "x" * 5000, "extra": "y"})
    assert form.values["name"].startswith("Juana Pérez")
    assert len(form.values["name"]) == KEPT  # bounded, and refused rather than cut:
    assert contact_errors(form)["name"] == (
        f"Puede tener hasta 200 caracteres (tiene {KEPT}): acortalo."
    )
    assert "extra" not in form.values
    same = BookingForm.read(FORM).fingerprint()
    assert BookingForm.read(dict(FORM)).fingerprint() == same
    assert BookingForm.read({**FORM, "accommodation_id": "2"}).fingerprint() != same
    assert BookingForm.read({**FORM, "guests": ""}).values["guests"] == "2"


def test_unreadable_dates_and_contacts_are_named_field_by_field() -> None:
    form = BookingForm.read({**FORM, "check_in": "mañana", "guests": "50", "phone": "x"})
    assert set(search_errors(form)) == {"check_in", "guests"}
    backwards = BookingForm.read({**FORM, "check_out": "2026-12-17"})
    assert search_errors(backwards) == {
        "check_out": "La salida tiene que ser al menos un día después de la llegada."
    }
    bad = BookingForm.read({**FORM, "accommodation_id": "", "phone": "123", "email": "a@b"})
    assert set(contact_errors(bad)) == {"accommodation_id", "phone", "email"}
    assert contact_errors(BookingForm.read(FORM)) == {}


def test_refusals_in_spanish_name_their_field() -> None:
    policy = BookingPolicy(max_nights=30)
    held = TooManyHolds("x", limit="MAX_LIVE_HOLDS_PER_PHONE", value=2, retry_after_s=60)
    assert refusal(held, policy, 3) == (
        "phone",
        "Ya tenés 2 reservas sin pagar con este celular. Pagá la seña de esas o esperá a que "
        "venzan para hacer otra (la primera vence en 1 minuto).",
    )
    shared = TooManyHolds("x", limit="MAX_LIVE_HOLDS_PER_CLIENT", value=3, retry_after_s=600)
    field, words = refusal(shared, policy, 3)
    assert field == "_form"
    assert words.startswith("Desde esta conexión ya se hicieron varias reservas sin pagar")
    assert refusal(NightsOutOfRange("x", nights=40, max_nights=30), policy, 40) == (
        "check_out",
        "Online se reservan hasta 30 noches. Para una estadía más larga escribinos por WhatsApp "
        "y la reservamos juntos.",
    )
    # A stay too short for the booking (its dates' minimum) names that minimum.
    short = NightsOutOfRange("x", nights=2, min_nights=3, max_nights=30, for_dates=True)
    assert refusal(short, policy, 2) == (
        "check_out",
        "Esa cabaña se reserva por 3 noches como mínimo.",
    )
    lake = cabin()
    past = Availability(lake, False, None, "past", "check_in_in_past")
    taken = Availability(lake, False, None, "taken", "occupied")
    assert unavailable_reason([past, past], policy, 3)[1].startswith("Esa fecha de llegada")
    assert unavailable_reason([past, taken], policy, 3) == (
        "_notice",
        "No hay cabañas libres para esas fechas. Probá con otras.",
    )


def test_a_quote_is_worded_line_by_line() -> None:
    ars = Money.of
    base = AppliedRule(Specificity.BASE, "")
    season = AppliedRule(Specificity.SEASON, "Temporada alta")
    breakdown = PriceBreakdown(
        nights=(
            NightPrice(date(2026, 12, 18), ars("150000"), season, True),
            NightPrice(date(2026, 12, 19), ars("150000"), season, True),
            NightPrice(date(2026, 12, 20), ars("85000"), base, False),
        ),
        fees=(
            FeeLine(FeeKind.CLEANING, ars("25000"), 1),
            FeeLine(FeeKind.EXTRA_GUESTS, ars("10000"), 3),
        ),
        discounts=(DiscountLine("estadía larga", Decimal("10"), ars("44000")),),
        total=ars("396000"),
        deposit_percent=Decimal(30),
        deposit=ars("118800"),
        min_nights=1,
        arrival_weekdays=None,
    )
    lake = cabin()
    shown = offer(
        Availability(lake, True, Quote(3, ars("396000"), ars("118800")), None, None, breakdown), 3
    )
    assert shown is not None
    assert [(line.label, line.cents) for line in shown.lines] == [
        (f"2 noches × {PESO}150.000 · fin de semana · Temporada alta", 300_000_00),
        (f"1 noche × {PESO}85.000", 85_000_00),
        ("Limpieza", 25_000_00),
        (f"1 persona extra × 3 noches × {PESO}10.000", 30_000_00),
        ("Descuento estadía larga (10 %)", -44_000_00),
    ]
    assert (shown.total, shown.deposit) == (396_000_00, 118_800_00)
    assert offer(Availability(lake, False, None, "taken", "occupied"), 3) is None
    # 2 people above those included, 3 nights; a discount named by its percentage.
    six = breakdown._replace(
        fees=(FeeLine(FeeKind.EXTRA_GUESTS, ars("10000"), 6),),
        discounts=(DiscountLine("7+ noches −10 %", Decimal("10"), ars("44000")),),
    )
    quote = Quote(3, ars("396000"), ars("118800"))
    again = offer(Availability(lake, True, quote, None, None, six), 3)
    assert again is not None
    assert [line.label for line in again.lines][-2:] == [
        f"2 personas extra × 3 noches × {PESO}10.000",
        "Descuento 7+ noches −10 %",
    ]


def test_a_stay_too_short_is_named_not_called_a_full_house() -> None:
    # Two cabins for the party need 2 nights; a small one cannot take 4 people (M3).
    policy = BookingPolicy(max_nights=30)
    lake, forest, tiny = cabin(), cabin(id=2, name="Bosque"), cabin(id=3, capacity=2)
    short = NightsOutOfRange("x", nights=1, min_nights=2, max_nights=30)
    small = GuestsOutOfRange("x")

    def refused(acc: Accommodation, err: RuleViolation) -> Availability:
        return Availability(acc, False, None, "x", err.code, None, err)

    results = [refused(lake, short), refused(forest, short), refused(tiny, small)]
    assert unavailable_reason(results, policy, 1) == (
        "check_out",
        "La estadía mínima es de 2 noches: elegí otra fecha de salida.",
    )
    # A season's minimum is the dates', not the cabin's own (2 here): the 3 it asks is said.
    season = NightsOutOfRange("x", nights=2, min_nights=3, max_nights=30, for_dates=True)
    assert unavailable_reason([refused(lake, season), refused(tiny, small)], policy, 2) == (
        "check_out",
        "Para esas fechas la estadía mínima es de 3 noches: elegí otra fecha de salida.",
    )
    arrival = ArrivalDayNotAllowed("x")
    field, words = unavailable_reason([refused(lake, arrival), refused(tiny, small)], policy, 3)
    assert field == "check_in"
    assert "llegadas solo algunos días" in words


def test_a_stay_longer_than_a_hold_is_sent_to_whatsapp_with_the_hold_limit() -> None:
    # MAX_HOLD_NIGHTS (14) is lower than the policy's 30: the page says 14 (M4).
    policy = BookingPolicy(max_nights=30)
    assert too_long(14, 14) is None
    assert too_long(16, 14) == (
        "check_out",
        "Online se reservan hasta 14 noches. Para una estadía más larga escribinos por WhatsApp "
        "y la reservamos juntos.",
    )
    assert refusal(HoldTooLong("x"), policy, 16, 14) == too_long(16, 14)
    form = BookingForm.read({**FORM, "check_out": "2027-01-03"})
    assert whatsapp_url(None, form) is None
    assert whatsapp_url("+54 9 294 400-0000", form) == (
        "https://wa.me/5492944000000?text=Hola%2C%20quiero%20reservar%20una%20caba%C3%B1a%20"
        "del%2018/12/2026%20al%2003/01/2027%20para%202%20personas"
    )


def test_the_date_pickers_offer_no_day_gone_and_departure_after_arrival() -> None:
    today = date(2026, 12, 1)
    empty = BookingForm.read({**FORM, "check_in": "", "check_out": ""})
    assert first_days(empty, today) == {"check_in": "2026-12-01", "check_out": "2026-12-02"}
    assert first_days(BookingForm.read(FORM), today) == {
        "check_in": "2026-12-01",
        "check_out": "2026-12-19",
    }
    past = BookingForm.read({**FORM, "check_in": "2026-11-20"})
    assert first_days(past, today)["check_out"] == "2026-12-02"


def test_a_party_larger_than_every_cabin_is_told_the_most_one_takes() -> None:
    policy = BookingPolicy()
    small, large = cabin(capacity=4), cabin(id=2, name="Grande", capacity=6)
    crowded = [
        Availability(small, False, None, "too many", "guests_out_of_range"),
        Availability(large, False, None, "too many", "guests_out_of_range"),
    ]
    field, words = unavailable_reason(crowded, policy, 3, guests=9)
    assert field == "guests"
    assert words.startswith("Nuestras cabañas reciben hasta 6 personas. Para 9, escribinos por")
    assert asks_for_whatsapp({field: words})
    past = [Availability(large, False, None, "past", "check_in_in_past")]
    assert unavailable_reason(past, policy, 3, guests=9)[0] == "check_in"
