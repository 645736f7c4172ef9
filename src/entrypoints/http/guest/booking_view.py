"""What the direct-booking page (``/reservar``) reads and shows: the guest's form read without
an exception for odd input, each cabin's quote as lines, and every refusal in Spanish."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from application.messaging.quote_texts import discount_words, fee_words
from domain.booking.availability import Availability
from domain.booking.policy import BookingPolicy
from domain.errors import DomainError, NightsOutOfRange
from domain.pricing.breakdown import PriceBreakdown
from domain.pricing.rules import Specificity
from entrypoints.http.console.rendering import money

MAX_GUESTS = 20
DEFAULT_GUESTS = "2"
E164 = re.compile(r"\+[1-9][0-9]{7,14}")
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}")
# What people type around a phone number: spaces, dashes, dots, parentheses.
PHONE_SEPARATORS = re.compile(r"[\s\-.()/]")
# The fields the guest writes, kept on a re-render (the CSRF and form tokens are not).
FIELDS = ("check_in", "check_out", "guests", "accommodation_id", "name", "phone", "email")
LIMITS = {"name": 200, "phone": 40, "email": 320}

RULES = {
    Specificity.BASE: "",
    Specificity.SEASON: "temporada",
    Specificity.LONG_WEEKEND: "fin de semana largo",
    Specificity.OVERRIDE: "fecha especial",
}

# Refusals by the error's stable code: (the field it is about, what the guest reads).
SPANISH: dict[str, tuple[str, str]] = {
    "invalid_stay": ("check_out", "La salida tiene que ser al menos un día después de la llegada."),
    "check_in_in_past": ("check_in", "Esa fecha de llegada ya pasó: elegí una desde hoy."),
    "beyond_booking_horizon": ("check_in", "Todavía no tomamos reservas para esas fechas."),
    "guests_out_of_range": ("guests", "Ninguna cabaña libre recibe tantas personas."),
    "hold_too_long": (
        "check_out",
        "Para una estadía tan larga escribinos por WhatsApp y la reservamos juntos.",
    ),
    "arrival_day_not_allowed": ("check_in", "Esa cabaña no recibe llegadas ese día de la semana."),
    "occupied": ("accommodation_id", "Esas noches ya no están libres en esa cabaña."),
    "stay_unavailable": (
        "accommodation_id",
        "Alguien reservó esas noches recién. Elegí otra cabaña u otras fechas.",
    ),
    "accommodation_inactive": ("accommodation_id", "Esa cabaña no está tomando reservas."),
    "accommodation_not_found": ("accommodation_id", "Elegí una de las cabañas de la lista."),
    "prices_unavailable": (
        "accommodation_id",
        "Los precios de esa cabaña se están actualizando: escribinos y te pasamos el precio.",
    ),
    "invalid_guest_name": ("name", "Escribí tu nombre y apellido (con letras)."),
    "hold_limit_reached": (
        "phone",
        "Ya tenés reservas sin pagar. Pagá la seña de esas o esperá a que venzan para hacer otra.",
    ),
    "idempotency_key_reused": (
        "_form",
        "Este formulario ya se envió con otros datos. Recargá la página y probá de nuevo.",
    ),
}
GENERIC = ("_form", "No pudimos reservar. Revisá los datos y probá de nuevo.")
NOTHING_FREE = "No hay cabañas libres para esas fechas. Probá con otras."


@dataclass(frozen=True, slots=True)
class BookingForm:
    """The guest's input as written (``values``) and what of it could be read."""

    values: dict[str, str]

    @classmethod
    def read(cls, raw: dict[str, str]) -> BookingForm:
        values = {k: raw.get(k, "").strip()[: LIMITS.get(k, 40)] for k in FIELDS}
        # A link with dates and no party (an owner's post): the form's own default.
        values["guests"] = values["guests"] or DEFAULT_GUESTS
        return cls(values)

    def day(self, name: str) -> date | None:
        try:
            return date.fromisoformat(self.values[name])
        except ValueError:
            return None

    def number(self, name: str) -> int | None:
        raw = self.values[name]
        return int(raw) if raw.isdigit() and len(raw) < 10 else None

    def fingerprint(self) -> str:
        """The same form sent twice (a double click) is one request: the idempotency key's
        body."""
        joined = "\x1f".join(self.values[k] for k in FIELDS)
        return hashlib.sha256(joined.encode()).hexdigest()


def search_errors(form: BookingForm) -> dict[str, str]:
    """What makes the dates and party unreadable, before anything is asked."""
    errors: dict[str, str] = {}
    check_in, check_out = form.day("check_in"), form.day("check_out")
    guests = form.number("guests")
    if check_in is None:
        errors["check_in"] = "Elegí la fecha de llegada."
    if check_out is None:
        errors["check_out"] = "Elegí la fecha de salida."
    elif check_in is not None and check_out <= check_in:
        errors["check_out"] = SPANISH["invalid_stay"][1]
    if guests is None or not 1 <= guests <= MAX_GUESTS:
        errors["guests"] = f"Elegí cuántas personas son (de 1 a {MAX_GUESTS})."
    return errors


def phone(raw: str) -> str | None:
    """E.164 from what a guest types (``+54 9 11 5555-1234``); None when it is not one."""
    compact = PHONE_SEPARATORS.sub("", raw)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    return compact if E164.fullmatch(compact) else None


def contact_errors(form: BookingForm) -> dict[str, str]:
    errors: dict[str, str] = {}
    if form.number("accommodation_id") is None:
        errors["accommodation_id"] = "Elegí una cabaña."
    if not form.values["name"]:
        errors["name"] = "Escribí tu nombre y apellido."
    if phone(form.values["phone"]) is None:
        errors["phone"] = (
            "Escribí tu celular con el código de país y de área, por ejemplo +54 9 11 5555-1234."
        )
    if form.values["email"] and not EMAIL.fullmatch(form.values["email"]):
        errors["email"] = "Escribí un e-mail válido (por ejemplo ana@ejemplo.com) o dejalo vacío."
    return errors


def refusal(err: DomainError, policy: BookingPolicy, nights: int) -> tuple[str, str]:
    if isinstance(err, NightsOutOfRange):
        return nights_message(policy, nights, err.min_nights or 1)
    return SPANISH.get(err.code, GENERIC)


def nights_message(policy: BookingPolicy, nights: int, min_nights: int = 1) -> tuple[str, str]:
    if nights > policy.max_nights:
        return (
            "check_out",
            f"Online se reservan hasta {policy.max_nights} noches. Para más, escribinos.",
        )
    return ("check_out", f"Esa cabaña se reserva por {min_nights} noches como mínimo.")


@dataclass(frozen=True, slots=True)
class Line:
    label: str
    cents: int


@dataclass(frozen=True, slots=True)
class CabinOffer:
    """One cabin that fits, with its quote as the guest reads it."""

    id: int
    name: str
    capacity: int
    lines: tuple[Line, ...]
    total: int
    deposit: int


def offer(item: Availability, nights: int) -> CabinOffer | None:
    if not item.available or item.quote is None:
        return None
    acc = item.accommodation
    b = item.breakdown
    lines = _lines(b) if b is not None else (Line(_nights(nights), item.quote.total.cents),)
    return CabinOffer(
        acc.id, acc.name, acc.capacity, lines, item.quote.total.cents, item.quote.deposit.cents
    )


def _nights(n: int) -> str:
    return "1 noche" if n == 1 else f"{n} noches"


def _lines(b: PriceBreakdown) -> tuple[Line, ...]:
    lines = []
    for rate in b.rates():
        words = [f"{_nights(rate.nights)} × {money(rate.nightly.cents)}"]
        if rate.weekend:
            words.append("fin de semana")
        kind = rate.rule.name or RULES.get(rate.rule.kind, "")
        if kind and rate.rule.kind is not Specificity.BASE:
            words.append(kind)
        lines.append(Line(" · ".join(words), rate.amount.cents))
    nights = len(b.nights)
    for fee in b.fees:
        lines.append(Line(fee_words(fee, nights), fee.amount.cents))
    for discount in b.discounts:
        lines.append(Line(discount_words(discount), -discount.amount.cents))
    return tuple(lines)


def unavailable_reason(
    results: Sequence[Availability], policy: BookingPolicy, nights: int
) -> tuple[str, str]:
    """Why nothing fits, with the field it is about, when every cabin gives the same reason
    (past dates, too many guests, a stay too long); otherwise that nothing is free."""
    codes = {r.reason_code for r in results}
    if len(codes) != 1:
        return ("_form", NOTHING_FREE)
    [code] = codes
    if code == "nights_out_of_range":
        least = min(r.accommodation.min_nights for r in results)
        return nights_message(policy, nights, least)
    if code is None or code == "occupied" or code not in SPANISH:
        return ("_form", NOTHING_FREE)
    return SPANISH[code]


@dataclass(frozen=True, slots=True)
class OwnBooking:
    """A booking the guest already has on the dates searched, as the page names it."""

    code: str
    url: str
    cabin: str
    dates: str
    confirmed: bool


ANOTHER_NEEDED = (
    "Ya tenés una reserva para esas fechas (arriba, con su enlace). Si además querés otra "
    "cabaña, marcá la casilla y volvé a apretar el botón."
)
