"""Hoy (/panel/): arrivals and departures of today and tomorrow, live holds, and the queue of
things that need a person. The holds refresh themselves (htmx, every 30 s) from this same
page: ``hx-select`` takes their section out of the full answer."""

from __future__ import annotations

from typing import Any

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, get
from litestar.response import Template

from application.back_office.today import GetToday
from application.payments.refund_flags import still_to_give_back
from application.ports.back_office import CalendarItem
from entrypoints.http.console.auth import is_owner
from entrypoints.http.console.rendering import PREFIX, page

ConsoleRequest = Request[Any, Any, Any]
STAFF = {"staff": True}
CHANNELS = {
    "api": "Web",
    "whatsapp": "WhatsApp",
    "admin": "Manual",
    "manual": "Manual",
    "airbnb": "Airbnb",
    "booking": "Booking",
    "google": "Google",
    "other": "Otro canal",
}

# Why a payment recorded by hand needs the owner's eye (``domain.payments.ledger.Flag``).
FLAGS = {
    "unmatched": "no coincide con lo que se debe",
    "overpaid": "pagó de más",
    "other_currency": "otra moneda",
}


def channel_label(item: CalendarItem) -> str:
    return CHANNELS.get(item.channel, item.channel)


def deposit_state(item: CalendarItem) -> str:
    if item.kind == "external":
        return "Cobra el canal"
    if item.status == "confirmed":
        return "Seña pagada"
    return "Seña pendiente"


class TodayController(Controller):
    path = PREFIX
    include_in_schema = False

    @get("/", opt=STAFF)
    @inject
    async def today(self, request: ConsoleRequest, use_case: FromDishka[GetToday]) -> Template:
        owner = is_owner(request)
        view = await use_case(money_and_feeds=owner)
        return page(
            request,
            "today.html",
            title="Hoy",
            view=view,
            owner=owner,
            channel_label=channel_label,
            deposit_state=deposit_state,
            still_to_give_back=still_to_give_back,
            flag_words=FLAGS,
        )
