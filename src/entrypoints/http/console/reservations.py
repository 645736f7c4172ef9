"""Reserva (/panel/reservas/{code}): one reservation, its story, its money, and what can be
done to it — each action the same use case as the JSON admin API (or the one the guests' own
channels use): cancel (``CancelReservation``; staff only a live hold, ``CancelHold``), add a
note, send the payment link again, move it to other dates or another cabin
(``MoveReservation``); payments, refunds and a hold's extra time are in ``ledger.py``.

The page holds several forms; their fields have names of their own (``motivo``, ``metodo``,
``nota``, ``mover_desde``…) so a refused one re-renders with its input kept and its field named.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import quote

from dishka import AsyncContainer
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from application.back_office.accommodations import ListAllAccommodations
from application.back_office.move import MoveReservation
from application.back_office.notes import AddReservationNote
from application.back_office.payment_link import ResendPaymentLink
from application.back_office.reservations import (
    CancelHold,
    CancelReservation,
    GetReservationForAdmin,
)
from application.back_office.timeline import GetReservationTimeline
from application.payments.admin import PaymentsOfReservation
from application.payments.ledger import GetLedger
from application.payments.receipts import MAX_QUEUE_PAGE, ListReceiptsToApprove
from application.ports.clock import Clock
from domain.booking.reservation import ReservationStatus, effective_status
from domain.errors import DomainError
from domain.payments.ledger import BookingLedger, PaymentMethod
from entrypoints.http.console.auth import console_user, is_owner
from entrypoints.http.console.forms import Form, read_form
from entrypoints.http.console.messages import spanish
from entrypoints.http.console.rendering import PREFIX, money, page
from entrypoints.http.console.timeline import CHECKOUT_LINKS, describe_timeline
from entrypoints.http.console.today import CHANNELS, FLAGS

ConsoleRequest = Request[Any, Any, Any]
STAFF = {"staff": True}
METHODS = (("transfer", "Transferencia"), ("cash", "Efectivo"), ("other", "Otro"))
EXTENSIONS = ((2, "2 horas"), (6, "6 horas"), (12, "12 horas"), (24, "1 día"), (48, "2 días"))
# How long a credit can be used ("": without end).
CREDIT_DAYS = (("180", "6 meses"), ("365", "1 año"), ("90", "3 meses"), ("", "Sin vencimiento"))
COVERS = {"deposit": "seña", "balance": "saldo", "total": "total"}
PAID_BY = (
    (PaymentMethod.MERCADOPAGO, "por Mercado Pago"),
    (PaymentMethod.TRANSFER, "por transferencia"),
    (PaymentMethod.CASH, "en efectivo"),
    (PaymentMethod.OTHER, "por otro medio"),
    (PaymentMethod.CREDIT, "con crédito a favor"),
)
STATUS = {
    "pre_reserved": "Retención esperando pago",
    "confirmed": "Confirmada",
    "expired": "Retención vencida",
    "cancelled": "Cancelada",
}
TO_RETURN = (
    "hay que devolvérselos o dejárselos como crédito (abajo). Queda en Pagos y en Hoy hasta "
    "que lo resuelvas."
)
NOTICES = {
    "cancelada": "La reserva se canceló: sus noches quedaron libres.",
    "pago": "El pago quedó registrado.",
    "pago-a-devolver": (
        "El pago quedó registrado, pero esta reserva no tiene noches (está cancelada o venció): "
        "hay que devolverlo o dejarlo como crédito. Queda en Pagos y en Hoy hasta que lo "
        "resuelvas."
    ),
    "pago-confirmada": "El pago quedó registrado y la reserva, confirmada.",
    "pago-repetido": "Ese pago ya estaba registrado: no se cargó dos veces.",
    "pago-sin-noches": (
        "El pago quedó registrado, pero esas noches ya se vendieron mientras tanto: "
        "hay que devolverlo o dejarlo como crédito. Queda en Pagos y en Hoy hasta que lo "
        "resuelvas."
    ),
    "devolucion": "La devolución quedó hecha y registrada.",
    "devolucion-repetida": "Esa devolución ya estaba hecha: no se devolvió dos veces.",
    "credito": "Listo: quedó como crédito a favor del huésped para su próxima reserva.",
    "credito-repetido": "Ese crédito ya estaba cargado: no se cargó dos veces.",
    "extendida": "Listo: la retención tiene más tiempo.",
    "nota": "La nota quedó guardada.",
    "link": "Le mandamos el link de pago al huésped otra vez.",
    "movida": "Listo: la reserva se movió.",
    "creada": "La reserva quedó cargada.",
}
# A use case's error field → the form field of this page it is about.
MOVE_FIELDS = {
    "accommodation_not_found": "mover_cabana",
    "accommodation_inactive": "mover_cabana",
    "guests_out_of_range": "mover_cabana",
    "invalid_stay": "mover_hasta",
    "check_in_in_past": "mover_hasta",
    "nights_out_of_range": "mover_hasta",
}


def new_key() -> str:
    """A money form's key, drawn with the page: the same form posted twice is recorded once."""
    return secrets.token_urlsafe(18)


async def _confirmed(container: Any, code: str) -> bool:
    try:
        found = await (await container.get(GetReservationForAdmin))(code)
    except DomainError:
        return False
    return found.status is ReservationStatus.CONFIRMED


def _back(code: str, notice: str) -> Redirect:
    # The page opens at its notice: the form's own anchor (``#h-pay``…) would otherwise carry
    # over the redirect and open it at the form, the notice out of sight.
    return Redirect(f"{PREFIX}/reservas/{code}?hecho={notice}#aviso", status_code=303)


# Where the Reserva page's forms post (here and in ``ledger.py``).
FORM_ACTIONS = (
    "cancelar",
    "nota",
    "link-de-pago",
    "mover",
    "pago",
    "devolver",
    "credito",
    "extender",
)


class ReservationController(Controller):
    path = f"{PREFIX}/reservas"
    include_in_schema = False

    @get("/{code:str}", opt=STAFF)
    @inject
    async def detail(
        self, request: ConsoleRequest, code: FromPath[str], clock: FromDishka[Clock]
    ) -> Template:
        return await reservation_page(request, code, clock)

    @get([f"/{{code:str}}/{action}" for action in FORM_ACTIONS], opt=STAFF)
    async def form_address(self, code: FromPath[str]) -> Redirect:
        """A form's own address opened as a page: after an answer with errors the address bar
        shows it, and reloading or sharing it later must land on the reservation, not on
        "No pudimos entender el pedido"."""
        return Redirect(f"{PREFIX}/reservas/{quote(code, safe='')}", status_code=303)

    @post("/{code:str}/cancelar", opt=STAFF)
    @inject
    async def cancel(
        self, request: ConsoleRequest, code: FromPath[str], clock: FromDishka[Clock]
    ) -> Response[Any]:
        form = await read_form(request)
        if long := form.too_long("motivo", 500):
            return await reservation_page(request, code, clock, form, {"motivo": long}, 400)
        reason = form.text("motivo", 500) or None
        container = _container(request)
        # Staff may let a live hold go; cancelling a booking (money) is the owner's.
        actor = console_user(request).email
        try:
            if is_owner(request):
                await (await container.get(CancelReservation))(code, actor, reason)
            else:
                await (await container.get(CancelHold))(code, actor, reason)
        except DomainError as err:
            if not is_owner(request) and await _confirmed(container, code):
                # Not a state that moved under them: cancelling a booking is the owner's.
                raise PermissionDeniedException("cancelling a booking is the owner's") from err
            return await reservation_page(
                request, code, clock, form, {"_cancel": spanish(err)}, 409
            )
        return _back(code, "cancelada")

    @post("/{code:str}/nota", opt=STAFF)
    @inject
    async def note(
        self,
        request: ConsoleRequest,
        code: FromPath[str],
        use_case: FromDishka[AddReservationNote],
        clock: FromDishka[Clock],
    ) -> Response[Any]:
        form = await read_form(request)
        try:
            await use_case(code, form.text("nota", 2000), console_user(request).email)
        except DomainError as err:
            message = spanish(err)
            if err.code == "invalid_value":
                message = "Escribí la nota (hasta 1000 caracteres)."
            return await reservation_page(request, code, clock, form, {"nota": message}, 400)
        return _back(code, "nota")

    @post("/{code:str}/link-de-pago")
    @inject
    async def resend_link(
        self,
        request: ConsoleRequest,
        code: FromPath[str],
        use_case: FromDishka[ResendPaymentLink],
        clock: FromDishka[Clock],
    ) -> Response[Any]:
        try:
            await use_case(code, console_user(request).email)
        except DomainError as err:
            return await reservation_page(request, code, clock, None, {"_link": spanish(err)}, 409)
        return _back(code, "link")

    @post("/{code:str}/mover")
    @inject
    async def move(
        self,
        request: ConsoleRequest,
        code: FromPath[str],
        use_case: FromDishka[MoveReservation],
        clock: FromDishka[Clock],
    ) -> Response[Any]:
        form = await read_form(request)
        cabin = form.integer("mover_cabana")
        check_in, check_out = form.day("mover_desde"), form.day("mover_hasta")
        errors = {}
        if cabin is None:
            errors["mover_cabana"] = "Elegí una cabaña."
        if check_in is None:
            errors["mover_desde"] = "Poné la fecha de entrada."
        if check_out is None:
            errors["mover_hasta"] = "Poné la fecha de salida."
        if cabin is not None and check_in is not None and check_out is not None:
            try:
                await use_case(code, cabin, check_in, check_out, console_user(request).email)
            except DomainError as err:
                errors[MOVE_FIELDS.get(err.code, "_move")] = spanish(err)
            else:
                return _back(code, "movida")
        return await reservation_page(request, code, clock, form, errors, 409)


def cancel_notice(ledger: BookingLedger) -> str:
    """Cancelled: the nights are free, and what was paid must go back (or stay as credit)."""
    done = NOTICES["cancelada"]
    if ledger.paid.cents == 0:
        return done
    paid = f"{done} Tenía {money(ledger.paid.cents)} pagados"
    if ledger.credited.cents:
        paid += f"; {money(ledger.credited.cents)} quedaron como crédito a su favor"
    if ledger.held.cents == 0:
        return f"{paid}."
    if ledger.returned.cents:
        return f"{paid}. Quedan {money(ledger.held.cents)}: {TO_RETURN}"
    return f"{paid}: {TO_RETURN}"


def credit_note(kept_cents: int, state: ReservationStatus) -> str:
    """Why the most that can go back is less than what the booking shows as paid: the credit
    it took from the guest's earlier cancellation goes back to the guest by itself."""
    if state is ReservationStatus.EXPIRED:
        return (
            f"No cuenta {money(kept_cents)} de crédito a favor que usó: al vencer la retención "
            "volvió a ser suyo para su próxima reserva."
        )
    return (
        f"No cuenta {money(kept_cents)} de crédito a favor que usó: si la retención vence o "
        "se cancela, vuelve a ser suyo solo."
    )


def _container(request: ConsoleRequest) -> AsyncContainer:
    container: AsyncContainer = request.state.dishka_container
    return container


async def reservation_page(
    request: ConsoleRequest,
    code: str,
    clock: Clock,
    form: Form | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    container = _container(request)
    found = await (await container.get(GetReservationForAdmin))(code)
    owner = is_owner(request)
    cabins = await (await container.get(ListAllAccommodations))()
    names = {c.id: c.name for c in cabins}
    timeline = await (await container.get(GetReservationTimeline))(code, money=owner)
    payments = await (await container.get(PaymentsOfReservation))(found.code.value) if owner else []
    money_view = await (await container.get(GetLedger))(code) if owner else None
    ledger = money_view.ledger if money_view else None
    receipts = (
        [
            r
            for r in await (await container.get(ListReceiptsToApprove))(MAX_QUEUE_PAGE)
            if r.reservation_code == found.code.value
        ]
        if owner
        else []
    )
    now = clock.now()
    state = effective_status(found, now)
    live = state in (ReservationStatus.PRE_RESERVED, ReservationStatus.CONFIRMED)
    stands = money_view.standing(state) if money_view else None
    # The most that can go back (refund or credit): never a hold's credit, the guest's already.
    most = money_view.returnable if money_view else None
    mp_left = money_view.mercadopago_refundable if money_view else None
    refundable_by_mp = min(mp_left, most) if mp_left and most else None
    kept = ledger.held.cents - most.cents if ledger and most else 0
    typed = form.values if form else {}
    values = {
        "motivo": "",
        "metodo": "transfer",
        "monto": "",
        "nota_pago": "",
        "clave_pago": new_key(),
        "devolver_monto": "",
        "devolver_nota": "",
        "clave_devolucion": new_key(),
        "credito_monto": "",
        "credito_dias": CREDIT_DAYS[0][0],
        "credito_nota": "",
        "clave_credito": new_key(),
        "horas": "24",
        "nota": "",
        "mover_cabana": str(found.accommodation_id),
        "mover_desde": found.stay.check_in.isoformat(),
        "mover_hasta": found.stay.check_out.isoformat(),
    } | {k: v for k, v in typed.items() if k != "_csrf_token"}
    done = request.query_params.get("hecho")
    notice = NOTICES.get(done or "")
    if done == "cancelada" and ledger and not live:
        notice = cancel_notice(ledger)
    # A refused refund keeps the owner's tick; otherwise it is ticked only when Mercado Pago
    # can give some of the money back.
    refund_form = form is not None and "clave_devolucion" in form.values
    return page(
        request,
        "reservation.html",
        status=status,
        title=f"Reserva {found.code.display}",
        r=found,
        cabin_name=names.get(found.accommodation_id, "—"),
        cabin_choices=[
            (c.id, c.name) for c in cabins if c.active or c.id == found.accommodation_id
        ],
        state=STATUS[state.value],
        channel=CHANNELS.get(found.channel.value, found.channel.value),
        live_hold=state is ReservationStatus.PRE_RESERVED,
        live=live,
        owner=owner,
        payments=payments,
        ledger=ledger,
        receipts=receipts,
        refund_through_mp=form.checked("devolver_mp")
        if form and refund_form
        else bool(refundable_by_mp and refundable_by_mp.cents),
        refundable_by_mp=refundable_by_mp,
        returnable=most,
        credit_note=credit_note(kept, state) if kept > 0 else "",
        standing=stands,
        paid_by=[
            (name, ledger.paid_by(method))
            for method, name in PAID_BY
            if ledger and ledger.paid_by(method).cents
        ],
        credit_days=CREDIT_DAYS,
        can_credit=bool(found.guest.phone),
        extensions=EXTENSIONS,
        timeline=describe_timeline(timeline, names),
        methods=METHODS,
        method_names=dict(METHODS) | {"mercadopago": "Mercado Pago"},
        covers=COVERS,
        links=CHECKOUT_LINKS,
        flags=FLAGS,
        values=values,
        errors=errors or {},
        notice=notice,
    )
