"""The scheduled messages' texts, in Argentine Spanish: the free text sent inside WhatsApp's
24 h window and the e-mail; outside the window the matching template goes (its parameters are
the same facts). The cabin's own words come from ``CabinTexts``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from application.messaging.texts import day_month

WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
OPT_OUT_HINT = "Si no querés recibir más mensajes como este, respondé BAJA."


@dataclass(frozen=True, slots=True)
class Wording:
    """One notification's words: the WhatsApp text, and the e-mail's subject and body."""

    text: str
    subject: str
    email: str


def _hhmm(at: time) -> str:
    return f"{at:%H:%M}"


def _hello(name: str) -> str:
    return f"¡Hola, {name}!" if name else "¡Hola!"


def full_date(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def weekday_date(day: date) -> str:
    """ "martes 01/12": how the owner's summary names its day."""
    return f"{WEEKDAYS[day.weekday()]} {day_month(day)}"


def pre_arrival(
    name: str,
    code: str,
    cabin: str,
    check_in: date,
    check_in_time: time,
    address: str,
    map_link: str,
    keys: str,
    today: date,
) -> Wording:
    facts = f"Dirección: {address}\nCómo llegar: {map_link}\nLas llaves: {keys}"
    arrival = day_month(check_in, today)
    return Wording(
        text=(
            f"{_hello(name)} ¡Ya falta poco! Te esperamos en {cabin} el {arrival}, "
            f"desde las {_hhmm(check_in_time)}.\n{facts}\n"
            f"Tu código de reserva: {code}. ¡Buen viaje!"
        ),
        subject=f"Tu llegada a {cabin} el {arrival}",
        email=(
            f"{_hello(name)}\n\n¡Ya falta poco! Te esperamos en {cabin} el "
            f"{full_date(check_in)}, desde las {_hhmm(check_in_time)}.\n\n{facts}\n\n"
            f"Código de reserva: {code}\n\n¡Buen viaje!"
        ),
    )


def balance_reminder(
    name: str, code: str, cabin: str, owed: str, deadline: date, today: date
) -> Wording:
    reminder = (
        f"Te recordamos que de tu reserva {code} en {cabin} queda un saldo de {owed}, a pagar "
        f"antes del {day_month(deadline, today)}. Si ya lo pagaste, no hace falta que hagas nada."
    )
    return Wording(
        text=f"Hola, {name}. {reminder}" if name else reminder,
        subject=f"Saldo de tu reserva {code}",
        email=f"{_hello(name)}\n\n{reminder}",
    )


def balance_link(
    name: str, code: str, cabin: str, owed: str, deadline: date, url: str, today: date
) -> Wording:
    reminder = (
        f"De tu reserva {code} en {cabin} queda un saldo de {owed}, a pagar antes del "
        f"{day_month(deadline, today)}. Podés pagarlo con Mercado Pago en este link: {url} "
        "Si ya lo pagaste, no hace falta que hagas nada."
    )
    return Wording(
        text=f"Hola, {name}. {reminder}" if name else reminder,
        subject=f"Saldo de tu reserva {code}",
        email=f"{_hello(name)}\n\n{reminder}",
    )


def check_out_reminder(
    name: str, cabin: str, check_out: date, check_out_time: time, note: str, today: date
) -> Wording:
    reminder = (
        f"Te recordamos que mañana, {day_month(check_out, today)}, es la salida de {cabin}, hasta "
        f"las {_hhmm(check_out_time)}. {note}"
    )
    return Wording(
        text=f"Hola, {name}. {reminder} ¡Gracias por elegirnos!",
        subject=f"Mañana es tu salida de {cabin}",
        email=f"{_hello(name)}\n\n{reminder}\n\n¡Gracias por elegirnos!",
    )


def thank_you(name: str, cabin: str, note: str, review_url: str) -> Wording:
    return Wording(
        text=(
            f"{_hello(name)} Gracias por alojarte en {cabin}. {note} Si tenés un minuto, "
            f"contanos cómo te fue: {review_url}\n{OPT_OUT_HINT}"
        ),
        subject=f"¡Gracias por elegir {cabin}!",
        email=(
            f"{_hello(name)}\n\nGracias por alojarte en {cabin}. {note}\n\nSi tenés un minuto, "
            f"contanos cómo te fue:\n{review_url}\n\n"
            "Si no querés recibir más mensajes como este, escribinos BAJA por WhatsApp."
        ),
    )


def admin_cabin_without_address(cabin: str, code: str) -> str:
    """Sent with the cabin's console page as its link (its texts for the guests are there)."""
    return (
        f"📍 {cabin} no tiene cargada la dirección, así que el huésped de la reserva {code} "
        "todavía no recibió la información de llegada. Cargala en los textos para los "
        "huéspedes de la cabaña y sale sola."
    )


@dataclass(frozen=True, slots=True)
class SummaryFacts:
    """The owner's day, each item already one line of words."""

    day: date
    arrivals: str
    departures: str
    live_holds: int
    balances: str
    calendars: str
    to_review: str

    @property
    def values(self) -> tuple[str, ...]:
        """In the order of the ``resumen_diario`` template's parameters."""
        return (
            weekday_date(self.day),
            self.arrivals,
            self.departures,
            str(self.live_holds),
            self.balances,
            self.calendars,
            self.to_review,
        )


def daily_summary(facts: SummaryFacts, panel: str | None = None) -> Wording:
    """``panel``: the console's day view (Hoy) on PUBLIC_BASE_URL, where each item is acted on."""
    day, arrivals, departures, holds, balances, calendars, to_review = facts.values
    lines = (
        f"Llegadas: {arrivals}\nSalidas: {departures}\nPre-reservas vigentes: {holds}\n"
        f"Saldos a cobrar: {balances}\nCalendarios: {calendars}\nPara revisar: {to_review}"
    )
    link = f"\n{PANEL_LINK}{panel}" if panel else ""
    return Wording(
        text=f"☀️ Resumen del {day}\n{lines}{link}",
        subject=f"Resumen del {day}",
        email=f"Resumen del {day}\n\n{lines}{link}\n\n¡Buen día!",
    )


PANEL_LINK = "Todo en el panel: "


def summary_values(facts: SummaryFacts, panel: str | None = None) -> tuple[str, ...]:
    """The ``resumen_diario`` template's parameters; the panel's address ends the last one
    (a parameter takes no line break; the template approved with Meta keeps its seven)."""
    values = facts.values
    if not panel:
        return values
    return (*values[:-1], f"{values[-1]}. {PANEL_LINK}{panel}")


NOTHING = "ninguna"


def stay_line(cabin: str, guest: str, code: str) -> str:
    return f"{cabin}: {guest} ({code})"


def balances_line(total: str, bookings: int, unrecorded: int = 0) -> str:
    """``unrecorded``: confirmed bookings whose payments were never recorded (their balance
    is unknown, so it is not in ``total``)."""
    line = "ninguno" if bookings == 0 else f"{total} ({bookings} reserva{_s(bookings)})"
    if unrecorded:
        line += f"; {unrecorded} reserva{_s(unrecorded)} sin datos de pagos"
    return line


def _s(count: int) -> str:
    return "s" if count != 1 else ""


def calendars_line(feeds: int, stale: list[str], failing: list[str]) -> str:
    if feeds == 0:
        return "sin calendarios externos"
    problems = [f"{name} sin actualizar" for name in stale] + [
        f"{name} con error" for name in failing if name not in stale
    ]
    return "; ".join(problems) if problems else "al día"


def to_review_line(undeliverable: int, payments: int, held_calendars: int) -> str:
    items = [
        (undeliverable, "mensaje no entregado", "mensajes no entregados"),
        (payments, "pago a revisar", "pagos a revisar"),
        (held_calendars, "calendario retenido", "calendarios retenidos"),
    ]
    said = [f"{n} {one if n == 1 else many}" for n, one, many in items if n]
    return ", ".join(said) if said else "nada"


OPTED_OUT = (
    "Listo, te dimos de baja: no te vamos a mandar más mensajes como pedidos de reseña. Los "
    "avisos de tus reservas (confirmación, pagos, llegada y salida) te siguen llegando. Si "
    "cambiás de idea, escribinos ALTA."
)
OPTED_IN = (
    "¡Listo! Te volvimos a dar de alta: después de tu estadía te vamos a escribir para "
    "preguntarte cómo te fue. Si preferís que no, escribinos BAJA."
)
