"""What the direct-booking page (``/reservar``) reads and shows: the guest's form read without
an exception for odd input, each cabin's quote as lines, and every refusal in Spanish."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import quote

from application.messaging.quote_texts import discount_words, fee_words, rate_words
from domain.booking.availability import Availability
from domain.booking.guest_name import FullNameProblem, full_name_problem, visible_text
from domain.booking.hold_limits import HoldLimit
from domain.booking.policy import BookingPolicy
from domain.errors import DomainError, GuestsOutOfRange, NightsOutOfRange, TooManyHolds
from domain.pricing.breakdown import PriceBreakdown
from entrypoints.http.console.rendering import money
from entrypoints.http.phone_input import read_phone

MAX_GUESTS = 20
DEFAULT_GUESTS = "2"
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}")
# The fields the guest writes, kept on a re-render (the CSRF and form tokens are not).
FIELDS = ("check_in", "check_out", "guests", "accommodation_id", "name", "phone", "email")
LIMITS = {"name": 200, "phone": 40, "email": 320}
# What of a longer one is kept to show back (refused, not cut: a cut name would be booked).
KEPT = 2_000

# Refusals by the error's stable code: (the field it is about, what the guest reads).
SPANISH: dict[str, tuple[str, str]] = {
    "invalid_stay": ("check_out", "La salida tiene que ser al menos un día después de la llegada."),
    "check_in_in_past": ("check_in", "Esa fecha de llegada ya pasó: elegí una desde hoy."),
    "beyond_booking_horizon": ("check_in", "Todavía no tomamos reservas para esas fechas."),
    "guests_out_of_range": ("guests", "Ninguna cabaña libre recibe tantas personas."),
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
    "idempotency_key_reused": (
        "_form",
        "Este formulario ya se envió con otros datos. Recargá la página y probá de nuevo.",
    ),
}
NAME_PROBLEMS = {
    FullNameProblem.NOT_LETTERS: (
        "Escribí tu nombre y apellido solo con letras (sin números, emojis ni símbolos)."
    ),
    FullNameProblem.ONE_WORD: "Escribí también tu apellido, por ejemplo Juana Pérez.",
    FullNameProblem.INITIALS: "Escribí tu nombre y tu apellido completos, no solo las iniciales.",
}
GENERIC = ("_form", "No pudimos reservar. Revisá los datos y probá de nuevo.")
# Refusals about the arrival date alone, said before the stay's length.
DATE_CODES = frozenset({"check_in_in_past", "beyond_booking_horizon"})
# "Nothing free" is news about the dates, not a mistake: shown as a notice, not an error.
NOTICE = "_notice"
NOTHING_FREE = "No hay cabañas libres para esas fechas. Probá con otras."
ARRIVAL_DAY = (
    "check_in",
    "Para esas fechas las cabañas reciben llegadas solo algunos días de la semana: probá con "
    "otra fecha de llegada.",
)


@dataclass(frozen=True, slots=True)
class BookingForm:
    """The guest's input as written (``values``) and what of it could be read."""

    values: dict[str, str]

    @classmethod
    def read(cls, raw: dict[str, str]) -> BookingForm:
        values = {k: raw.get(k, "").strip()[: KEPT if k in LIMITS else 40] for k in FIELDS}
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


def contact_errors(form: BookingForm) -> dict[str, str]:
    errors: dict[str, str] = {}
    if form.number("accommodation_id") is None:
        errors["accommodation_id"] = "Elegí una cabaña."
    name, email = form.values["name"], form.values["email"]
    if not name:
        errors["name"] = "Escribí tu nombre y apellido."
    elif (problem := full_name_problem(visible_text(name))) is not None:
        errors["name"] = NAME_PROBLEMS[problem]
    phone = read_phone(form.values["phone"])
    if phone.problem is not None:
        errors["phone"] = phone.problem
    if email and not EMAIL.fullmatch(email):
        errors["email"] = "Escribí un e-mail válido (por ejemplo ana@ejemplo.com) o dejalo vacío."
    # Longer than it can be kept: refused as written, never cut (a cut name would be booked).
    for field, most in LIMITS.items():
        if len(form.values[field]) > most:
            errors[field] = (
                f"Puede tener hasta {most} caracteres (tiene {len(form.values[field])}): acortalo."
            )
    return errors


def online_nights(policy: BookingPolicy, hold_nights: int) -> int:
    """The longest stay a guest books here: the policy's maximum, or the hold limit's
    (MAX_HOLD_NIGHTS, 0 = off) when lower; longer stays are arranged with the owner."""
    return min(policy.max_nights, hold_nights) if hold_nights else policy.max_nights


def too_long(nights: int, most: int) -> tuple[str, str] | None:
    """A stay longer than can be booked online, said at search time, before any quote."""
    return long_stay(most) if nights > most else None


def long_stay(most: int) -> tuple[str, str]:
    return (
        "check_out",
        f"Online se reservan hasta {most} noches. Para una estadía más larga escribinos por "
        "WhatsApp y la reservamos juntos.",
    )


def refusal(
    err: DomainError, policy: BookingPolicy, nights: int, hold_nights: int = 0
) -> tuple[str, str]:
    most = online_nights(policy, hold_nights)
    if isinstance(err, NightsOutOfRange):
        return nights_message(policy, nights, err.min_nights or 1, most=most)
    if err.code == "hold_too_long":
        return long_stay(most)
    if isinstance(err, TooManyHolds):
        return hold_limit_message(err)
    return SPANISH.get(err.code, GENERIC)


def hold_limit_message(err: TooManyHolds) -> tuple[str, str]:
    """The phone's limit is the guest's own holds; the address's (MAX_LIVE_HOLDS_PER_CLIENT)
    may be other people's on the same Wi-Fi or mobile carrier: never "ya tenés" to them."""
    if err.limit == HoldLimit.PER_CLIENT:
        return (
            "_form",
            "Desde esta conexión ya se hicieron varias reservas sin pagar hace un rato. Probá de "
            "nuevo en unos minutos o escribinos por WhatsApp.",
        )
    minutes = max(1, -(-err.retry_after_s // 60))
    when = "en 1 minuto" if minutes == 1 else f"en {minutes} minutos"
    holds = "1 reserva" if err.value == 1 else f"{err.value} reservas"
    return (
        "phone",
        f"Ya tenés {holds} sin pagar con este celular. Pagá la seña de esas o esperá a que "
        f"venzan para hacer otra (la primera vence {when}).",
    )


def nights_message(
    policy: BookingPolicy, nights: int, min_nights: int = 1, *, most: int | None = None
) -> tuple[str, str]:
    long = too_long(nights, policy.max_nights if most is None else most)
    if long is not None:
        return long
    return ("check_out", f"Esa cabaña se reserva por {min_nights} noches como mínimo.")


def _shortest(results: Sequence[Availability]) -> tuple[int, bool]:
    """The least minimum stay among cabins refused for being too short, and whether it is the
    dates' (a season's, a long weekend's) rather than the cabin's own."""
    least, for_dates = None, False
    for r in results:
        v = r.violation
        floor = v.min_nights if isinstance(v, NightsOutOfRange) else None
        floor = floor or r.accommodation.min_nights
        if least is None or floor < least:
            least = floor
            # The price rules judge every minimum (for_dates): a season's is the one above
            # the cabin's own.
            for_dates = floor > r.accommodation.min_nights
    return least or 1, for_dates


def _minimum_stay(results: Sequence[Availability]) -> tuple[str, str]:
    least, for_dates = _shortest(results)
    subject = "Para esas fechas la estadía mínima" if for_dates else "La estadía mínima"
    return ("check_out", f"{subject} es de {_nights(least)}: elegí otra fecha de salida.")


@dataclass(frozen=True, slots=True)
class Line:
    label: str
    cents: int


@dataclass(frozen=True, slots=True)
class CabinOffer:
    """One cabin that fits, with its quote as the guest reads it, and what cancelling returns
    (``terms``: one line per tier; None when the cabin has no policy)."""

    id: int
    name: str
    capacity: int
    lines: tuple[Line, ...]
    total: int
    deposit: int
    terms: tuple[str, ...] | None = None


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
        words = [f"{_nights(rate.nights)} × {money(rate.nightly.cents)}", *rate_words(rate)]
        lines.append(Line(" · ".join(words), rate.amount.cents))
    nights = len(b.nights)
    for fee in b.fees:
        lines.append(Line(fee_words(fee, nights), fee.amount.cents))
    for discount in b.discounts:
        lines.append(Line(discount_words(discount), -discount.amount.cents))
    return tuple(lines)


def unavailable_reason(
    results: Sequence[Availability], policy: BookingPolicy, nights: int, guests: int = 1
) -> tuple[str, str]:
    """Why nothing fits, with the field it is about: the reason every cabin gives (past dates,
    a stay too long); a party larger than any cabin takes, with the way to go on (WhatsApp, or
    two cabins); else, among the cabins the party fits, a rule the guest can act on (the
    minimum stay, the arrival day) before "nothing is free" — a stay too short is not a full
    house."""
    codes = {r.reason_code for r in results}
    largest = max((r.accommodation.capacity for r in results), default=0)
    if results and guests > largest and not codes & DATE_CODES:
        return large_party(largest, guests)
    if len(codes) == 1:
        [code] = codes
        if code == NightsOutOfRange.code and nights > policy.max_nights:
            return nights_message(policy, nights)
        if code == NightsOutOfRange.code:
            return _minimum_stay(results)
        if code is None or code == "occupied" or code not in SPANISH:
            return (NOTICE, NOTHING_FREE)
        if code == "arrival_day_not_allowed":
            return ARRIVAL_DAY
        return SPANISH[code]
    fits = [r for r in results if r.reason_code != GuestsOutOfRange.code]
    short = [r for r in fits if r.reason_code == NightsOutOfRange.code]
    if short:
        return _minimum_stay(short)
    if any(r.reason_code == "arrival_day_not_allowed" for r in fits):
        return ARRIVAL_DAY
    return (NOTICE, NOTHING_FREE)


def large_party(largest: int, guests: int) -> tuple[str, str]:
    """More people than any cabin takes: said with the most one takes, and what to do."""
    return (
        "guests",
        f"Nuestras cabañas reciben hasta {largest} personas. Para {guests}, escribinos por "
        "WhatsApp y vemos cómo alojarlos, o reservá dos cabañas: hacé una búsqueda para cada "
        "grupo.",
    )


def first_days(form: BookingForm, today: date) -> dict[str, str]:
    """The first day each date picker offers: arrival from today; departure from the day
    after the arrival chosen (or after today)."""
    arrival = form.day("check_in")
    after = arrival if arrival is not None and arrival >= today else today
    return {
        "check_in": today.isoformat(),
        "check_out": (after + timedelta(days=1)).isoformat(),
    }


def whatsapp_url(number: str | None, form: BookingForm) -> str | None:
    """A wa.me link to the business with the guest's search written out; None without a
    number (ADMIN_WHATSAPP_NUMBER)."""
    digits = re.sub(r"\D", "", number or "")
    if not digits:
        return None
    check_in, check_out = form.day("check_in"), form.day("check_out")
    text = "Hola, quiero reservar una cabaña"
    if check_in and check_out:
        text += f" del {check_in:%d/%m/%Y} al {check_out:%d/%m/%Y}"
    if form.number("guests"):
        text += f" para {form.values['guests']} personas"
    return f"https://wa.me/{digits}?text={quote(text)}"


def asks_for_whatsapp(errors: dict[str, str]) -> bool:
    """A refusal that sends the guest to WhatsApp: the page gives the link beside it."""
    return any("por WhatsApp" in message for message in errors.values())


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
