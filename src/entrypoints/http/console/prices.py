"""Precios of a cabin (/panel/cabanas/{id}/precios, owners): its seasons, dated overrides,
long-weekend rule and fees, listed and edited one form at a time. Every change reads the
cabin's rules (``GetPrices``), changes the one rule and saves them whole (``ReplacePrices``,
the use case behind PUT /api/v1/admin/accommodations/{id}/prices: it checks them together
with the cabin's base price and audits before and after). Stay discounts, dated price
changes and cancellation tiers are kept as they are (the bulk change adds price changes)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from application.back_office.prices import CabinPrices, GetPrices, ReplacePrices
from application.messaging.texts import amount_digits
from domain.errors import DomainError
from domain.money import Money
from domain.pricing.cabin_rules import CabinPriceRules
from domain.pricing.rules import Rate
from entrypoints.http.console.auth import console_user
from entrypoints.http.console.forms import Form, read_form
from entrypoints.http.console.messages import spanish
from entrypoints.http.console.price_forms import (
    read_fees,
    read_long_weekend,
    read_override,
    read_season,
)
from entrypoints.http.console.rendering import PREFIX, page

ConsoleRequest = Request[Any, Any, Any]
NOTICES = {
    "temporada": "Listo: la temporada quedó guardada.",
    "fecha": "Listo: la fecha especial quedó guardada.",
    "quitada": "Listo: se quitó.",
    "cargos": "Listo: los cargos quedaron guardados.",
    "fin-largo": "Listo: la regla de fines de semana largos quedó guardada.",
}


def pesos(amount: Money | None) -> str:
    return amount_digits(amount.cents) if amount is not None else ""


def _fee(amount: Money) -> str:
    return pesos(amount) if amount.cents else ""


def _rate_values(prefix: str, rate: Rate) -> dict[str, str]:
    percent = rate.percent_over_base
    return {
        f"{prefix}_precio": pesos(rate.nightly),
        f"{prefix}_porcentaje": format(percent.normalize(), "f") if percent is not None else "",
    }


def form_values(rules: CabinPriceRules, editing: str | None) -> dict[str, str]:
    """Every form's fields as saved; the season or date being edited (``temporada-2``) fills
    its form."""
    values = {
        "t_indice": "", "t_nombre": "", "t_desde": "", "t_hasta": "", "t_precio": "",
        "t_porcentaje": "", "t_finde": "", "t_minimo": "",
        "f_indice": "", "f_nombre": "", "f_desde": "", "f_hasta": "", "f_precio": "",
        "f_porcentaje": "", "f_minimo": "",
        "l_activo": "1" if rules.long_weekend else "", "l_precio": "", "l_porcentaje": "",
        "l_minimo": "",
        "c_limpieza": _fee(rules.fees.cleaning),
        "c_extra": _fee(rules.fees.extra_guest_nightly),
        "c_incluidas": str(rules.fees.guests_included or ""),
        "c_mascota": pesos(rules.fees.pet),
    }  # fmt: skip
    if rules.long_weekend:
        values |= _rate_values("l", rules.long_weekend.rate)
        values["l_minimo"] = str(rules.long_weekend.min_nights or "")
    kind, _, index = (editing or "").partition("-")
    i = int(index) if index.isdigit() else -1
    if kind == "temporada" and 0 <= i < len(rules.seasons):
        s = rules.seasons[i]
        values |= {"t_indice": str(i), "t_nombre": s.name, "t_desde": str(s.dates.first)}
        values |= {"t_hasta": str(s.dates.last), "t_finde": pesos(s.weekend_nightly)}
        values |= {"t_minimo": str(s.min_nights or "")} | _rate_values("t", s.rate)
    if kind == "fecha" and 0 <= i < len(rules.overrides):
        o = rules.overrides[i]
        values |= {"f_indice": str(i), "f_nombre": o.name, "f_desde": o.first_night.isoformat()}
        values |= {"f_hasta": o.last_night.isoformat(), "f_minimo": str(o.min_nights or "")}
        values |= _rate_values("f", o.rate)
    return values


def _index(form: Form, name: str, count: int) -> int | None:
    """The rule being edited, if it still exists (else the form adds a new one)."""
    i = form.integer(name)
    return i if i is not None and i < count else None


def _put[T](items: tuple[T, ...], index: int | None, item: T) -> tuple[T, ...]:
    if index is None:
        return (*items, item)
    return (*items[:index], item, *items[index + 1 :])


class PricesController(Controller):
    path = f"{PREFIX}/cabanas/{{cabin_id:int}}/precios"
    include_in_schema = False

    @get("/")
    @inject
    async def prices(
        self, request: ConsoleRequest, cabin_id: FromPath[int], use_case: FromDishka[GetPrices]
    ) -> Template:
        return _page(request, await use_case(cabin_id))

    @post("/temporada")
    @inject
    async def season(
        self,
        request: ConsoleRequest,
        cabin_id: FromPath[int],
        current: FromDishka[GetPrices],
        use_case: FromDishka[ReplacePrices],
    ) -> Response[Any]:
        form, prices = await read_form(request), await current(cabin_id)
        season, errors = read_season(form, prices.accommodation.base_price.currency)
        if season is None:
            return _page(request, prices, form, errors or {"_t": spanish_default()})
        rules = prices.rules
        at = _index(form, "t_indice", len(rules.seasons))
        changed = replace(rules, seasons=_put(rules.seasons, at, season))
        return await _save(request, prices, changed, use_case, form, "_t", "temporada")

    @post("/fecha")
    @inject
    async def override(
        self,
        request: ConsoleRequest,
        cabin_id: FromPath[int],
        current: FromDishka[GetPrices],
        use_case: FromDishka[ReplacePrices],
    ) -> Response[Any]:
        form, prices = await read_form(request), await current(cabin_id)
        override, errors = read_override(form, prices.accommodation.base_price.currency)
        if override is None:
            return _page(request, prices, form, errors or {"_f": spanish_default()})
        rules = prices.rules
        at = _index(form, "f_indice", len(rules.overrides))
        changed = replace(rules, overrides=_put(rules.overrides, at, override))
        return await _save(request, prices, changed, use_case, form, "_f", "fecha")

    @post("/quitar")
    @inject
    async def remove(
        self,
        request: ConsoleRequest,
        cabin_id: FromPath[int],
        current: FromDishka[GetPrices],
        use_case: FromDishka[ReplacePrices],
    ) -> Response[Any]:
        form, prices = await read_form(request), await current(cabin_id)
        rules = prices.rules
        kind = form.text("tipo", 20)
        if kind == "temporada" and (i := _index(form, "indice", len(rules.seasons))) is not None:
            changed = replace(rules, seasons=rules.seasons[:i] + rules.seasons[i + 1 :])
        elif kind == "fecha" and (i := _index(form, "indice", len(rules.overrides))) is not None:
            changed = replace(rules, overrides=rules.overrides[:i] + rules.overrides[i + 1 :])
        else:
            return Redirect(f"{PREFIX}/cabanas/{cabin_id}/precios", status_code=303)
        return await _save(request, prices, changed, use_case, None, "_lista", "quitada")

    @post("/fin-largo")
    @inject
    async def long_weekend(
        self,
        request: ConsoleRequest,
        cabin_id: FromPath[int],
        current: FromDishka[GetPrices],
        use_case: FromDishka[ReplacePrices],
    ) -> Response[Any]:
        form, prices = await read_form(request), await current(cabin_id)
        rule, errors = read_long_weekend(form, prices.accommodation.base_price.currency)
        if errors:
            return _page(request, prices, form, errors)
        changed = replace(prices.rules, long_weekend=rule)
        return await _save(request, prices, changed, use_case, form, "_l", "fin-largo")

    @post("/cargos")
    @inject
    async def fees(
        self,
        request: ConsoleRequest,
        cabin_id: FromPath[int],
        current: FromDishka[GetPrices],
        use_case: FromDishka[ReplacePrices],
    ) -> Response[Any]:
        form, prices = await read_form(request), await current(cabin_id)
        fees, errors = read_fees(form, prices.accommodation.base_price.currency)
        if fees is None:
            return _page(request, prices, form, errors or {"_c": spanish_default()})
        changed = replace(prices.rules, fees=fees)
        return await _save(request, prices, changed, use_case, form, "_c", "cargos")


def spanish_default() -> str:
    return "No se pudo guardar. Revisá los datos y probá de nuevo."


async def _save(
    request: ConsoleRequest,
    prices: CabinPrices,
    rules: CabinPriceRules,
    use_case: ReplacePrices,
    form: Form | None,
    where: str,
    notice: str,
) -> Response[Any]:
    cabin = prices.accommodation
    try:
        await use_case(cabin.id, rules, prices.cancellation, console_user(request).email)
    except DomainError as err:
        return _page(request, prices, form, {where: spanish(err)})
    return Redirect(f"{PREFIX}/cabanas/{cabin.id}/precios?hecho={notice}", status_code=303)


def _page(
    request: ConsoleRequest,
    prices: CabinPrices,
    form: Form | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    values = form_values(prices.rules, request.query_params.get("editar"))
    if form is not None:
        typed = {k: v for k, v in form.values.items() if k in values}
        if "l_precio" in typed or "l_porcentaje" in typed:
            typed.setdefault("l_activo", "")
        values |= typed
    cabin = prices.accommodation
    return page(
        request,
        "prices.html",
        status=400 if errors else 200,
        title=f"Precios de {cabin.name}",
        cabin=cabin,
        rules=prices.rules,
        values=values,
        errors=errors or {},
        notice=NOTICES.get(request.query_params.get("hecho") or ""),
        pesos=pesos,
    )
