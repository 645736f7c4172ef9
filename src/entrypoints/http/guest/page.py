"""``/r/{code}``: a reservation as its guest should see it — cabin, dates, party, money (from
the ledger), the hold's expiry with the payment link while it is a live hold, the cabin's
cancellation terms, how to get there (once confirmed) — and where Mercado Pago sends the guest
back after paying (``?status=`` or its ``collection_status``).

Guest data only masked, as in the JSON API. Rate-limited like every other path (the hardening
middleware); errors are Spanish pages, never problem JSON.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from dishka.integrations.litestar import FromDishka, inject
from litestar import Request, Response, Router, get
from litestar.exceptions import HTTPException, MethodNotAllowedException, NotFoundException
from litestar.params import FromPath, QueryParameter
from litestar.response import Template
from litestar.static_files import create_static_files_router

from application.booking.catalogue import GetAccommodation
from application.booking.lookup import GetReservation
from application.booking.stay_terms import GetStayTerms
from application.errors import StorageUnavailable, TransientStorageError
from application.messaging.quote_texts import cancellation_lines
from application.payments.ledger import GetLedger, LedgerView
from application.ports.clock import Clock
from domain.booking.reservation import ReservationStatus
from domain.calendar import local_today
from domain.errors import DomainError, NotFound
from domain.stay import Stay
from entrypoints.http.compression import html_pages
from entrypoints.http.console.rendering import PAGE_HEADERS
from entrypoints.http.guest.terms import directions
from entrypoints.http.head import allowed_headers
from entrypoints.http.masking import mask_email, mask_name, mask_phone
from entrypoints.http.routing import AppRouter
from entrypoints.logs import trace_id_var
from entrypoints.settings import Settings

log = logging.getLogger("cabanas.guest")

GUEST_PREFIX = "/r"
GuestRequest = Request[Any, Any, Any]

# Mercado Pago's collection_status values (and our own ?status=) → what the page says.
OUTCOMES = {
    "approved": "approved",
    "success": "approved",
    "pending": "pending",
    "in_process": "pending",
    "in_mediation": "pending",
    "authorized": "pending",
    "failure": "failure",
    "rejected": "failure",
    "cancelled": "failure",
    "null": "failure",
}


@dataclass(frozen=True, slots=True)
class Money:
    """What the page shows of the ledger, in cents."""

    total: int
    deposit: int
    paid: int  # everything received, before anything went back
    due: int  # the balance still owed (0 once the booking gives no nights)
    deposit_paid: bool
    due_on: date | None = None  # when the balance is due
    to_return: int = 0  # what a booking without nights holds and goes back to the guest
    # False: confirmed with nothing in its ledger — what was paid was never written down, so
    # the page names no amount paid or owed rather than the whole total (nor, cancelled, "$ 0"
    # paid).
    known: bool = True
    returned: int = 0  # refunded, or kept as credit for another date


def outcome(status: str | None, collection_status: str | None) -> str | None:
    raw = (status or collection_status or "").strip().lower()
    return OUTCOMES.get(raw)


def whatsapp_link(number: str | None, code: str) -> str | None:
    digits = re.sub(r"\D", "", number or "")
    if not digits:
        return None
    text = quote(f"Hola, te escribo por mi reserva {code}")
    return f"https://wa.me/{digits}?text={text}"


def guest_page(
    template: str, *, status: int = 200, headers: dict[str, str] | None = None, **context: Any
) -> Template:
    return Template(
        template_name=template,
        context=context,
        status_code=status,
        headers=PAGE_HEADERS if headers is None else {**PAGE_HEADERS, **headers},
        media_type="text/html",
    )


def _money(view: LedgerView | None, status: ReservationStatus, total: int, deposit: int) -> Money:
    """The ledger as the guest reads it (``domain.payments.standing``): a booking that stands
    owes its balance by its due date; one without nights (cancelled, a lapsed hold) owes
    nothing and what it holds goes back."""
    stands = status in (ReservationStatus.PRE_RESERVED, ReservationStatus.CONFIRMED)
    if view is None:
        return Money(total, deposit, 0, total if stands else 0, deposit_paid=False)
    ledger, now = view.ledger, view.standing(status)
    return Money(
        ledger.total.cents,
        ledger.deposit_due.cents,
        ledger.paid.cents,
        now.balance_due.cents,
        ledger.deposit_paid,
        due_on=now.balance_due_on if now.balance_due.cents else None,
        to_return=now.to_return.cents,
        known=now.payments_known,
        returned=ledger.returned.cents,
    )


def balance_due(due_on: date | None, today: date) -> str | None:
    """When the balance falls due, as the page words it: ``ahead`` (a reminder comes),
    ``today`` or ``overdue``; None when nothing is owed by a date."""
    if due_on is None:
        return None
    if due_on > today:
        return "ahead"
    return "today" if due_on == today else "overdue"


def search_again(stay: Stay, guests: int) -> str:
    """``/reservar`` with the booking's dates and party: the search it came from."""
    query = urlencode(
        {
            "check_in": stay.check_in.isoformat(),
            "check_out": stay.check_out.isoformat(),
            "guests": guests,
        }
    )
    return f"/reservar?{query}"


@get(f"{GUEST_PREFIX}/{{code:str}}", include_in_schema=False, name="guest_reservation")
@inject
async def reservation_page(
    code: FromPath[str],
    lookup: FromDishka[GetReservation],
    get_ledger: FromDishka[GetLedger],
    cabins: FromDishka[GetAccommodation],
    stay_terms: FromDishka[GetStayTerms],
    settings: FromDishka[Settings],
    clock: FromDishka[Clock],
    return_status: Annotated[str | None, QueryParameter(name="status", max_length=40)] = None,
    collection_status: Annotated[str | None, QueryParameter(max_length=40)] = None,
) -> Template:
    view = await lookup(code)
    reservation = view.reservation
    try:
        money_view: LedgerView | None = await get_ledger(reservation.code.value)
    except NotFound:
        money_view = None
    try:
        cabin_name = (await cabins(reservation.accommodation_id)).name
    except NotFound:
        cabin_name = "La cabaña"
    live_hold = view.status is ReservationStatus.PRE_RESERVED
    confirmed = view.status is ReservationStatus.CONFIRMED
    terms = await stay_terms(reservation.accommodation_id)
    today = local_today(clock.now())
    money = _money(money_view, view.status, reservation.total.cents, reservation.deposit.cents)
    return guest_page(
        "guest_reservation.html",
        title=f"Reserva {reservation.code.display}",
        code=reservation.code.display,
        page_url=f"{GUEST_PREFIX}/{reservation.code.value}",
        state=view.status.value,
        live_hold=live_hold,
        outcome=outcome(return_status, collection_status),
        cabin=cabin_name,
        check_in=reservation.stay.check_in,
        check_out=reservation.stay.check_out,
        nights=reservation.stay.nights,
        guests=reservation.guests,
        money=money,
        balance_due=balance_due(money.due_on, today),
        expires_at=reservation.expires_at if live_hold else None,
        payment_url=reservation.payment_url if live_hold else None,
        guest_name=mask_name(reservation.guest.name),
        guest_phone=mask_phone(reservation.guest.phone) if reservation.guest.phone else None,
        guest_email=mask_email(reservation.guest.email),
        whatsapp=whatsapp_link(settings.admin_whatsapp_number, reservation.code.display),
        # Terms while the booking stands; the way in only for a confirmed one.
        cancellation=cancellation_lines(terms.cancellation) if live_hold or confirmed else None,
        directions=directions(terms.texts) if confirmed else None,
        # A lapsed hold whose dates are still ahead: one tap to look for them again.
        search_again=(
            search_again(reservation.stay, reservation.guests)
            if view.status is ReservationStatus.EXPIRED and reservation.stay.check_in >= today
            else None
        ),
    )


def guest_exception(request: GuestRequest, exc: Exception) -> Response[Any]:
    """Every error under /r as a Spanish page."""
    if isinstance(exc, (NotFoundException, NotFound)):
        return guest_page(
            "guest_error.html",
            status=404,
            title="Reserva no encontrada",
            heading="No encontramos esa reserva",
            message=(
                "Revisá que el enlace esté completo, tal como te lo mandamos. "
                "Si el problema sigue, escribinos con tu nombre y las fechas."
            ),
            trace_id=None,
        )
    if isinstance(exc, DomainError) or (isinstance(exc, HTTPException) and exc.status_code < 500):
        # A method the address does not take is a 405 naming those it does (RFC 9110 §15.5.6),
        # as the API's; the page is the same.
        allow = allowed_headers(exc) if isinstance(exc, MethodNotAllowedException) else None
        return guest_page(
            "guest_error.html",
            status=400 if allow is None else 405,
            headers=allow,
            title="Enlace inválido",
            heading="No pudimos abrir ese enlace",
            message="Revisá que el enlace esté completo, tal como te lo mandamos.",
            trace_id=None,
        )
    if isinstance(exc, (StorageUnavailable, TransientStorageError)):
        log.warning("guest page: storage temporarily unavailable: %s", type(exc).__name__)
        status = 503
    else:
        log.exception("guest page: unhandled error on %s", request.method)
        status = 500
    return guest_page(
        "guest_error.html",
        status=status,
        title="Algo salió mal",
        heading="Algo salió mal",
        message="No es tu culpa. Probá de nuevo en un rato; si sigue pasando, escribinos.",
        trace_id=trace_id_var.get(),
    )


GUEST_STATIC = Path(__file__).parent / "static"


def guest_router() -> Router:
    return AppRouter(
        path="/",
        route_handlers=[
            reservation_page,
            create_static_files_router(
                path="/static/guest",
                directories=[GUEST_STATIC],
                include_in_schema=False,
                cache_control=None,
                name="guest_static",
            ),
        ],
        middleware=[html_pages()],
        exception_handlers={Exception: guest_exception},
        include_in_schema=False,
    )
