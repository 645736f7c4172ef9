"""Reserva's money (owners): record a payment made outside Mercado Pago
(``RecordManualPayment``: it confirms the hold it covers), give money back through Mercado
Pago or record one given back by hand (``IssueRefund``), and give a hold more time
(``ExtendHold``) — the use cases behind POST /api/v1/admin/reservations/{code}/payments,
…/refunds and …/extend.

Each money form carries a key drawn when the page was drawn (``clave_pago``,
``clave_devolucion``): a double click or a resent form posts the same key, and the use case
records it once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, post
from litestar.params import FromPath
from litestar.response import Redirect

from application.errors import IntegrationError
from application.payments.ledger import MAX_EXTENSION_HOURS, ExtendHold, RecordManualPayment
from application.payments.refunds import IssueRefund
from application.ports.clock import Clock
from domain.errors import DomainError
from domain.payments.ledger import PaymentMethod
from entrypoints.http.console.auth import console_user
from entrypoints.http.console.forms import Form, read_form
from entrypoints.http.console.messages import spanish
from entrypoints.http.console.rendering import PREFIX
from entrypoints.http.console.reservations import METHODS, reservation_page

ConsoleRequest = Request[Any, Any, Any]
MAX_CENTS = 10**13
AMOUNT_HINT = "Escribí el monto en pesos (por ejemplo 45.000)."


def _cents(form: Form, name: str) -> int | None:
    amount = form.amount(name)
    if amount is None or amount <= 0 or amount * 100 >= MAX_CENTS:
        return None
    if amount != amount.quantize(Decimal("0.01")):
        return None
    return int(amount * 100)


def _key(form: Form, name: str) -> str | None:
    key = form.text(name, 64)
    return key if len(key) >= 16 else None


def _back(code: str, notice: str) -> Redirect:
    # The page opens at its notice: the form's own anchor (``#h-pay``…) would otherwise carry
    # over the redirect and open it at the form, the notice out of sight.
    return Redirect(f"{PREFIX}/reservas/{code}?hecho={notice}#aviso", status_code=303)


class LedgerController(Controller):
    path = f"{PREFIX}/reservas"
    include_in_schema = False

    @post("/{code:str}/pago")
    @inject
    async def payment(
        self,
        request: ConsoleRequest,
        code: FromPath[str],
        use_case: FromDishka[RecordManualPayment],
        clock: FromDishka[Clock],
    ) -> Response[Any]:
        form = await read_form(request)
        raw = form.text("metodo", 20)
        method = PaymentMethod(raw) if raw in dict(METHODS) else None
        cents, key = _cents(form, "monto"), _key(form, "clave_pago")
        errors = {}
        if method is None:
            errors["metodo"] = "Elegí cómo pagó."
        if cents is None:
            errors["monto"] = AMOUNT_HINT
        if key is None:
            errors["_pago"] = "El formulario venció: recargá la página y cargalo otra vez."
        if method is not None and cents is not None and key is not None:
            try:
                view = await use_case(
                    code,
                    method,
                    cents,
                    form.text("nota_pago", 500) or None,
                    console_user(request).email,
                    key,
                )
            except DomainError as err:
                errors[{"invalid_value": "monto"}.get(err.code, "_pago")] = spanish(err)
            else:
                if not view.recorded:
                    return _back(code, "pago-repetido")
                if view.confirmed is False:
                    return _back(code, "pago-sin-noches")
                return _back(code, "pago-confirmada" if view.confirmed else "pago")
        return await reservation_page(request, code, clock, form, errors, 400)

    @post("/{code:str}/devolver")
    @inject
    async def refund(
        self,
        request: ConsoleRequest,
        code: FromPath[str],
        use_case: FromDishka[IssueRefund],
        clock: FromDishka[Clock],
    ) -> Response[Any]:
        form = await read_form(request)
        cents, key = _cents(form, "devolver_monto"), _key(form, "clave_devolucion")
        errors = {}
        if cents is None:
            errors["devolver_monto"] = AMOUNT_HINT
        if key is None:
            errors["_devolver"] = "El formulario venció: recargá la página y cargalo otra vez."
        if cents is not None and key is not None:
            try:
                view = await use_case(
                    code,
                    cents,
                    form.checked("devolver_mp"),
                    form.text("devolver_nota", 500) or None,
                    console_user(request).email,
                    key,
                )
            except DomainError as err:
                field = "devolver_monto" if err.code == "refund_exceeds_paid" else "_devolver"
                errors[field] = spanish(err)
            except IntegrationError:
                errors["_devolver"] = (
                    "Mercado Pago no respondió: no se devolvió nada. Probá de nuevo en unos "
                    "minutos."
                )
            else:
                return _back(code, "devolucion" if view.recorded else "devolucion-repetida")
        return await reservation_page(request, code, clock, form, errors, 400)

    @post("/{code:str}/extender")
    @inject
    async def extend(
        self,
        request: ConsoleRequest,
        code: FromPath[str],
        use_case: FromDishka[ExtendHold],
        clock: FromDishka[Clock],
    ) -> Response[Any]:
        form = await read_form(request)
        hours = form.integer("horas")
        if hours is None or not 1 <= hours <= MAX_EXTENSION_HOURS:
            errors = {"horas": "Elegí cuánto tiempo más."}
        else:
            try:
                await use_case(code, hours, console_user(request).email)
            except DomainError as err:
                errors = {"_extender": spanish(err)}
            else:
                return _back(code, "extendida")
        return await reservation_page(request, code, clock, form, errors, 409)
