"""Reserva (/panel/reservas/{code}): one reservation, and cancelling it while it is a live
hold (``CancelHold``, the use case a guest's WhatsApp cancellation uses)."""

from __future__ import annotations

from typing import Any

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from application.back_office.accommodations import GetAnyAccommodation
from application.back_office.reservations import CancelHold, GetReservationForAdmin
from application.payments.admin import PaymentsOfReservation
from application.ports.clock import Clock
from domain.booking.reservation import effective_status
from domain.errors import DomainError
from entrypoints.http.console.auth import console_user, is_owner
from entrypoints.http.console.forms import read_form
from entrypoints.http.console.messages import spanish
from entrypoints.http.console.rendering import PREFIX, page
from entrypoints.http.console.today import CHANNELS

ConsoleRequest = Request[Any, Any, Any]
STAFF = {"staff": True}
STATUS = {
    "pre_reserved": "Retención esperando pago",
    "confirmed": "Confirmada",
    "expired": "Retención vencida",
    "cancelled": "Cancelada",
}


class ReservationController(Controller):
    path = f"{PREFIX}/reservas"
    include_in_schema = False

    @get("/{code:str}", opt=STAFF)
    @inject
    async def detail(
        self,
        request: ConsoleRequest,
        code: FromPath[str],
        reservation: FromDishka[GetReservationForAdmin],
        cabin: FromDishka[GetAnyAccommodation],
        payments: FromDishka[PaymentsOfReservation],
        clock: FromDishka[Clock],
    ) -> Template:
        return await self._page(request, code, reservation, cabin, payments, clock, {}, 200)

    @post("/{code:str}/cancelar", opt=STAFF)
    @inject
    async def cancel(
        self,
        request: ConsoleRequest,
        code: FromPath[str],
        use_case: FromDishka[CancelHold],
        reservation: FromDishka[GetReservationForAdmin],
        cabin: FromDishka[GetAnyAccommodation],
        payments: FromDishka[PaymentsOfReservation],
        clock: FromDishka[Clock],
    ) -> Response[Any]:
        form = await read_form(request)
        reason = form.text("motivo", 500) or None
        try:
            await use_case(code, console_user(request).email, reason)
        except DomainError as err:
            errors = {"_form": spanish(err)}
            return await self._page(request, code, reservation, cabin, payments, clock, errors, 409)
        return Redirect(f"{PREFIX}/reservas/{code}?cancelada=1", status_code=303)

    async def _page(
        self,
        request: ConsoleRequest,
        code: str,
        reservation: GetReservationForAdmin,
        cabin: GetAnyAccommodation,
        payments: PaymentsOfReservation,
        clock: Clock,
        errors: dict[str, str],
        status: int,
    ) -> Template:
        found = await reservation(code)
        now = clock.now()
        state = effective_status(found, now)
        owner = is_owner(request)
        return page(
            request,
            "reservation.html",
            status=status,
            title=f"Reserva {found.code.display}",
            r=found,
            cabin=await cabin(found.accommodation_id),
            state=STATUS[state.value],
            channel=CHANNELS.get(found.channel.value, found.channel.value),
            live_hold=found.status.value == "pre_reserved" and state.value == "pre_reserved",
            owner=owner,
            payments=await payments(found.code.value) if owner else [],
            errors=errors,
            notice="La retención se canceló: sus noches quedaron libres."
            if request.query_params.get("cancelada")
            else None,
        )
