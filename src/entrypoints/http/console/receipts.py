"""Comprobante (/panel/comprobantes/{id}, owners): a transfer receipt a guest sent over
WhatsApp, next to the booking it pays, with its two decisions — approve with the amount it
shows (``ApproveReceipt``: records the transfer, which confirms a covered hold) or reject with
a reason (``RejectReceipt``: the guest is told) — the use cases behind
/api/v1/admin/receipts. Both are audited by their use case.

Approving is keyed by the receipt itself (``ApproveReceipt`` records "receipt:{id}" once), so
a double click or a resent form records one payment; the button is also disabled on submit.

The file is served by ``…/archivo`` with the type its bytes show (a stored file whose bytes no
longer match is offered as a download of unknown type), ``inline``, ``nosniff`` and never
cached."""

from __future__ import annotations

from typing import Any

from dishka import AsyncContainer
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from application.back_office.accommodations import ListAllAccommodations
from application.back_office.reservations import GetReservationForAdmin
from application.messaging.texts import amount_digits
from application.payments.ledger import GetLedger
from application.payments.receipts import ApproveReceipt, GetReceipt, RejectReceipt
from domain.errors import DomainError
from domain.payments.receipts import ReceiptStatus, sniff
from entrypoints.http.console.auth import console_user
from entrypoints.http.console.forms import Form, read_form
from entrypoints.http.console.ledger import AMOUNT_HINT, _cents
from entrypoints.http.console.messages import spanish
from entrypoints.http.console.rendering import PREFIX, page

ConsoleRequest = Request[Any, Any, Any]
STATUS = {
    ReceiptStatus.PENDING: "Para revisar",
    ReceiptStatus.APPROVED: "Aprobado",
    ReceiptStatus.REJECTED: "Rechazado",
}
NOTICES = {"rechazado": "El comprobante quedó rechazado y le avisamos al huésped."}
NO_REASON = "Escribí por qué lo rechazás: se lo contamos al huésped."
DECIDED = "Ese comprobante ya se decidió: recargá la página para ver cómo quedó."
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}


def _spanish(err: DomainError) -> str:
    return DECIDED if err.code == "illegal_transition" else spanish(err)


def masked_phone(phone: str) -> str:
    """``…1234``: the last digits are enough to recognise the guest."""
    return f"…{phone[-4:]}"


def owed_cents(deposit_owed: int, balance_due: int) -> int:
    """What the receipt most likely pays: the deposit still owed, else the balance."""
    return deposit_owed or balance_due


class ReceiptController(Controller):
    path = f"{PREFIX}/comprobantes"
    include_in_schema = False

    @get("/{receipt_id:int}")
    async def detail(self, request: ConsoleRequest, receipt_id: FromPath[int]) -> Template:
        return await receipt_page(request, receipt_id)

    @get("/{receipt_id:int}/archivo")
    @inject
    async def content(
        self, receipt_id: FromPath[int], use_case: FromDishka[GetReceipt]
    ) -> Response[bytes]:
        receipt = await use_case(receipt_id)
        shown = sniff(receipt.content)
        if shown is None or shown != receipt.mime_type:
            media_type, disposition = "application/octet-stream", "attachment"
            extension = "bin"
        else:
            media_type, disposition = shown, "inline"
            extension = EXTENSIONS[shown]
        return Response(
            receipt.content,
            media_type=media_type,
            headers={
                "Content-Disposition": (
                    f'{disposition}; filename="comprobante-{receipt_id}.{extension}"'
                ),
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, no-store",
                "Content-Security-Policy": "default-src 'none'; sandbox",
            },
        )

    @post("/{receipt_id:int}/aprobar")
    @inject
    async def approve(
        self,
        request: ConsoleRequest,
        receipt_id: FromPath[int],
        use_case: FromDishka[ApproveReceipt],
    ) -> Response[Any]:
        form = await read_form(request)
        cents = _cents(form, "monto")
        if cents is None:
            return await receipt_page(request, receipt_id, form, {"monto": AMOUNT_HINT}, 400)
        try:
            view = await use_case(receipt_id, cents, console_user(request).email)
        except DomainError as err:
            field = "monto" if err.code == "invalid_value" else "_aprobar"
            return await receipt_page(request, receipt_id, form, {field: _spanish(err)}, 409)
        if not view.recorded:
            notice = "pago-repetido"
        elif view.confirmed is False:
            notice = "pago-sin-noches"
        else:
            notice = "pago-confirmada" if view.confirmed else "pago"
        code = view.reservation.code.value
        return Redirect(f"{PREFIX}/reservas/{code}?hecho={notice}", status_code=303)

    @post("/{receipt_id:int}/rechazar")
    @inject
    async def reject(
        self,
        request: ConsoleRequest,
        receipt_id: FromPath[int],
        use_case: FromDishka[RejectReceipt],
    ) -> Response[Any]:
        form = await read_form(request)
        reason = form.text("motivo", 500)
        if not reason:
            return await receipt_page(request, receipt_id, form, {"motivo": NO_REASON}, 400)
        if long := form.too_long("motivo", 500):
            return await receipt_page(request, receipt_id, form, {"motivo": long}, 400)
        try:
            await use_case(receipt_id, console_user(request).email, reason)
        except DomainError as err:
            return await receipt_page(request, receipt_id, form, {"_rechazar": _spanish(err)}, 409)
        return Redirect(f"{PREFIX}/comprobantes/{receipt_id}?hecho=rechazado", status_code=303)


async def receipt_page(
    request: ConsoleRequest,
    receipt_id: int,
    form: Form | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    container: AsyncContainer = request.state.dishka_container
    receipt = await (await container.get(GetReceipt))(receipt_id)
    found = await (await container.get(GetReservationForAdmin))(receipt.reservation_code)
    ledger = (await (await container.get(GetLedger))(receipt.reservation_code)).ledger
    cabins = await (await container.get(ListAllAccommodations))()
    names = {c.id: c.name for c in cabins}
    owed = owed_cents(ledger.deposit_owed.cents, ledger.balance_due.cents)
    values = {"monto": amount_digits(owed) if owed else "", "motivo": ""} | {
        k: v for k, v in (form.values if form else {}).items() if k != "_csrf_token"
    }
    return page(
        request,
        "receipt.html",
        status=status,
        title=f"Comprobante de la reserva {found.code.display}",
        receipt=receipt,
        receipt_id=receipt_id,
        state=STATUS[receipt.status],
        pending=receipt.status is ReceiptStatus.PENDING,
        is_pdf=receipt.mime_type == "application/pdf",
        r=found,
        cabin_name=names.get(found.accommodation_id, "—"),
        phone=masked_phone(found.guest.phone),
        ledger=ledger,
        values=values,
        errors=errors or {},
        notice=NOTICES.get(request.query_params.get("hecho") or ""),
    )
