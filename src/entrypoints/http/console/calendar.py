"""Calendario (/panel/calendario): cabins × nights, month by month, each cabin's row drawn as
runs of nights (a stay, a block, an import, free nights). A free run opens the block form for
one night, the one tapped (the same ``CreateBlock`` use case as POST /api/v1/admin/blocks); a
block opens its own page (``blocks.py``), where it is removed; a booking opens its Reserva."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from markupsafe import Markup, escape

from application.back_office.blocks import MAX_BLOCK_REASON, CreateBlock
from application.back_office.calendar_grid import (
    CalendarStamp,
    CalendarWindow,
    GetCalendarStamp,
    GetCalendarWindow,
)
from application.booking.catalogue import ListAccommodations
from application.ports.back_office import CalendarItem
from application.ports.clock import Clock
from domain.booking.accommodation import Accommodation
from domain.calendar import local_today
from domain.errors import DomainError
from entrypoints.http.console.auth import console_user, is_owner
from entrypoints.http.console.forms import KEPT, read_form
from entrypoints.http.console.messages import spanish
from entrypoints.http.console.rendering import PREFIX, long_date, page, short_date

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
# The page a taken run opens, by kind (imported nights have none: they are the channel's).
_HREFS = {"booking": f"{PREFIX}/reservas/{{}}", "block": f"{PREFIX}/calendario/bloqueos/{{}}"}


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ is slower
class Run:
    """Consecutive nights of one cabin drawn as one cell (``colspan``): a reservation, a
    block or an import, or free nights; a run is cut where a collision starts or ends, so
    the clash is marked on its nights only."""

    first: date
    nights: int
    at: int  # the first night's column, from the window's start
    item: CalendarItem | None
    css: str
    letter: str
    href: str | None
    clash: bool
    words: str  # what the nights hold: "libre", "Reserva de Juana"…

    @property
    def last(self) -> date:
        return self.first + timedelta(days=self.nights - 1)

    def label(self, cabin: str) -> str:
        """What a screen reader says (and the title shows): cabin, nights, what they hold."""
        when = short_date(self.first)
        if self.nights > 1:
            when += f" a {short_date(self.last)} ({self.nights} noches)"
        return f"{cabin}, {when}: {self.words}"


def describe(item: CalendarItem) -> tuple[str, str, str]:
    if item.kind == "block":
        return "k-block", "B", f"Bloqueo{': ' + item.note if item.note else ''}"
    if item.kind == "external":
        css, letter = _EXTERNAL.get(item.channel, ("k-other", "O"))
        return css, letter, f"Noches de {item.channel.capitalize()}"
    if item.status == "pre_reserved":
        return "k-hold", "P", f"Retención de {item.guest_name}"
    return "k-stay", "R", f"Reserva de {item.guest_name}"


def _split(first: int, last: int, clashes: set[int]) -> list[tuple[int, int, bool]]:
    """Nights ``first``..``last`` (exclusive) as stretches inside or outside the clashes."""
    if last <= first:
        return []
    if not clashes:
        return [(first, last, False)]
    parts: list[tuple[int, int, bool]] = []
    for n in range(first, last):
        clash = n in clashes
        if parts and parts[-1][2] == clash:
            parts[-1] = (parts[-1][0], n + 1, clash)
        else:
            parts.append((n, n + 1, clash))
    return parts


def grid(window: CalendarWindow) -> list[tuple[Accommodation, list[Run]]]:
    """One row per cabin: its runs, from the window's rows (no further queries). Work grows
    with the rows in the window, not with cabins × nights."""
    start, days = window.start, window.days
    dates = [start + timedelta(days=n) for n in range(days)]
    items_of: dict[int, list[CalendarItem]] = {}
    for taken in window.items:  # ordered by cabin and check-in
        items_of.setdefault(taken.accommodation_id, []).append(taken)
    clashes_of: dict[int, set[int]] = {}
    for c in window.collisions:
        clashes_of.setdefault(c.accommodation_id, set()).update(
            range((c.check_in - start).days, (c.check_out - start).days)
        )
    rows = []
    for cabin in window.accommodations:
        clashes = clashes_of.get(cabin.id, set())
        runs: list[Run] = []
        at = 0
        for item in items_of.get(cabin.id, ()):
            first = max((item.check_in - start).days, at)
            last = min((item.check_out - start).days, days)
            if last <= first:
                continue
            for a, b, clash in _split(at, first, clashes):
                runs.append(Run(dates[a], b - a, a, None, "free", "", None, clash, "libre"))
            css, letter, words = describe(item)
            href = _HREFS[item.kind].format(item.code) if item.kind in _HREFS else None
            for a, b, clash in _split(first, last, clashes):
                said, mark = (
                    (words + " — choque con un canal", letter + "!") if clash else (words, letter)
                )
                runs.append(Run(dates[a], b - a, a, item, css, mark, href, clash, said))
            at = last
        for a, b, clash in _split(at, days, clashes):
            runs.append(Run(dates[a], b - a, a, None, "free", "", None, clash, "libre"))
        rows.append((cabin, runs))
    return rows


class RowWriter:
    """Cabins' rows for one window, written here rather than by the template (Jinja's
    per-cell work made the 60-night page of 50 cabins cost most of a second of CPU). Every
    run is one cell spanning its nights: a taken run links to its reservation or block, a free
    run to the block form for its first night (past nights are not linked) — console.js
    changes that to the night tapped, found by its column's ``data-night``. Each night's words and
    date, and each text (a cabin's name, a guest's name), are made and escaped once per
    page; nights and letters are ours."""

    def __init__(self, window: CalendarWindow) -> None:
        days = [window.start + timedelta(days=n) for n in range(window.days)]
        self._days = days
        self._said = [short_date(d) for d in days]
        self._iso = [d.isoformat() for d in days]
        self._today = (window.today - window.start).days  # nights before it are past
        self._words: dict[str, str] = {}

    def header(self) -> Markup:
        cells = (
            f'<th scope="col" data-night="{iso}"{' class="weekend"' if day.weekday() >= 5 else ""}>'
            f'<abbr title="{long_date(day)}">{day.day}</abbr><br>'
            f"<small>{said[:3]}</small></th>"
            for day, said, iso in zip(self._days, self._said, self._iso, strict=True)
        )
        return Markup("".join(cells))  # noqa: S704 - dates and weekday names only

    def _when(self, at: int, nights: int) -> str:
        if nights == 1:
            return self._said[at]
        return f"{self._said[at]} a {self._said[at + nights - 1]} ({nights} noches)"

    def __call__(self, cabin: Accommodation, runs: list[Run]) -> Markup:
        name = str(escape(cabin.name))
        out = [f'<tr><th scope="row" class="cabin">{name}</th>']
        for run in runs:
            if run.item is None:
                self._free(out, cabin.id, name, run)
                continue
            words = self._words.get(run.words)
            if words is None:
                words = self._words[run.words] = str(escape(run.words))
            label = f"{name}, {self._when(run.at, run.nights)}: {words}"
            td = _td(run.nights, run.clash)
            if run.href:
                out.append(
                    f'{td}<a class="{run.css}" href="{run.href}" title="{label}">'
                    f'<span aria-hidden="true">{run.letter}</span>'
                    f'<span class="visually-hidden">{label}</span></a></td>'
                )
            else:
                out.append(
                    f'{td}<span class="cell {run.css}" role="img" aria-label="{label}" '
                    f'title="{label}"><span aria-hidden="true">{run.letter}</span></span></td>'
                )
        out.append("</tr>")
        return Markup("".join(out))  # noqa: S704 - the texts in it are escaped above

    def _free(self, out: list[str], cabin_id: int, name: str, run: Run) -> None:
        """Past nights as one unlinked cell, the rest as one link to the block form for one
        night, its first (without ``hasta`` the form's check-out is the next day): a stretch
        is often weeks long, and taking all of it off sale must never be one tap away."""
        at, nights = run.at, run.nights
        past = min(max(self._today - at, 0), nights)
        if past:
            label = f"{name}, {self._when(at, past)}: libre"
            out.append(
                f'{_td(past, run.clash)}<span class="cell" role="img" aria-label="{label}" '
                f'title="{label}"></span></td>'
            )
            at, nights = at + past, nights - past
        if nights:
            out.append(
                f'{_td(nights, run.clash)}<a class="free" href="{PREFIX}/calendario/bloquear?'
                f"cabana={cabin_id}&amp;desde={self._iso[at]}"
                f'" title="{name}, {self._when(at, nights)}: libre"></a></td>'
            )


def _td(nights: int, clash: bool) -> str:
    span = f' colspan="{nights}"' if nights > 1 else ""
    return f'<td{span} class="clash">' if clash else f"<td{span}>"


@dataclass(frozen=True, slots=True)
class DrawnWindow:
    """A window's night headers and cabins' rows as HTML, and what they were drawn from."""

    changes: int
    today: date
    lapses_at: datetime | None
    header: Markup
    rows: Markup

    def current(self, stamp: CalendarStamp) -> bool:
        return (
            self.changes == stamp.changes
            and self.today == stamp.today
            and (self.lapses_at is None or stamp.now < self.lapses_at)
        )


def draw(window: CalendarWindow, changes: int) -> DrawnWindow:
    row_html = RowWriter(window)
    rows = "\n".join(row_html(cabin, runs) for cabin, runs in grid(window))
    return DrawnWindow(
        changes,
        window.today,
        window.lapses_at,
        row_html.header(),
        Markup(rows),  # noqa: S704 - RowWriter escapes every text
    )


class DrawnWindows:
    """The calendar's rows as last drawn in this process, per window (start and nights), the
    ``KEPT`` most recently asked for. One is used while it is current: no committed write to
    what it is drawn from since (the change count, read before the rows), the same date, and
    no hold on it lapsed. Rows only: nothing in them depends on who asks, and the page around
    them (the person, the CSRF token) is rendered for each request."""

    KEPT = 24

    def __init__(self) -> None:
        self._kept: OrderedDict[tuple[date, int], DrawnWindow] = OrderedDict()

    def get(self, start: date, days: int, stamp: CalendarStamp) -> DrawnWindow | None:
        kept = self._kept.get((start, days))
        if kept is None or not kept.current(stamp):
            return None
        self._kept.move_to_end((start, days))
        return kept

    def put(self, start: date, days: int, drawn: DrawnWindow) -> None:
        kept = self._kept.get((start, days))
        if kept is not None and kept.changes > drawn.changes:
            return  # a newer one was drawn meanwhile
        self._kept[(start, days)] = drawn
        self._kept.move_to_end((start, days))
        while len(self._kept) > self.KEPT:
            self._kept.popitem(last=False)


def drawn_windows(request: ConsoleRequest) -> DrawnWindows:
    """This process's (this app's) drawn windows."""
    state = request.app.state
    kept: DrawnWindows | None = getattr(state, "console_drawn_windows", None)
    if kept is None:
        kept = state.console_drawn_windows = DrawnWindows()
    return kept


_TEN_YEARS = timedelta(days=3653)


def freed_notice(first: date | None, until: date | None) -> str | None:
    """What the calendar says once a block is removed (``blocks.py`` sends its dates)."""
    if first is None or until is None or until <= first:
        return None
    if until - first == timedelta(days=1):
        return f"Listo: la noche del {short_date(first)} quedó libre."
    return f"Listo: las noches del {short_date(first)} al {short_date(until)} quedaron libres."


def nights_said(first: str, until: str) -> str:
    """The block form's count of nights, from its fields as typed (``—`` if they make none)."""
    try:
        nights = (date.fromisoformat(until) - date.fromisoformat(first)).days
    except ValueError:
        return "—"
    if nights < 1:
        return "—"
    return "1 noche" if nights == 1 else f"{nights} noches"


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
        stamp_of: FromDishka[GetCalendarStamp],
        desde: Annotated[date | None, QueryParameter()] = None,
        dias: Annotated[int, QueryParameter()] = 30,
        bloqueo: Annotated[str | None, QueryParameter(max_length=32)] = None,
        libre_desde: Annotated[date | None, QueryParameter()] = None,
        libre_hasta: Annotated[date | None, QueryParameter()] = None,
    ) -> Template:
        days = dias if dias in DAY_CHOICES else 30
        stamp = await stamp_of()
        today = stamp.today
        # Any day a URL names, kept within ten years of today (a date near the end of the
        # calendar has no window after it).
        start = min(max(desde or today, today - _TEN_YEARS), today + _TEN_YEARS)
        kept = drawn_windows(request)
        drawn = kept.get(start, days, stamp)
        if drawn is None:
            container = request.state.dishka_container
            use_case: GetCalendarWindow = await container.get(GetCalendarWindow)
            drawn = draw(await use_case(start, days), stamp.changes)
            kept.put(start, days, drawn)
        return page(
            request,
            "calendar.html",
            title="Calendario",
            start=start,
            drawn=drawn,
            legend=LEGEND,
            days=days,
            previous=_month_start(start, -1),
            following=_month_start(start, 1),
            this_month=today,
            notice=(
                "Listo: las noches quedaron bloqueadas."
                if bloqueo
                else freed_notice(libre_desde, libre_hasta)
            ),
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
        hasta: Annotated[date | None, QueryParameter()] = None,
    ) -> Template:
        start = desde or local_today(clock.now())
        end = hasta if hasta is not None and hasta > start else start + timedelta(days=1)
        return await self._block_page(
            request,
            cabins,
            {
                "cabana": str(cabana or ""),
                "desde": start.isoformat(),
                "hasta": end.isoformat(),
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
            "motivo": form.text("motivo", KEPT),  # shown back whole when too long
        }
        cabin, check_in, check_out = form.integer("cabana"), form.day("desde"), form.day("hasta")
        errors = {}
        if long := form.too_long("motivo", MAX_BLOCK_REASON):
            errors["motivo"] = long
        if cabin is None:
            errors["cabana"] = "Elegí una cabaña."
        if check_in is None:
            errors["desde"] = "Poné la fecha de entrada (día/mes/año)."
        if check_out is None:
            errors["hasta"] = "Poné la fecha de salida (día/mes/año)."
        if not errors and cabin is not None and check_in is not None and check_out is not None:
            try:
                block = await use_case(
                    cabin, check_in, check_out, values["motivo"], console_user(request).email
                )
            except DomainError as err:
                field = {
                    "accommodation_id": "cabana",
                    "check_in": "desde",
                    "check_out": "hasta",
                }.get(err.field or "", err.field)
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
            nights=nights_said(values["desde"], values["hasta"]),
            errors=errors,
            owner=is_owner(request),
        )
