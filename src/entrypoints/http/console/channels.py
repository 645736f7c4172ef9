"""Canales (/panel/canales, owners): the calendars imported from Airbnb, Booking.com and others
(``ListFeeds``, ``ImportFeed``, ``DeleteFeed``, ``SyncFeed`` — the same use cases as
/api/v1/admin/ical), the releases a feed holds (confirmed with ``SyncFeed(confirm_by=…)``;
kept by doing nothing), and our own export addresses to paste into each channel."""

from __future__ import annotations

from typing import Any

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Template

from application.back_office.accommodations import ListAllAccommodations
from application.calendar_sync.feeds import DeleteFeed, ImportFeed, ListFeeds
from application.calendar_sync.sync_feeds import FeedResult, SyncFeed
from application.ports.export_tokens import ExportTokens
from domain.calendar_sync.external_calendar import ExternalSource
from domain.errors import DomainError
from entrypoints.http.console.auth import console_user
from entrypoints.http.console.forms import KEPT, read_form
from entrypoints.http.console.messages import SPANISH, spanish
from entrypoints.http.console.rendering import PREFIX, page
from entrypoints.http.public.ical import export_urls, shown_url

ConsoleRequest = Request[Any, Any, Any]
SOURCES = (
    (ExternalSource.AIRBNB.value, "Airbnb"),
    (ExternalSource.BOOKING.value, "Booking.com"),
    (ExternalSource.GOOGLE.value, "Google Calendar"),
    (ExternalSource.OTHER.value, "Otro"),
)
SOURCE_NAMES = dict(SOURCES)
ADD_FIELDS = {"accommodation_not_found": "cabana", "duplicate_feed": "url"}


def sync_words(result: FeedResult) -> str:
    if result.outcome == "failed":
        return f"No se pudo leer el calendario ({result.error or 'sin respuesta'})."
    if result.outcome == "not_modified":
        return "Sincronizado: el canal no cambió nada."
    words = f"Sincronizado: {result.placed} reserva(s) nueva(s), {result.released} liberada(s)"
    if result.conflicts:
        words += f", {result.conflicts} choque(s)"
    if result.held_release:
        nights = result.held_release
        held = "noche retenida" if nights == 1 else "noches retenidas"
        words += f"; {nights} {held} hasta que lo confirmes"
    return words + "."


class ChannelsController(Controller):
    path = f"{PREFIX}/canales"
    include_in_schema = False

    @get("/")
    @inject
    async def channels(
        self,
        request: ConsoleRequest,
        feeds: FromDishka[ListFeeds],
        cabins: FromDishka[ListAllAccommodations],
        tokens: FromDishka[ExportTokens],
    ) -> Template:
        return await self._page(request, feeds, cabins, tokens)

    @post("/")
    @inject
    async def add(
        self,
        request: ConsoleRequest,
        use_case: FromDishka[ImportFeed],
        feeds: FromDishka[ListFeeds],
        cabins: FromDishka[ListAllAccommodations],
        tokens: FromDishka[ExportTokens],
    ) -> Template:
        form = await read_form(request)
        values = {
            "cabana": form.text("cabana", 20),
            "canal": form.text("canal", 20),
            "url": form.text("url", KEPT),  # shown back whole when too long
        }
        cabin = form.integer("cabana")
        source = next((s for s in ExternalSource if s.value == values["canal"]), None)
        errors = {}
        if cabin is None:
            errors["cabana"] = "Elegí una cabaña."
        if source is None:
            errors["canal"] = "Elegí de qué canal es."
        if not values["url"]:
            errors["url"] = "Pegá la dirección del calendario (termina en .ics)."
        elif long := form.too_long("url", 2000):
            errors["url"] = long
        if not errors and cabin is not None and source is not None and values["url"]:
            try:
                _, result = await use_case(
                    cabin, source, values["url"], console_user(request).email
                )
            except DomainError as err:
                errors[ADD_FIELDS.get(err.code, "url")] = spanish(err)
            else:
                notice = "Calendario agregado. " + sync_words(result)
                return await self._page(request, feeds, cabins, tokens, notice=notice)
        return await self._page(
            request, feeds, cabins, tokens, values=values, errors=errors, status=400
        )

    @post("/{feed_id:int}/sincronizar")
    @inject
    async def sync(
        self,
        request: ConsoleRequest,
        feed_id: FromPath[int],
        use_case: FromDishka[SyncFeed],
        feeds: FromDishka[ListFeeds],
        cabins: FromDishka[ListAllAccommodations],
        tokens: FromDishka[ExportTokens],
    ) -> Template:
        try:
            notice = sync_words(await use_case(feed_id))
        except DomainError as err:
            notice = spanish(err)
        return await self._page(request, feeds, cabins, tokens, notice=notice)

    @post("/{feed_id:int}/liberar")
    @inject
    async def release(
        self,
        request: ConsoleRequest,
        feed_id: FromPath[int],
        use_case: FromDishka[SyncFeed],
        feeds: FromDishka[ListFeeds],
        cabins: FromDishka[ListAllAccommodations],
        tokens: FromDishka[ExportTokens],
    ) -> Template:
        try:
            result = await use_case(feed_id, confirm_by=console_user(request).email)
        except DomainError as err:
            notice = spanish(err)
        else:
            if result.outcome == "failed":
                notice = sync_words(result) + " No se liberó nada."
            elif result.held_release:
                notice = SPANISH["no_held_release"]
            else:
                notice = f"Listo: se liberaron las noches. {sync_words(result)}"
        return await self._page(request, feeds, cabins, tokens, notice=notice)

    @post("/{feed_id:int}/quitar")
    @inject
    async def remove(
        self,
        request: ConsoleRequest,
        feed_id: FromPath[int],
        use_case: FromDishka[DeleteFeed],
        feeds: FromDishka[ListFeeds],
        cabins: FromDishka[ListAllAccommodations],
        tokens: FromDishka[ExportTokens],
    ) -> Template:
        try:
            await use_case(feed_id, console_user(request).email)
            notice = "Calendario quitado: sus noches quedaron libres."
        except DomainError as err:
            notice = spanish(err)
        return await self._page(request, feeds, cabins, tokens, notice=notice)

    async def _page(
        self,
        request: ConsoleRequest,
        feeds: ListFeeds,
        cabins: ListAllAccommodations,
        tokens: ExportTokens,
        *,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        notice: str | None = None,
        status: int = 200,
    ) -> Template:
        all_cabins = await cabins()
        return page(
            request,
            "channels.html",
            status=status,
            title="Canales",
            feeds=await feeds(),
            names={c.id: c.name for c in all_cabins},
            cabin_choices=[(c.id, c.name) for c in all_cabins],
            exports=[
                (c, export_urls(tokens, request.app.state.settings.public_base, c.id))
                for c in all_cabins
                if c.active
            ],
            sources=SOURCES,
            source_names=SOURCE_NAMES,
            shown_url=shown_url,
            values=values or {"cabana": "", "canal": "airbnb", "url": ""},
            errors=errors or {},
            notice=notice,
        )
