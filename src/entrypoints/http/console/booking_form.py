"""Reserva manual (/panel/reservas/nueva, owners): a booking taken by phone, Instagram or at
the door, from a free range of the calendar (``CreateManualBooking``: ``PlaceHold`` with
channel ``manual`` and no hold limits, confirmed at once when it was paid)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated, Any

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from application.back_office.manual_booking import CreateManualBooking, ManualBooking
from application.back_office.reservations import ManualPayment
from application.booking.catalogue import ListAccommodations
from application.ports.clock import Clock
from domain.booking.guest_name import guest_name
from domain.booking.policy import BookingPolicy
from domain.booking.reservation import Guest
from domain.calendar import local_today
from domain.errors import DomainError
from domain.money import Money
from entrypoints.http.console.auth import console_user
from entrypoints.http.console.forms import Form, read_form
from entrypoints.http.console.messages import spanish
from entrypoints.http.console.rendering import PREFIX, page
from entrypoints.http.console.reservations import METHODS
from entrypoints.http.phone_input import EXAMPLE, PhoneReading, read_phone
from entrypoints.http.schemas import EMAIL

ConsoleRequest = Request[Any, Any, Any]
DEFAULTS = dict.fromkeys(
    ("cabana", "desde", "hasta", "nombre", "telefono", "email", "notas", "monto", "nota_pago"), ""
) | {"personas": "2", "estado": "retenida", "metodo": "transfer"}
# A use case's error code → the field of this form it is about.
ERROR_FIELDS = {
    "accommodation_not_found": "cabana",
    "accommodation_inactive": "cabana",
    "guests_out_of_range": "personas",
    "invalid_guest_name": "nombre",
    "invalid_stay": "hasta",
    "nights_out_of_range": "hasta",
    "check_in_in_past": "desde",
    "beyond_booking_horizon": "desde",
    "arrival_day_not_allowed": "desde",
}


def phone_number(raw: str) -> PhoneReading:
    """The guest's phone as the owner types it, read as on /reservar (``phone_input``): an
    Argentine mobile as Argentines write it, a foreign one with ``+``; E.164, or the reason."""
    if not raw.strip():
        return PhoneReading(
            problem=f"Escribí el celular del huésped con el código de área, {EXAMPLE}."
        )
    return read_phone(raw)


def _read(form: Form) -> tuple[ManualBooking | None, dict[str, str]]:
    errors: dict[str, str] = {}
    cabin, check_in, check_out = form.integer("cabana"), form.day("desde"), form.day("hasta")
    guests = form.integer("personas")
    reading = phone_number(form.text("telefono", 100))
    phone = reading.number
    email = form.text("email", 320).lower() or None
    if cabin is None:
        errors["cabana"] = "Elegí una cabaña."
    if check_in is None:
        errors["desde"] = "Poné la fecha de entrada."
    if check_out is None:
        errors["hasta"] = "Poné la fecha de salida."
    if not guests:
        errors["personas"] = "¿Cuántas personas son?"
    try:
        name = guest_name(form.text("nombre", 200))
    except DomainError:
        errors["nombre"] = "Escribí el nombre del huésped."
    if reading.problem is not None:
        errors["telefono"] = reading.problem
    if email is not None and not re.fullmatch(EMAIL, email):
        errors["email"] = "Ese email no parece válido (o dejalo vacío)."
    paid = form.text("estado", 20) == "confirmada"
    methods = {m.value: m for m in ManualPayment}
    method = methods.get(form.text("metodo", 20))
    amount = form.amount("monto")
    if paid and method is None:
        errors["metodo"] = "Elegí cómo pagó."
    if paid and (amount is None or amount <= 0):
        errors["monto"] = "Escribí cuánto pagó, en pesos (por ejemplo 45.000)."
    for field_name, longest in (("nombre", 200), ("notas", 1000), ("nota_pago", 500)):
        if long := form.too_long(field_name, longest):
            errors[field_name] = long
    if errors or not (cabin and check_in and check_out and guests and phone):
        return None, errors
    return (
        ManualBooking(
            accommodation_id=cabin,
            check_in=check_in,
            check_out=check_out,
            guests=guests,
            guest=Guest(name, phone, email),
            notes=form.text("notas", 1000) or None,
            paid_with=method if paid else None,
            amount=Money.of(amount) if paid and amount else None,
            payment_note=form.text("nota_pago", 500) or None,
        ),
        {},
    )


class ManualBookingController(Controller):
    path = f"{PREFIX}/reservas/nueva"
    include_in_schema = False

    @get("/")
    @inject
    async def form(
        self,
        request: ConsoleRequest,
        cabins: FromDishka[ListAccommodations],
        clock: FromDishka[Clock],
        cabana: Annotated[int | None, QueryParameter(ge=1, le=2**62)] = None,
        desde: Annotated[date | None, QueryParameter()] = None,
        hasta: Annotated[date | None, QueryParameter()] = None,
    ) -> Template:
        start = desde or local_today(clock.now())
        end = hasta if hasta and hasta > start else start + timedelta(days=2)
        values = DEFAULTS | {
            "cabana": str(cabana or ""),
            "desde": start.isoformat(),
            "hasta": end.isoformat(),
        }
        return await self._page(request, cabins, values, {})

    @post("/")
    @inject
    async def create(
        self,
        request: ConsoleRequest,
        cabins: FromDishka[ListAccommodations],
        use_case: FromDishka[CreateManualBooking],
    ) -> Response[Any]:
        form = await read_form(request)
        booking, errors = _read(form)
        if booking is not None:
            try:
                made = await use_case(booking, console_user(request).email)
            except DomainError as err:
                errors[ERROR_FIELDS.get(err.code, "_form")] = spanish(err)
            else:
                done = f"{PREFIX}/reservas/{made.code.value}?hecho=creada"
                return Redirect(done, status_code=303)
        values = DEFAULTS | {k: v for k, v in form.values.items() if k != "_csrf_token"}
        return await self._page(request, cabins, values, errors, status=400)

    async def _page(
        self,
        request: ConsoleRequest,
        cabins: ListAccommodations,
        values: dict[str, str],
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        policy: BookingPolicy = await request.state.dishka_container.get(BookingPolicy)
        return page(
            request,
            "manual_booking.html",
            status=status,
            title="Reserva manual",
            hold_minutes=policy.hold_minutes,
            cabin_choices=[(c.id, c.name) for c in await cabins()],
            methods=METHODS,
            values=values,
            errors=errors,
        )
