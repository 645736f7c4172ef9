"""Templates, headers and the Spanish formatting every console page shares."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig
from markupsafe import Markup

from application.messaging.texts import PESO_SIGN, amount_digits
from domain.calendar import ARGENTINA
from domain.codes import ReservationCode
from domain.errors import InvalidValue

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
# The guest pages (entrypoints.http.guest) share the engine, the filters and the stylesheet.
GUEST_TEMPLATES = HERE.parent / "guest" / "templates"
PREFIX = "/panel"

# Only our own files: no inline script or style, no other origin, no framing.
CONSOLE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
PAGE_HEADERS = {"Content-Security-Policy": CONSOLE_CSP, "Cache-Control": "no-store"}

WEEKDAYS = ("lun", "mar", "mié", "jue", "vie", "sáb", "dom")
WEEKDAYS_LONG = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)


def short_date(day: date) -> str:
    """``vie 18 dic``"""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1][:3]}"


def long_date(day: date) -> str:
    """``viernes 18 de diciembre de 2026``"""
    return f"{WEEKDAYS_LONG[day.weekday()]} {day.day} de {MONTHS[day.month - 1]} de {day.year}"


def local_time(moment: datetime) -> str:
    """``14:05`` in Argentina."""
    return moment.astimezone(ARGENTINA).strftime("%H:%M")


def local_day(moment: datetime) -> date:
    """The day it is in Argentina at ``moment``."""
    return moment.astimezone(ARGENTINA).date()


def local_moment(moment: datetime) -> str:
    """``vie 18 dic 14:05`` in Argentina."""
    local = moment.astimezone(ARGENTINA)
    return f"{short_date(local.date())} {local:%H:%M}"


def duration_minutes(minutes: int) -> str:
    """``30 minutos``, ``1 hora``, ``2 horas``, ``1 h 30 min``."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} minuto{'s' if rest != 1 else ''}"
    if not rest:
        return f"{hours} hora{'s' if hours != 1 else ''}"
    return f"{hours} h {rest} min"


def money(cents: int) -> str:
    """``$ 123.456`` or ``$ 1.234,50`` (Argentine separators), "$" and the number joined by a
    no-break space as in every message (``texts.PESO_SIGN``): a phone never parts them."""
    return f"{'-' if cents < 0 else ''}{PESO_SIGN}{amount_digits(abs(cents))}"


def booking_code(code: str | ReservationCode) -> str:
    """``H01D-H01D-H01D``: a booking's code as the owner reads it aloud, as its page shows it
    (``ReservationCode.display``), kept on one line (``.code``: a phone never breaks it at a
    hyphen). Text that is no code is shown as it is; links keep the raw code."""
    try:
        shown = code.display if isinstance(code, ReservationCode) else ReservationCode(code).display
    except InvalidValue:
        return code if isinstance(code, str) else str(code)
    return Markup('<span class="code">{}</span>').format(shown)


def number(value: Decimal | int) -> str:
    """``30``, ``12,5`` (never ``3E+1``); a whole count with thousands: ``1.000``."""
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return format(value.normalize(), "f").replace(".", ",")


def month_name(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


@cache
def environment() -> Environment:
    """One per process: every app built in it (each test's, in the suite) shares the compiled
    templates instead of compiling each again on its first render."""
    env = Environment(
        loader=FileSystemLoader([TEMPLATES, GUEST_TEMPLATES]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        short_date=short_date,
        long_date=long_date,
        local_time=local_time,
        local_moment=local_moment,
        local_day=local_day,
        duration_minutes=duration_minutes,
        money=money,
        booking_code=booking_code,
        month_name=month_name,
        number=number,
    )
    env.globals["static"] = lambda name: f"{PREFIX}/static/{name}"
    return env


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment()))


def page(
    request: Request[Any, Any, Any],
    template: str,
    *,
    status: int = 200,
    title: str,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Template:
    """A full page: the layout gets the signed-in user (if any), the title and the path;
    ``headers`` go with the page's own."""
    user = getattr(request.state, "console_user", None)
    return Template(
        template_name=template,
        context={"user": user, "title": title, "path": request.url.path, **context},
        status_code=status,
        headers=PAGE_HEADERS if headers is None else {**PAGE_HEADERS, **headers},
        media_type="text/html",
    )
