"""Cabañas (/panel/cabanas, owners): the cabins and their terms — name, description,
capacity, minimum nights, nightly price, weekend multiplier, taking bookings or not — changed
with ``UpdateAccommodation`` (the use case behind PATCH /api/v1/admin/accommodations/{id});
the texts for its guests are on the same page (``cabin_texts.py``), its prices on their own
(``prices.py``)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from application.back_office.accommodations import (
    AccommodationChanges,
    GetAnyAccommodation,
    ListAllAccommodations,
    UpdateAccommodation,
)
from application.back_office.cabin_texts import GetCabinTexts, UpdateCabinTexts
from domain.booking.accommodation import Accommodation
from domain.errors import DomainError
from entrypoints.http.console.auth import console_user
from entrypoints.http.console.cabin_texts import (
    BY_DOMAIN,
    FIELDS,
    every_problem,
    read_texts,
    text_values,
)
from entrypoints.http.console.forms import Form, read_form
from entrypoints.http.console.messages import spanish
from entrypoints.http.console.rendering import PREFIX, page

ConsoleRequest = Request[Any, Any, Any]
# The JSON API's bounds (AccommodationPatch), said in Spanish.
MAX_CAPACITY, MAX_MIN_NIGHTS = 100, 30


def values_of(cabin: Accommodation) -> dict[str, str]:
    multiplier = format(cabin.weekend_multiplier.normalize(), "f").replace(".", ",")
    whole, cents = divmod(cabin.base_price.cents, 100)
    return {
        "nombre": cabin.name,
        "descripcion": cabin.description,
        "capacidad": str(cabin.capacity),
        "minimo": str(cabin.min_nights),
        "precio": f"{whole:,}".replace(",", ".") + (f",{cents:02d}" if cents else ""),
        "finde": multiplier,
        "activa": "1" if cabin.active else "",
    }


def _multiplier(raw: str) -> Decimal | None:
    try:
        value = Decimal(raw.strip().replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() and value > 0 else None


# The cabin's own rule (``Accommodation.check_prices_a_night``), said beside its field.
PRICE_REFUSALS = {
    "base_price": (
        "precio",
        "El precio por noche tiene que ser más que $ 0: una noche nunca es gratis.",
    ),
    "weekend_multiplier": (
        "finde",
        "Con ese precio, las noches de viernes y sábado quedarían gratis.",
    ),
}


def read_changes(form: Form) -> tuple[AccommodationChanges | None, dict[str, str]]:
    errors: dict[str, str] = {}
    name = form.text("nombre", 120)
    capacity, min_nights = form.integer("capacidad"), form.integer("minimo")
    price, multiplier = form.amount("precio"), _multiplier(form.text("finde", 10))
    if not name:
        errors["nombre"] = "Poné un nombre."
    elif long := form.too_long("nombre", 120):
        errors["nombre"] = long
    if long := form.too_long("descripcion", 2000):
        errors["descripcion"] = long
    if capacity is None or not 1 <= capacity <= MAX_CAPACITY:
        errors["capacidad"] = f"Entre 1 y {MAX_CAPACITY} personas."
    if min_nights is None or not 1 <= min_nights <= MAX_MIN_NIGHTS:
        errors["minimo"] = f"Entre 1 y {MAX_MIN_NIGHTS} noches."
    if price is None:
        errors["precio"] = "Escribí el precio por noche en pesos (por ejemplo 85.000)."
    if multiplier is None or multiplier > 10:
        errors["finde"] = "Un número como 1 (igual), 1,2 (20 % más) o 1,5; hasta 10."
    if errors:
        return None, errors
    return (
        AccommodationChanges(
            name=name,
            description=form.text("descripcion", 2000),
            capacity=capacity,
            base_price=price,
            weekend_multiplier=multiplier,
            min_nights=min_nights,
            active=form.checked("activa"),
        ),
        {},
    )


class CabinsController(Controller):
    path = f"{PREFIX}/cabanas"
    include_in_schema = False

    @get("/")
    @inject
    async def cabins(
        self, request: ConsoleRequest, use_case: FromDishka[ListAllAccommodations]
    ) -> Template:
        saved = request.query_params.get("guardada")
        return page(
            request,
            "cabins.html",
            title="Cabañas",
            cabins=await use_case(),
            notice="Listo: los cambios quedaron guardados." if saved else None,
        )

    @get("/{cabin_id:int}")
    @inject
    async def edit(
        self,
        request: ConsoleRequest,
        cabin_id: FromPath[int],
        use_case: FromDishka[GetAnyAccommodation],
    ) -> Template:
        return await cabin_page(request, await use_case(cabin_id))

    @post("/{cabin_id:int}")
    @inject
    async def save(
        self,
        request: ConsoleRequest,
        cabin_id: FromPath[int],
        cabin: FromDishka[GetAnyAccommodation],
        use_case: FromDishka[UpdateAccommodation],
    ) -> Response[Any]:
        current = await cabin(cabin_id)
        form = await read_form(request)
        changes, errors = read_changes(form)
        if changes is not None:
            try:
                await use_case(cabin_id, changes, console_user(request).email)
            except DomainError as err:
                field = "nombre" if err.code == "duplicate_name" else "_form"
                field, said = PRICE_REFUSALS.get(err.field or "", (field, spanish(err)))
                errors[field] = said
            else:
                return Redirect(f"{PREFIX}/cabanas?guardada={cabin_id}", status_code=303)
        values = {k: v for k, v in form.values.items() if k != "_csrf_token"}
        values.setdefault("activa", "")
        return await cabin_page(request, current, values, errors=errors, status=400)


class CabinTextsController(Controller):
    path = f"{PREFIX}/cabanas"
    include_in_schema = False

    @post("/{cabin_id:int}/textos")
    @inject
    async def save_texts(
        self,
        request: ConsoleRequest,
        cabin_id: FromPath[int],
        cabin: FromDishka[GetAnyAccommodation],
        use_case: FromDishka[UpdateCabinTexts],
    ) -> Response[Any]:
        current = await cabin(cabin_id)
        form = await read_form(request)
        try:
            await use_case(cabin_id, read_texts(form), console_user(request).email)
        except DomainError as err:
            field = BY_DOMAIN.get(err.field or "")
            message = FIELDS[field][1] if field else spanish(err)
            typed = {k: v for k, v in form.values.items() if k in FIELDS}
            errors = every_problem(form) or {field or "_textos": message}
            return await cabin_page(request, current, texts=typed, errors=errors, status=400)
        return Redirect(f"{PREFIX}/cabanas/{cabin_id}?textos=guardados", status_code=303)


async def cabin_page(
    request: ConsoleRequest,
    cabin: Accommodation,
    values: dict[str, str] | None = None,
    texts: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    """A cabin's edit page: its terms' form (``values``) and its texts' form (``texts``), each
    with what was typed when it was refused, else what is saved."""
    container = request.state.dishka_container
    saved = text_values(await (await container.get(GetCabinTexts))(cabin.id))
    notice = "Listo: los textos quedaron guardados." if request.query_params.get("textos") else None
    return page(
        request,
        "cabin.html",
        status=status,
        title=f"Editar {cabin.name}",
        cabin=cabin,
        values={**values_of(cabin), **(values or {})},
        texts={**saved, **(texts or {})},
        errors=errors or {},
        notice=notice,
    )
