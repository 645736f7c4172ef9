"""Pagos and Conversaciones (owners): the payments a person must look at
(``ListPaymentsNeedingAttention``; a refund is made from the reservation's page), the payments
recorded by hand whose amount matched nothing owed (``ListLedgerFlags``; settled with a reason,
``ResolveLedgerFlag``) and the
WhatsApp conversations the assistant handed over (``ListHandovers``; ``TakeHandover`` takes
one, from here or from Hoy's queue; ``ResumeAssistant`` gives one back) — the use cases
behind /api/v1/admin/payments and /api/v1/admin/conversations."""

from __future__ import annotations

from typing import Any

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from application.conversation.handovers import ListHandovers, ResumeAssistant, TakeHandover
from application.payments.admin import ListPaymentsNeedingAttention
from application.payments.apply_payment import ATTENTION_TEXT
from application.payments.attention import (
    MAX_REASON,
    ListLedgerFlags,
    PaymentResolution,
    QueueItemNotOpen,
    ResolveLedgerFlag,
    ResolvePaymentAttention,
)
from application.payments.refund_flags import still_to_give_back
from domain.errors import DomainError
from entrypoints.http.console.auth import console_user
from entrypoints.http.console.forms import KEPT, Form, read_form
from entrypoints.http.console.messages import spanish
from entrypoints.http.console.rendering import PREFIX, page
from entrypoints.http.console.reservations import PAID_BY
from entrypoints.http.console.timeline import CHECKOUT_LINKS, PAYMENT_STATES
from entrypoints.http.console.today import FLAGS

ConsoleRequest = Request[Any, Any, Any]
UNVERIFIED = "No se pudo consultar a Mercado Pago: revisalo en su panel"
RESOLUTIONS = {
    PaymentResolution.PAYMENT_RECORDED: "Ya anoté el pago en la reserva",
    PaymentResolution.REFUNDED: "Ya lo devolví",
    PaymentResolution.DISMISSED: "No hay nada que hacer (decí por qué)",
}
RESOLVED = {
    PaymentResolution.PAYMENT_RECORDED: "Listo: el pago quedó resuelto como anotado.",
    PaymentResolution.REFUNDED: "Listo: el pago quedó resuelto como devuelto.",
    PaymentResolution.DISMISSED: "Listo: el pago salió de la lista.",
}
FLAG_SETTLED = "cuenta"  # ?hecho= after a payment recorded by hand is settled


def _typed(form: Form) -> str:
    """The reason as typed, whole (shown back to be shortened when too long)."""
    return form.text("motivo", KEPT)


class PaymentsController(Controller):
    path = f"{PREFIX}/pagos"
    include_in_schema = False

    @get("/")
    @inject
    async def payments(
        self,
        request: ConsoleRequest,
        use_case: FromDishka[ListPaymentsNeedingAttention],
        flags: FromDishka[ListLedgerFlags],
    ) -> Template:
        done = request.query_params.get("hecho", "")
        notice = next((text for r, text in RESOLVED.items() if r.value == done), None)
        if done == FLAG_SETTLED:
            notice = RESOLVED[PaymentResolution.DISMISSED]
        return await self._page(request, use_case, flags, notice=notice)

    @post("/{payment_id:str}/resolver")
    @inject
    async def resolve(
        self,
        request: ConsoleRequest,
        payment_id: FromPath[str],
        use_case: FromDishka[ResolvePaymentAttention],
        listing: FromDishka[ListPaymentsNeedingAttention],
        flags: FromDishka[ListLedgerFlags],
    ) -> Response[Any]:
        form = await read_form(request)
        how = {r.value: r for r in PaymentResolution}.get(form.text("resolucion", 20))
        reason = form.text("motivo", MAX_REASON) or None
        errors: dict[str, str] = {}
        if how is None:
            errors["resolucion"] = "Elegí qué pasó con el pago."
        elif long := form.too_long("motivo", MAX_REASON):
            errors["motivo"] = long
        elif how is PaymentResolution.DISMISSED and reason is None:
            errors["motivo"] = "Decí por qué lo sacás de la lista."
        else:
            try:
                await use_case(payment_id[:64], how, reason, console_user(request).email)
            except QueueItemNotOpen as err:
                return await self._gone(request, listing, flags, err)
            except DomainError as err:
                errors["_form"] = spanish(err)
        if errors or how is None:
            kept = {"resolucion": form.text("resolucion", 20), "motivo": _typed(form)}
            return await self._page(
                request, listing, flags, status=400, failed=payment_id, errors=errors, kept=kept
            )
        return Redirect(f"{PREFIX}/pagos?hecho={how.value}", status_code=303)

    @post("/cuenta/{item_id:int}/resolver")
    @inject
    async def settle_flag(
        self,
        request: ConsoleRequest,
        item_id: FromPath[int],
        use_case: FromDishka[ResolveLedgerFlag],
        listing: FromDishka[ListPaymentsNeedingAttention],
        flags: FromDishka[ListLedgerFlags],
    ) -> Response[Any]:
        form = await read_form(request)
        reason = form.text("motivo", MAX_REASON) or None
        errors: dict[str, str] = {}
        if long := form.too_long("motivo", MAX_REASON):
            errors["motivo"] = long
        elif reason is None:
            errors["motivo"] = "Decí qué pasó con ese pago (por ejemplo: le devolví lo de más)."
        else:
            try:
                await use_case(item_id, reason, console_user(request).email)
            except QueueItemNotOpen as err:
                return await self._gone(request, listing, flags, err)
            except DomainError as err:
                errors["_form"] = spanish(err)
        if errors:
            kept = {"motivo": _typed(form)}
            return await self._page(
                request,
                listing,
                flags,
                status=400,
                failed=f"cuenta-{item_id}",
                errors=errors,
                kept=kept,
            )
        return Redirect(f"{PREFIX}/pagos?hecho={FLAG_SETTLED}", status_code=303)

    async def _gone(
        self,
        request: ConsoleRequest,
        listing: ListPaymentsNeedingAttention,
        flags: ListLedgerFlags,
        err: QueueItemNotOpen,
    ) -> Template:
        """Settled meanwhile (another tab, another person, or by itself): the item is no longer
        listed, so the page says so at its top instead of beside the item."""
        return await self._page(request, listing, flags, status=409, notice=spanish(err))

    async def _page(
        self,
        request: ConsoleRequest,
        listing: ListPaymentsNeedingAttention,
        flags: ListLedgerFlags,
        *,
        status: int = 200,
        notice: str | None = None,
        failed: str | None = None,
        errors: dict[str, str] | None = None,
        kept: dict[str, str] | None = None,
    ) -> Template:
        return page(
            request,
            "payments.html",
            status=status,
            title="Pagos",
            records=await listing(100),
            flagged=await flags(100),
            flag_words=FLAGS,
            paid_by={m.value: words for m, words in PAID_BY},
            reasons={a.value: text for a, text in ATTENTION_TEXT.items()},
            states=PAYMENT_STATES,
            links=CHECKOUT_LINKS,
            still_to_give_back=still_to_give_back,
            resolutions=[(r.value, text) for r, text in RESOLUTIONS.items()],
            notice=notice,
            failed=failed,
            errors=errors or {},
            kept=kept or {},
        )


class ConversationsController(Controller):
    path = f"{PREFIX}/conversaciones"
    include_in_schema = False

    @get("/")
    @inject
    async def conversations(
        self, request: ConsoleRequest, use_case: FromDishka[ListHandovers]
    ) -> Template:
        return await self._page(request, use_case)

    @post("/{phone:str}/tomar")
    @inject
    async def take(
        self,
        request: ConsoleRequest,
        phone: FromPath[str],
        use_case: FromDishka[TakeHandover],
        handovers: FromDishka[ListHandovers],
    ) -> Response[Any]:
        try:
            taken = await use_case(phone, console_user(request).email)
        except DomainError as err:
            return await self._page(request, handovers, notice=spanish(err))
        # Back here, not to WhatsApp: the console's CSP lets forms lead only to our pages.
        return Redirect(f"{PREFIX}/conversaciones?tomada={taken.phone}", status_code=303)

    @post("/{phone:str}/devolver")
    @inject
    async def give_back(
        self,
        request: ConsoleRequest,
        phone: FromPath[str],
        use_case: FromDishka[ResumeAssistant],
        handovers: FromDishka[ListHandovers],
    ) -> Template:
        digits = "".join(ch for ch in phone if ch.isdigit())[:20]
        try:
            await use_case(digits, console_user(request).email)
        except DomainError as err:
            return await self._page(request, handovers, notice=spanish(err))
        return await self._page(
            request, handovers, notice=f"El asistente vuelve a responderle a +{digits}."
        )

    async def _page(
        self, request: ConsoleRequest, handovers: ListHandovers, notice: str | None = None
    ) -> Template:
        waiting = await handovers()
        taken = request.query_params.get("tomada")
        if taken and notice is None and any(h.phone.lstrip("+") == taken for h in waiting):
            notice = f"La tomaste vos: escribile a +{taken} por WhatsApp."
        return page(
            request,
            "conversations.html",
            title="Conversaciones",
            handovers=waiting,
            taken=taken,
            notice=notice,
        )
