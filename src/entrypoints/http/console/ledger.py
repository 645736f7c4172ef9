"""Reserva's money (owners): record a payment made outside Mercado Pago
(``RecordManualPayment``: it confirms the hold it covers; on a booking that gives no nights it
waits in Pagos as money to give back; more than the booking still owes is refused, the amount
kept, unless the owner ticks «Sí, pagó de más» — then it is recorded and waits in Pagos),
give money back through Mercado Pago or record one given back by hand (``IssueRefund``), keep
it for the guest as credit (``IssueCredit``), and give a hold more time (``ExtendHold``) — the
use cases behind POST /api/v1/admin/reservations/{code}/payments, …/refunds, …/credits and …/extend.

Each money form carries a key drawn when the page was drawn (``clave_pago``,
``clave_devolucion``, ``clave_credito``): a double click or a resent form posts the same key,
and the use case records it once."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, post
from litestar.params import FromPath
from litestar.response import Redirect

from application.errors import IntegrationError
from application.payments.credits import IssueCredit
from application.payments.ledger import (
    MAX_EXTENSION_HOURS,
    ExtendHold,
    PaymentOverOwed,
    RecordManualPayment,
)
from application.payments.refunds import IssueRefund, MercadoPagoRefundExceeds
from application.ports.clock import Clock
from domain.errors import DomainError
from domain.payments.errors import (
    FoundOutcome,
    PaymentNotFoundAtProvider,
    RefundExceedsPaid,
    UnrecordedRefundFound,
)
from domain.payments.ledger import PaymentMethod
from entrypoints.http.console.auth import console_user
from entrypoints.http.console.forms import Form, read_form
from entrypoints.http.console.messages import spanish
from entrypoints.http.console.rendering import PREFIX, money
from entrypoints.http.console.reservations import CREDIT_DAYS, METHODS, reservation_page

ConsoleRequest = Request[Any, Any, Any]
MAX_CENTS = 10**13
MAX_NOTE = 500  # a payment's, refund's or credit's note
AMOUNT_HINT = "Escribí el monto en pesos (por ejemplo 45.000)."
NO_PHONE = "El crédito queda atado al teléfono del huésped, y esta reserva no tiene uno."


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


def over_owed_refusal(err: PaymentOverOwed) -> str:
    """What the owner reads when the amount typed is more than the booking still owes."""
    confirm = "Si de verdad pagó de más, marcá «Sí, pagó de más» y registralo otra vez."
    if err.most.cents == 0:
        return f"Esta reserva ya no debe nada: revisá el monto. {confirm}"
    return (
        f"Es más de lo que falta pagar: como mucho {money(err.most.cents)} (el total menos "
        f"lo que ya pagó). Revisá el monto. {confirm}"
    )


def refund_refusal(err: DomainError, what: str = "devolver") -> str:
    """What the owner reads when a refund (or credit) is more than can go back — that way."""
    if isinstance(err, MercadoPagoRefundExceeds):
        if err.available is None or err.available.cents == 0:
            return (
                "Esta reserva no tiene pagos por Mercado Pago para devolver: lo que pagó fue por "
                "transferencia, efectivo u otro medio. Devolvéselo vos y anotalo sin marcar "
                "«Devolver por Mercado Pago»."
            )
        return (
            f"Por Mercado Pago se pueden devolver como mucho {money(err.available.cents)} de "
            "una vez (lo que queda de su pago más grande por Mercado Pago). Devolvé en partes, "
            "o devolvé el resto vos y anotalo sin marcar «Devolver por Mercado Pago»."
        )
    if isinstance(err, UnrecordedRefundFound):
        return _found_refusal(err)
    if isinstance(err, PaymentNotFoundAtProvider):
        return (
            f"Mercado Pago no encuentra el pago {err.payment_id} de esta reserva, así que no "
            "podemos revisar qué se devolvió de él y no devolvimos nada. Buscalo en tu cuenta de "
            "Mercado Pago; si le devolvés la plata por otro medio, anotalo sin marcar «Devolver "
            "por Mercado Pago»."
        )
    if isinstance(err, RefundExceedsPaid) and err.available is not None:
        return (
            f"No se puede {what} más de {money(err.available.cents)}: es lo que pagó y "
            "todavía no se le devolvió ni quedó como crédito."
        )
    return spanish(err)


# What became of refunds found on one payment, alone (after "Mercado Pago ya tenía una
# devolución de $ X que no estaba anotada: ") and as one of several (after "$ X en el pago N").
_FOUND_ALONE = {
    FoundOutcome.RECORDED: "la anotamos y no devolvimos nada más",
    FoundOutcome.MISMATCH: (
        "no la pudimos anotar sola (quedó marcada en Pagos para que la revises) y no "
        "devolvimos nada más"
    ),
    FoundOutcome.IN_MEDIATION: (
        "está en un pago que está en mediación, así que no la anotamos (se anota sola cuando "
        "se cierre la mediación), y no devolvimos nada más"
    ),
    FoundOutcome.CHARGED_BACK: (
        "está en un pago que tiene un contracargo, así que no la anotamos (revisalo en Pagos), "
        "y no devolvimos nada más"
    ),
    FoundOutcome.NOT_RECORDED: (
        "está en un pago cuyo estado no deja anotarla, así que no la anotamos (revisalo en "
        "Pagos), y no devolvimos nada más"
    ),
}
_FOUND_ONE_OF = {
    FoundOutcome.RECORDED: " (la anotamos)",
    FoundOutcome.MISMATCH: (
        " (no la pudimos anotar sola: quedó marcada en Pagos para que la revises)"
    ),
    FoundOutcome.IN_MEDIATION: ", que está en mediación (se anota cuando se cierre)",
    FoundOutcome.CHARGED_BACK: ", que tiene un contracargo (no la anotamos: revisalo en Pagos)",
    FoundOutcome.NOT_RECORDED: " (no la anotamos por el estado del pago: revisalo en Pagos)",
}
_FOUND_END = "Escribí el monto de nuevo solo si hay que devolver más."


def _found_refusal(err: UnrecordedRefundFound) -> str:
    """Each payment's refunds found and what became of them, one clause each."""
    outcomes = err.outcomes
    if len(outcomes) > 1:
        clauses = "; ".join(
            f"{money(o.amount.cents)} en el pago {o.payment_id}{_FOUND_ONE_OF[o.outcome]}"
            for o in outcomes
        )
        return (
            f"Mercado Pago ya tenía devoluciones que no estaban anotadas: {clauses}. No "
            "devolvimos nada más. Si alguna de esas era la devolución que querías hacer, ya "
            f"está hecha. {_FOUND_END}"
        )
    return (
        f"Mercado Pago ya tenía una devolución de {money(err.found.cents)} que no estaba "
        f"anotada: {_FOUND_ALONE[outcomes[0].outcome]}. Si esa era la devolución que querías "
        f"hacer, ya está hecha. {_FOUND_END}"
    )


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
        if long := form.too_long("nota_pago", MAX_NOTE):
            errors["nota_pago"] = long
        if not errors and method is not None and cents is not None and key is not None:
            try:
                view = await use_case(
                    code,
                    method,
                    cents,
                    form.text("nota_pago", MAX_NOTE) or None,
                    console_user(request).email,
                    key,
                    refuse_over_owed=not form.checked("pago_de_mas"),
                )
            except PaymentOverOwed as err:
                errors["monto"] = over_owed_refusal(err)
            except DomainError as err:
                errors[{"invalid_value": "monto"}.get(err.code, "_pago")] = spanish(err)
            else:
                if not view.recorded:
                    return _back(code, "pago-repetido")
                if view.confirmed is False:
                    return _back(code, "pago-sin-noches")
                if not view.reservation.is_active:
                    return _back(code, "pago-a-devolver")
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
        if long := form.too_long("devolver_nota", MAX_NOTE):
            errors["devolver_nota"] = long
        if not errors and cents is not None and key is not None:
            try:
                view = await use_case(
                    code,
                    cents,
                    form.checked("devolver_mp"),
                    form.text("devolver_nota", MAX_NOTE) or None,
                    console_user(request).email,
                    key,
                )
            except DomainError as err:
                field = "devolver_monto" if err.code == "refund_exceeds_paid" else "_devolver"
                errors[field] = refund_refusal(err)
                if isinstance(err, UnrecordedRefundFound):
                    # What was found may be the very refund the owner meant: the form comes
                    # back empty, so one more tap cannot give the same money back twice.
                    form = replace(form, values={**form.values, "devolver_monto": ""})
            except IntegrationError:
                # Not "nothing went back": the answer may have been lost after Mercado Pago
                # made the refund. The form keeps its key: sent again, it never refunds twice.
                errors["_devolver"] = (
                    "Mercado Pago no respondió a tiempo y no sabemos si la devolución se hizo. "
                    "No la hagas a mano: mandá este mismo formulario de nuevo en unos minutos "
                    "(no se devuelve dos veces) y te decimos qué pasó."
                )
            else:
                return _back(code, "devolucion" if view.recorded else "devolucion-repetida")
        return await reservation_page(request, code, clock, form, errors, 400)

    @post("/{code:str}/credito")
    @inject
    async def credit(
        self,
        request: ConsoleRequest,
        code: FromPath[str],
        use_case: FromDishka[IssueCredit],
        clock: FromDishka[Clock],
    ) -> Response[Any]:
        form = await read_form(request)
        cents, key = _cents(form, "credito_monto"), _key(form, "clave_credito")
        days_raw = form.text("credito_dias", 5)
        errors = {}
        if cents is None:
            errors["credito_monto"] = AMOUNT_HINT
        if days_raw not in dict(CREDIT_DAYS):
            errors["credito_dias"] = "Elegí hasta cuándo puede usarlo."
        if key is None:
            errors["_credito"] = "El formulario venció: recargá la página y cargalo otra vez."
        if long := form.too_long("credito_nota", MAX_NOTE):
            errors["credito_nota"] = long
        if not errors and cents is not None and key is not None:
            try:
                issued = await use_case(
                    code,
                    cents,
                    int(days_raw) if days_raw else None,
                    form.text("credito_nota", MAX_NOTE) or None,
                    console_user(request).email,
                    key,
                )
            except DomainError as err:
                if err.code == "refund_exceeds_paid":
                    errors["credito_monto"] = refund_refusal(err, "dejar como crédito")
                elif err.code == "invalid_value":
                    errors["_credito"] = NO_PHONE
                else:
                    errors["_credito"] = spanish(err)
            else:
                return _back(code, "credito" if issued.view.recorded else "credito-repetido")
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
