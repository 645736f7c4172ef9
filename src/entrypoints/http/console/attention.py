"""Pagos and Conversaciones (owners): the payments a person must look at
(``ListPaymentsNeedingAttention``; a refund is made from the reservation's page) and the
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
from domain.errors import DomainError
from entrypoints.http.console.auth import console_user
from entrypoints.http.console.messages import spanish
from entrypoints.http.console.rendering import PREFIX, page
from entrypoints.http.console.timeline import PAYMENT_STATES

ConsoleRequest = Request[Any, Any, Any]
UNVERIFIED = "No se pudo consultar a Mercado Pago: revisalo en su panel"


class PaymentsController(Controller):
    path = f"{PREFIX}/pagos"
    include_in_schema = False

    @get("/")
    @inject
    async def payments(
        self, request: ConsoleRequest, use_case: FromDishka[ListPaymentsNeedingAttention]
    ) -> Template:
        return page(
            request,
            "payments.html",
            title="Pagos",
            records=await use_case(100),
            reasons={a.value: text for a, text in ATTENTION_TEXT.items()},
            states=PAYMENT_STATES,
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
