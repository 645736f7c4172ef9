"""Calendario (/panel/calendario): cabins × nights, month by month; a free night opens the
block form (the same ``CreateBlock`` use case as POST /api/v1/admin/blocks)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from markupsafe import Markup, escape

from application.back_office.blocks import CreateBlock
from application.back_office.calendar_grid import CalendarWindow, GetCalendarWindow
from application.booking.catalogue import ListAccommodations
from application.ports.back_office import CalendarItem
from application.ports.clock import Clock
from domain.booking.accommodation import Accommodation
from domain.calendar import local_today
from domain.errors import DomainError
from entrypoints.http.console.auth import console_user, is_owner
from entrypoints.http.console.forms import read_form
from entrypoints.http.console.messages import spanish
from entrypoints.http.console.rendering import PREFIX, page, short_date

ConsoleRequest = Request[Any, Any, Any]
STAFF = {"staff": True}
DAY_CHOICES = (30, 60)

# kind → (css class, letter, words): colour, a letter and a pattern, never colour alone.
LEGEND = (
    ("k-stay", "R", "Reserva confirmada"),
    ("k-hold", "P", "Retención esperando pago (rayado)"),
    ("k-block", "B", "Bloqueo manual (rayado gris)"),
    ("k-airbnb", "A", "Noches de Airbnb"),
    ("k-booking", "K", "Noches de Booking.com"),
    ("k-other", "O", "Otro calendario importado"),
    ("k-clash", "!", "Choque: un canal quiso noches ya ocupadas (borde rojo)"),
)
_EXTERNAL = {"airbnb": ("k-airbnb", "A"), "booking": ("k-booking", "K")}


@dataclass(slots=True)  # not frozen: 3,000 of them per page, and frozen __init__ is slow
class Cell:
    day: date
    item: CalendarItem | None
    css: str
    letter: str
    cabin: str
    href: str | None
    clash: bool
    words: str  # what the night holds: "libre", "Reserva de Juana"…

    @property
    def label(self) -> str:
        """What a screen reader says (and the title shows): cabin, night, what it holds."""
        return f"{self.cabin}, {short_date(self.day)}: {self.words}"


def describe(item: CalendarItem) -> tuple[str, str, str]:
    if item.kind == "block":
        return "k-block", "B", f"Bloqueo{': ' + item.note if item.note else ''}"
    if item.kind == "external":
        css, letter = _EXTERNAL.get(item.channel, ("k-other", "O"))
        return css, letter, f"Noches de {item.channel.capitalize()}"
    if item.status == "pre_reserved":
        return "k-hold", "P", f"Retención de {item.guest_name}"
    return "k-stay", "R", f"Reserva de {item.guest_name}"


def grid(window: CalendarWindow) -> list[tuple[Accommodation, list[Cell]]]:
    """One row per cabin, one cell per night, from the window's rows (no further queries)."""
    days = [window.start + timedelta(days=n) for n in range(window.days)]
    # A free night's link ends with its date; none for nights already past.
    ends = [day.isoformat() if day >= window.today else None for day in days]
    nights_of: dict[int, dict[date, CalendarItem]] = {}
    for taken in window.items:
        nights = nights_of.setdefault(taken.accommodation_id, {})
        for n in range((taken.check_out - taken.check_in).days):
            nights[taken.check_in + timedelta(days=n)] = taken
    clashes_of: dict[int, set[date]] = {}
    for c in window.collisions:
        clashes_of.setdefault(c.accommodation_id, set()).update(
            c.check_in + timedelta(days=n) for n in range((c.check_out - c.check_in).days)
        )
    rows = []
    for cabin in window.accommodations:
        nights = nights_of.get(cabin.id, {})
        clashes = clashes_of.get(cabin.id, set())
        free = f"{PREFIX}/calendario/bloquear?cabana={cabin.id}&desde="
        cells = []
        for day, end in zip(days, ends, strict=True):
            item = nights.get(day)
            clash = day in clashes if clashes else False
            if item is None:
                href = free + end if end else None
                cells.append(Cell(day, None, "free", "", cabin.name, href, clash, "libre"))
                continue
            css, letter, words = describe(item)
            href = f"{PREFIX}/reservas/{item.code}" if item.kind == "booking" else None
            if clash:
                words += " — choque con un canal"
                letter += "!"
            cells.append(Cell(day, item, css, letter, cabin.name, href, clash, words))
        rows.append((cabin, cells))
    return rows


class RowWriter:
    """Cabins' rows for one window, written here rather than by the template: a 60-night
    window of 50 cabins is 3,000 cells, and Jinja's per-cell work made the page cost most of
    a second of CPU. The texts (the cabin's name, a guest's name in the words) are escaped
    once each; nights and letters are ours (digits, letters, "!"). A free night's link is
    named by its title (its "+" is hidden from screen readers); a taken night's by its
    label."""

    def __init__(self) -> None:
        self._days: dict[date, str] = {}
        self._said: dict[str, str] = {}

    def __call__(self, cabin: Accommodation, cells: list[Cell]) -> Markup:
        name = escape(cabin.name)
        out = [f'<tr><th scope="row" class="cabin">{name}</th>']
        for cell in cells:
            day = self._days.get(cell.day)
            if day is None:
                day = self._days[cell.day] = short_date(cell.day)
            words = self._said.get(cell.words)
            if words is None:
                words = self._said[cell.words] = str(escape(cell.words))
            label = f"{name}, {day}: {words}"
            out.append('<td class="clash">' if cell.clash else "<td>")
            if cell.item is None and cell.href:
                href = cell.href.replace("&", "&amp;")
                out.append(
                    f'<a class="free" href="{href}" title="{label}">'
                    '<span aria-hidden="true">+</span></a></td>'
                )
            elif cell.href:
                out.append(
                    f'<a class="{cell.css}" href="{cell.href}" title="{label}">'
                    f'<span aria-hidden="true">{cell.letter}</span>'
                    f'<span class="visually-hidden">{label}</span></a></td>'
                )
            else:
                out.append(
                    f'<span class="cell {cell.css}" role="img" aria-label="{label}" '
                    f'title="{label}"><span aria-hidden="true">{cell.letter}</span></span></td>'
                )
        out.append("</tr>")
        return Markup("".join(out))  # noqa: S704 - the texts in it are escaped above


def _month_start(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


class CalendarController(Controller):
    path = f"{PREFIX}/calendario"
    include_in_schema = False

    @get("/", opt=STAFF)
    @inject
    async def calendar(
        self,
        request: ConsoleRequest,
        use_case: FromDishka[GetCalendarWindow],
        clock: FromDishka[Clock],
        desde: Annotated[date | None, QueryParameter()] = None,
        dias: Annotated[int, QueryParameter()] = 30,
        bloqueo: Annotated[str | None, QueryParameter(max_length=32)] = None,
    ) -> Template:
        days = dias if dias in DAY_CHOICES else 30
        today = local_today(clock.now())
        start = desde or today
        window = await use_case(start, days)
        return page(
            request,
            "calendar.html",
            title="Calendario",
            window=window,
            rows=grid(window),
            row_html=RowWriter(),
            legend=LEGEND,
            days=days,
            previous=_month_start(start, -1),
            following=_month_start(start, 1),
            this_month=today,
            notice="Listo: las noches quedaron bloqueadas." if bloqueo else None,
        )

    @get("/bloquear", opt=STAFF)
    @inject
    async def block_form(
        self,
        request: ConsoleRequest,
        cabins: FromDishka[ListAccommodations],
        clock: FromDishka[Clock],
        cabana: Annotated[int | None, QueryParameter(ge=1, le=2**62)] = None,
        desde: Annotated[date | None, QueryParameter()] = None,
    ) -> Template:
        start = desde or local_today(clock.now())
        return await self._block_page(
            request,
            cabins,
            {
                "cabana": str(cabana or ""),
                "desde": start.isoformat(),
                "hasta": (start + timedelta(days=1)).isoformat(),
                "motivo": "",
            },
            {},
        )

    @post("/bloquear", opt=STAFF)
    @inject
    async def block(
        self,
        request: ConsoleRequest,
        cabins: FromDishka[ListAccommodations],
        use_case: FromDishka[CreateBlock],
    ) -> Response[Any]:
        form = await read_form(request)
        values = {
            "cabana": form.text("cabana", 20),
            "desde": form.text("desde", 10),
            "hasta": form.text("hasta", 10),
            "motivo": form.text("motivo", 500),
        }
        cabin, check_in, check_out = form.integer("cabana"), form.day("desde"), form.day("hasta")
        errors = {}
        if cabin is None:
            errors["cabana"] = "Elegí una cabaña."
        if check_in is None:
            errors["desde"] = "Poné la fecha de entrada (día/mes/año)."
        if check_out is None:
            errors["hasta"] = "Poné la fecha de salida (día/mes/año)."
        if cabin is not None and check_in is not None and check_out is not None:
            try:
                block = await use_case(
                    cabin, check_in, check_out, values["motivo"], console_user(request).email
                )
            except DomainError as err:
                field = {"accommodation_id": "cabana"}.get(err.field or "", err.field)
                errors[field or "_form"] = spanish(err)
            else:
                query = urlencode({"desde": _month_start(check_in, 0), "bloqueo": block.code.value})
                return Redirect(f"{PREFIX}/calendario?{query}", status_code=303)
        return await self._block_page(request, cabins, values, errors, status=400)

    async def _block_page(
        self,
        request: ConsoleRequest,
        cabins: ListAccommodations,
        values: dict[str, str],
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        return page(
            request,
            "block.html",
            status=status,
            title="Bloquear noches",
            cabins=await cabins(),
            values=values,
            errors=errors,
            owner=is_owner(request),
        )
