"""The WhatsApp message templates, declared once: what is sent outside the customer-service
window (spec §1.7), what ``docs/whatsapp-templates.md`` lists for WhatsApp Manager, and what
``cabanas whatsapp templates`` prints for Meta's API.

Rules Meta applies on review and on send, checked here: parameters are positional ({{1}},
{{2}}… in order, one style per template), a body neither starts nor ends with a parameter,
and a parameter's value holds no line break, tab or run of more than four spaces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from application.ports.messaging import TemplateUse
from application.ports.outbox import Topic

LANGUAGE = "es_AR"
UTILITY = "UTILITY"  # transactional updates (Meta's categories: UTILITY, MARKETING, AUTHENTICATION)
# Anything that is not about a transaction the guest is in the middle of: asking for a review.
MARKETING = "MARKETING"
MAX_BODY = 1024  # characters, after the parameters are filled in
_PLACEHOLDER = re.compile(r"\{\{(\d+)\}\}")
_BLANKS = re.compile(r"\s+")
NO_BREAK_SPACE = "\u00a0"


class TemplateMisuse(ValueError):
    """A template declared or used against Meta's rules (a programming error)."""


@dataclass(frozen=True, slots=True)
class Param:
    name: str  # what the value is, for people (WhatsApp Manager shows only {{n}})
    example: str  # submitted with the template for review


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    topic: str
    category: str
    body: str
    params: tuple[Param, ...]
    language: str = LANGUAGE

    def __post_init__(self) -> None:
        numbers = [int(n) for n in _PLACEHOLDER.findall(self.body)]
        if numbers != list(range(1, len(self.params) + 1)):
            raise TemplateMisuse(f"{self.name}: placeholders must be {{{{1}}}}… in order")
        if self.body.startswith("{{") or self.body.rstrip().endswith("}}"):
            raise TemplateMisuse(f"{self.name}: a body may not start or end with a parameter")
        if not re.fullmatch(r"[a-z0-9_]{1,512}", self.name):
            raise TemplateMisuse(f"{self.name}: names are lowercase letters, digits and _")

    def use(self, *values: str) -> TemplateUse:
        """The template with these values, cleaned the way Meta accepts them; the longest
        value is shortened if the filled-in body would pass ``MAX_BODY``."""
        if len(values) != len(self.params):
            raise TemplateMisuse(
                f"{self.name} takes {len(self.params)} parameters, got {len(values)}"
            )
        cleaned = [_clean(v) for v in values]
        excess = len(self.render(cleaned)) - MAX_BODY
        if excess > 0:
            longest = max(range(len(cleaned)), key=lambda i: len(cleaned[i]))
            cleaned[longest] = cleaned[longest][: max(1, len(cleaned[longest]) - excess - 1)] + "…"
        return TemplateUse(self.name, tuple(cleaned), self.language)

    def render(self, values: tuple[str, ...] | list[str]) -> str:
        """The body as the recipient reads it."""
        return _PLACEHOLDER.sub(lambda m: values[int(m.group(1)) - 1], self.body)

    @property
    def example(self) -> str:
        return self.render([p.example for p in self.params])


def _clean(value: str) -> str:
    # A lone no-break space is kept: it joins "$" to its amount (texts.PESO_SIGN) as in
    # every other message, and is no line break, tab or run of spaces.
    return _BLANKS.sub(_one_blank, value).strip() or "-"


def _one_blank(blanks: re.Match[str]) -> str:
    return NO_BREAK_SPACE if blanks.group() == NO_BREAK_SPACE else " "


# The parameters most templates open with.
GUEST_NAME = Param("nombre", "Juana")
RESERVATION_CODE = Param("código de reserva", "ABCD-EFGH-JKMN")
CABIN = Param("cabaña", "Cabaña del Lago")


def _declare(
    name: str, topic: str, body: str, *params: Param | tuple[str, str], category: str = UTILITY
) -> Template:
    """A template and its parameters in order ({{1}}, {{2}}…), each a ``Param`` or a
    (name, example) pair."""
    return Template(
        name,
        topic,
        category,
        body,
        tuple(p if isinstance(p, Param) else Param(*p) for p in params),
    )


BOOKING_CONFIRMED = _declare(
    "reserva_confirmada",
    Topic.BOOKING_CONFIRMED,
    (
        "¡Hola, {{1}}! Tu reserva {{2}} en {{3}}, del {{4}} al {{5}}, está confirmada: "
        "recibimos la seña de {{6}}. ¡Te esperamos!"
    ),
    GUEST_NAME,
    RESERVATION_CODE,
    CABIN,
    ("llegada", "18/12"),
    ("salida", "21/12"),
    ("seña pagada", "$ 86.700"),
)

DEPOSIT_LINK = _declare(
    "sena_link_de_pago",
    Topic.DEPOSIT_LINK,
    (
        "Hola, {{1}}. Para confirmar la reserva {{2}}, pagá la seña de {{3}} con Mercado Pago "
        "en este link: {{4}} Te guardamos las fechas hasta {{5}}."
    ),
    GUEST_NAME,
    RESERVATION_CODE,
    ("seña", "$ 86.700"),
    ("link de pago", "https://www.mercadopago.com.ar/checkout/v1/redirect?pref_id=1"),
    ("vencimiento", "el 02/12 a las 13:00"),
)

BALANCE_REMINDER = _declare(
    "recordatorio_saldo",
    Topic.BALANCE_REMINDER,
    (
        "Hola, {{1}}. Te recordamos que de tu reserva {{2}} en {{3}} queda un saldo de {{4}}, "
        "a pagar antes del {{5}}. Si ya lo pagaste, no hace falta que hagas nada."
    ),
    GUEST_NAME,
    RESERVATION_CODE,
    CABIN,
    ("saldo", "$ 202.300"),
    ("fecha límite", "18/12"),
)

BALANCE_LINK = _declare(
    "saldo_link_de_pago",
    Topic.BALANCE_REMINDER,
    (
        "Hola, {{1}}. De tu reserva {{2}} en {{3}} queda un saldo de {{4}}, a pagar antes del "
        "{{5}}. Podés pagarlo con Mercado Pago en este link: {{6}} Si ya lo pagaste, no hace "
        "falta que hagas nada."
    ),
    GUEST_NAME,
    RESERVATION_CODE,
    CABIN,
    ("saldo", "$ 202.300"),
    ("fecha límite", "18/12"),
    ("link de pago", "https://www.mercadopago.com.ar/checkout/v1/redirect?pref_id=2"),
)

PRE_ARRIVAL = _declare(
    "info_llegada",
    Topic.PRE_ARRIVAL,
    (
        "Hola, {{1}}. ¡Ya falta poco! Te esperamos en {{2}} el {{3}}, desde las {{4}}. "
        "Dirección: {{5}}. Cómo llegar: {{6}}. Las llaves: {{7}}. ¡Buen viaje!"
    ),
    GUEST_NAME,
    CABIN,
    ("llegada", "18/12"),
    ("hora de check-in", "14:00"),
    ("dirección", "Ruta 40 km 2010, Villa La Angostura"),
    ("mapa", "https://maps.app.goo.gl/ejemplo"),
    ("llaves", "están en la caja con clave 1234 junto a la puerta"),
)

CHECK_OUT_REMINDER = _declare(
    "recordatorio_salida",
    Topic.CHECK_OUT_REMINDER,
    (
        "Hola, {{1}}. Te recordamos que mañana, {{2}}, es la salida de {{3}}, hasta las {{4}}. "
        "{{5}} ¡Gracias por elegirnos!"
    ),
    GUEST_NAME,
    ("salida", "21/12"),
    CABIN,
    ("hora de salida", "10:00"),
    ("indicaciones", "Dejá la llave en la caja y apagá la estufa."),
)

THANK_YOU = _declare(
    "gracias_por_venir",
    Topic.THANK_YOU,
    (
        "¡Hola, {{1}}! Gracias por alojarte en {{2}}. {{3}} Si tenés un minuto, contanos cómo "
        "te fue: {{4}} Si no querés recibir más mensajes como este, respondé BAJA."
    ),
    GUEST_NAME,
    CABIN,
    ("mensaje", "Esperamos que hayas disfrutado de la estadía."),
    ("link de reseña", "https://g.page/r/cabanas-del-lago/review"),
    category=MARKETING,
)

OWNER_ALERT = _declare(
    "aviso_dueno",
    Topic.OWNER_ALERT,
    (
        "Aviso del sistema de reservas: {{1}} Respondé este mensaje y por 24 horas los avisos "
        "te llegan como texto."
    ),
    (
        "aviso",
        "⚠️ Pago 1319000001 de Mercado Pago para la reserva ABCD-EFGH-JKMN: hay que "
        "devolver el dinero. Miralo en el panel: "
        "https://cabanas.example/panel/reservas/ABCDEFGHJKMN",
    ),
)

OWNER_DAILY_SUMMARY = _declare(
    "resumen_diario",
    Topic.OWNER_DAILY_SUMMARY,
    (
        "Resumen del {{1}}. Llegadas: {{2}}. Salidas: {{3}}. Pre-reservas vigentes: {{4}}. "
        "Saldos a cobrar: {{5}}. Calendarios: {{6}}. Para revisar: {{7}}. ¡Buen día!"
    ),
    ("fecha", "lunes 18/12"),
    ("llegadas", "Cabaña del Lago (ABCD-EFGH-JKMN)"),
    ("salidas", "ninguna"),
    ("pre-reservas", "1"),
    ("saldos", "$ 202.300"),
    ("calendarios", "al día"),
    ("pendientes", "nada. Todo en el panel: https://cabanas.example/panel/"),
)

TEMPLATES: tuple[Template, ...] = (
    BOOKING_CONFIRMED,
    DEPOSIT_LINK,
    BALANCE_REMINDER,
    BALANCE_LINK,
    PRE_ARRIVAL,
    CHECK_OUT_REMINDER,
    THANK_YOU,
    OWNER_ALERT,
    OWNER_DAILY_SUMMARY,
)
BY_NAME = {t.name: t for t in TEMPLATES}
