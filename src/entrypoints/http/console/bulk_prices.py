"""Cambio de precios (/panel/precios, owners): a percentage on many cabins' nights from a
date ("+8 % desde el 1 de marzo"), previewed month by month (``PreviewBulkChange``) and then
applied (``ApplyBulkChange``) — the use cases behind POST /api/v1/admin/prices/bulk-preview
and …/bulk-apply. The preview page carries the change in hidden fields and a key drawn with
it: applying twice (a double click, the back button) applies once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from application.back_office.accommodations import ListAllAccommodations
from application.back_office.prices import (
    ApplyBulkChange,
    BulkChange,
    BulkPreview,
    PreviewBulkChange,
)
from application.errors import IdempotentReplay
from application.ports.clock import Clock
from domain.calendar import local_today
from domain.errors import DomainError
from entrypoints.http.console.auth import console_user
from entrypoints.http.console.forms import Form, read_form
from entrypoints.http.console.messages import spanish
from entrypoints.http.console.rendering import PREFIX, page

ConsoleRequest = Request[Any, Any, Any]
MONTHS = ((3, "3 meses"), (6, "6 meses"), (12, "12 meses"))
FIELDS = {"percent": "porcentaje", "effective_from": "desde", "months": "meses"}
# What a refusal about a field says beside it (the use case's words are generic).
SAID = {
    "effective_from": (
        "Tiene que ser hoy o una fecha que viene: el precio de las noches que ya pasaron no cambia."
    ),
}


def refusal(err: DomainError) -> tuple[str, str]:
    """The form's field a use case's refusal is about, and what to say there."""
    field = err.field or ""
    said = SAID.get(field) if err.code == "invalid_value" else None
    return FIELDS.get(field, "_form"), said or spanish(err)


def read_change(form: Form) -> tuple[BulkChange | None, dict[str, str]]:
    errors = {}
    raw = form.text("porcentaje", 10).replace("%", "").replace(",", ".").strip()
    try:
        percent = Decimal(raw)
    except InvalidOperation:
        percent = Decimal("NaN")
    if not percent.is_finite() or percent != percent.quantize(Decimal("0.01")) or not percent:
        errors["porcentaje"] = "Un porcentaje como 8 (sube) o -10 (baja), distinto de 0."
    start = form.day("desde")
    if start is None:
        errors["desde"] = "Poné desde qué noche rige."
    months = form.integer("meses") or 6
    chosen = tuple(int(v) for v in form.text("cabanas", 2000).split(",") if v.isdigit())
    if errors or start is None:
        return None, errors
    return BulkChange(percent, start, chosen or None, months), {}


def fingerprint(change: BulkChange) -> str:
    text = f"{change.percent}|{change.effective_from}|{change.accommodation_ids}|{change.months}"
    return hashlib.sha256(text.encode()).hexdigest()


async def _chosen(request: ConsoleRequest) -> Form:
    """The form, with the ticked cabins joined in one field (a checkbox per cabin)."""
    data = await request.form()
    values = {k: v for k, v in data.items() if isinstance(v, str)}
    ticked = data.getall("cabana") if "cabana" in data else []  # none ticked: every cabin
    values["cabanas"] = ",".join(v for v in ticked if isinstance(v, str))
    return Form(values)


class BulkPricesController(Controller):
    path = f"{PREFIX}/precios"
    include_in_schema = False

    @get("/")
    @inject
    async def start(
        self,
        request: ConsoleRequest,
        cabins: FromDishka[ListAllAccommodations],
        clock: FromDishka[Clock],
    ) -> Template:
        tomorrow = local_today(clock.now()) + timedelta(days=1)
        values = {"porcentaje": "", "desde": tomorrow.isoformat(), "meses": "6", "cabanas": ""}
        applied = request.query_params.get("aplicado")
        notice = "Listo: el cambio de precios quedó aplicado." if applied else None
        return await _page(request, cabins, values, {}, notice=notice)

    @post("/vista-previa")
    @inject
    async def preview(
        self,
        request: ConsoleRequest,
        cabins: FromDishka[ListAllAccommodations],
        use_case: FromDishka[PreviewBulkChange],
    ) -> Template:
        form = await _chosen(request)
        change, errors = read_change(form)
        preview = None
        if change is not None:
            try:
                preview = await use_case(change)
            except DomainError as err:
                field, said = refusal(err)
                errors[field] = said
        return await _page(request, cabins, _typed(form), errors, preview=preview)

    @post("/aplicar")
    @inject
    async def apply(
        self,
        request: ConsoleRequest,
        cabins: FromDishka[ListAllAccommodations],
        use_case: FromDishka[ApplyBulkChange],
    ) -> Response[Any]:
        form = await read_form(request)
        change, errors = read_change(form)
        key = form.text("clave", 64)
        if change is not None and len(key) >= 16:
            try:
                await use_case(
                    change, console_user(request).email, key, fingerprint(change), lambda _: "{}"
                )
            except IdempotentReplay:
                pass  # applied already, by the first of two clicks
            except DomainError as err:
                field, said = refusal(err)
                errors[field] = said
            else:
                return Redirect(f"{PREFIX}/precios?aplicado=1", status_code=303)
            if not errors:
                return Redirect(f"{PREFIX}/precios?aplicado=1", status_code=303)
        errors = errors or {"_form": "El formulario venció: volvé a ver la vista previa."}
        return await _page(request, cabins, _typed(form), errors)


def _typed(form: Form) -> dict[str, str]:
    keep = ("porcentaje", "desde", "meses", "cabanas")
    return {k: form.values.get(k, "") for k in keep}


async def _page(
    request: ConsoleRequest,
    cabins: ListAllAccommodations,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    preview: BulkPreview | None = None,
    notice: str | None = None,
) -> Template:
    chosen = {v for v in values.get("cabanas", "").split(",") if v}
    return page(
        request,
        "bulk_prices.html",
        status=400 if errors else 200,
        title="Precios",
        cabins=[c for c in await cabins() if c.active],
        chosen=chosen,
        values=values,
        errors=errors,
        preview=preview,
        key=secrets.token_urlsafe(18),
        months=MONTHS,
        notice=notice,
    )
