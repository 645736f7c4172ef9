"""``/reservar``: the direct-booking page an owner links from Instagram or Google. Dates and
party → the cabins that fit with their quote (``CheckAvailability``, as
``GET /api/v1/availability``) and cancellation terms (read before paying) → name and phone →
the same hold as ``POST /api/v1/reservations`` (``BookOnline``: hold limits, the deposit link)
→ Mercado Pago's checkout, or the guest's page (``/r/{code}``) when payments are off.

A double submit places one hold: each rendered form carries a token that becomes the request's
idempotency key. Nights this browser already booked on those dates (a cookie of the codes it
was sent on to) are named with a link to their page on the search, and refuse a second hold
on booking unless the guest says they want another cabin (``another``). Never by the phone
typed: anyone may type a phone, and a reservation's code is the key to its page. The cabin
radios are never restored by the browser (``autocomplete="off"``) nor ticked unless the guest
ticked one, so going Back cannot book a cabin nobody chose.

CSRF-protected (its own cookie, scoped to this path); rate-limited like every other path; every
refusal re-renders the page with the guest's input and the problem in Spanish."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from dishka.integrations.litestar import FromDishka, inject
from litestar import Request, Response, Router, get, post
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import Cookie
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
)
from litestar.middleware import DefineMiddleware
from litestar.response import Redirect, Template

from application.booking.availability import AvailabilityQuery, CheckAvailability
from application.booking.book_online import Answer, BookOnline, Held
from application.booking.catalogue import GetAccommodation
from application.booking.own_bookings import FindOwnBookings
from application.booking.place_hold import PlaceHoldCommand
from application.booking.stay_terms import GetCancellationPolicies
from application.messaging.quote_texts import cancellation_lines
from application.ports.clock import Clock
from domain.booking.guest_name import guest_name
from domain.booking.hold_limits import HoldQuota, phone_key
from domain.booking.reservation import Channel, Guest, Reservation, ReservationStatus
from domain.calendar import local_today
from domain.errors import Conflict, DomainError, NotFound, TooManyHolds
from domain.payments.cancellation import CancellationPolicy
from domain.payments.ledger import PaymentMethod
from domain.stay import Stay, stay_span
from entrypoints.http.compression import html_pages
from entrypoints.http.console.rendering import CONSOLE_CSP
from entrypoints.http.csrf import RenewingCSRFMiddleware
from entrypoints.http.guest.booking_view import (
    ANOTHER_NEEDED,
    DATE_CODES,
    MAX_GUESTS,
    NOTICE,
    BookingForm,
    CabinOffer,
    OwnBooking,
    asks_for_whatsapp,
    contact_errors,
    first_days,
    offer,
    online_nights,
    refusal,
    search_errors,
    too_long,
    unavailable_reason,
    whatsapp_url,
)
from entrypoints.http.guest.page import guest_exception, guest_page
from entrypoints.http.hardening import client_ip, client_key, trusted_ip_header
from entrypoints.http.head import allowed_headers
from entrypoints.http.phone_input import read_phone
from entrypoints.http.routing import AppRouter
from entrypoints.settings import Settings

BOOKING_PATH = "/reservar"
CSRF_COOKIE = "cabanas_reservar_csrf"
# The codes of the bookings this browser was sent on from (newest first), so the page can name
# them to a guest who comes back; a code is what the guest's own page link already carries.
BOOKED_COOKIE = "cabanas_reservas"
BOOKED_KEPT = 5
BOOKED_MAX_AGE = 7 * 24 * 3600
CODE = re.compile(r"[0-9A-Z]{12}")
# Chromium applies form-action to the redirects that follow a form's submission too: the
# booking's 303 goes to Mercado Pago's checkout (Argentina's site, or its sandbox).
CHECKOUT_ORIGINS = "https://www.mercadopago.com.ar https://sandbox.mercadopago.com.ar"
BOOKING_HEADERS = {
    "Content-Security-Policy": CONSOLE_CSP.replace(
        "form-action 'self'", f"form-action 'self' {CHECKOUT_ORIGINS}"
    ),
    "Cache-Control": "no-store",
}
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
# Idempotency keys share the API's scope: the page's are prefixed so no API key can match one.
KEY_PREFIX = "reservar:"
GuestRequest = Request[Any, Any, Any]
# The search's own fields: a refusal about them is shown beside them, at the top of the page.
SEARCH_FIELDS = frozenset({"check_in", "check_out", "guests"})


def _page(
    form: BookingForm,
    offers: list[CabinOffer],
    errors: dict[str, str],
    desk: Desk,
    *,
    searched: bool,
    status: int = 200,
    own: list[OwnBooking] | None = None,
    another: bool = False,
) -> Template:
    number = desk.settings.admin_whatsapp_number
    return Template(
        template_name="guest_booking.html",
        context={
            "title": "Reservá tu cabaña",
            "values": form.values,
            "offers": offers,
            "errors": errors,
            "searched": searched,
            "own": own or [],
            "another": another,
            "max_guests": MAX_GUESTS,
            # The date pickers offer no day already gone (the app's today, in Argentina).
            "first_days": first_days(form, desk.today()),
            "hold_minutes": desk.settings.hold_minutes,
            # Beside a refusal that sends the guest to WhatsApp (a long stay, a hold limit).
            "whatsapp": whatsapp_url(number, form) if asks_for_whatsapp(errors) else None,
            # A new token for every form shown: the same form sent twice is one booking.
            "form_token": secrets.token_urlsafe(24),
        },
        status_code=status,
        headers=BOOKING_HEADERS,
        media_type="text/html",
    )


@dataclass(frozen=True, slots=True)
class Desk:
    """What the page asks and knows: the cabins free with their prices and their cancellation
    terms, the settings, and the app's clock."""

    availability: CheckAvailability
    policies: GetCancellationPolicies
    settings: Settings
    clock: Clock

    def today(self) -> date:
        return local_today(self.clock.now())


async def _search(form: BookingForm, desk: Desk) -> tuple[list[CabinOffer], dict[str, str]]:
    errors = search_errors(form)
    if errors:
        return [], errors
    check_in, check_out = _known(form.day("check_in")), _known(form.day("check_out"))
    guests = _known(form.number("guests"))
    nights = (check_out - check_in).days
    settings = desk.settings
    policy = settings.booking_policy
    try:
        results = await desk.availability(AvailabilityQuery(check_in, check_out, guests))
    except DomainError as err:
        field, message = refusal(err, policy, nights, settings.max_hold_nights)
        return [], {field: message}
    # Longer than a guest may hold (MAX_HOLD_NIGHTS): said now, not after name and phone
    # (after what is wrong with the dates themselves: a past or too distant arrival).
    long = too_long(nights, online_nights(policy, settings.max_hold_nights))
    if long is not None and not any(r.reason_code in DATE_CODES for r in results):
        return [], dict([long])
    offers = [o for r in results if (o := offer(r, nights)) is not None]
    if not offers:
        field, message = unavailable_reason(results, policy, nights, guests)
        return [], {field: message}
    # What cancelling returns, beside each price: read before paying, not after.
    policies = await desk.policies(o.id for o in offers)
    termed = [replace(o, terms=_terms(policies[o.id])) for o in offers]
    return termed, {}


def _terms(policy: CancellationPolicy | None) -> tuple[str, ...] | None:
    return tuple(cancellation_lines(policy)) or None


def booked_codes(request: GuestRequest) -> list[str]:
    raw = request.cookies.get(BOOKED_COOKIE, "")
    return [c for c in raw.split(".") if CODE.fullmatch(c)][:BOOKED_KEPT]


async def _own(
    form: BookingForm,
    find: FindOwnBookings,
    cabins: GetAccommodation,
    *,
    codes: list[str],
    form_key: str | None = None,
) -> list[OwnBooking]:
    """What the guest already holds on the dates asked (none while the dates are unreadable)."""
    check_in, check_out = form.day("check_in"), form.day("check_out")
    if check_in is None or check_out is None or check_out <= check_in:
        return []
    found = await find(Stay(check_in, check_out), codes=codes, form_key=form_key)
    own = []
    for r in found:
        try:
            cabin = (await cabins(r.accommodation_id)).name
        except NotFound:
            cabin = "La cabaña"
        own.append(
            OwnBooking(
                code=r.code.display,
                url=f"/r/{r.code.value}",
                cabin=cabin,
                dates=stay_span(r.stay),
                confirmed=r.status is ReservationStatus.CONFIRMED,
            )
        )
    return own


@get(BOOKING_PATH, include_in_schema=False, name="guest_booking")
@inject
async def booking_page(
    request: GuestRequest,
    availability: FromDishka[CheckAvailability],
    policies: FromDishka[GetCancellationPolicies],
    find_own: FromDishka[FindOwnBookings],
    cabins: FromDishka[GetAccommodation],
    settings: FromDishka[Settings],
    clock: FromDishka[Clock],
) -> Template:
    desk = Desk(availability, policies, settings, clock)
    form = BookingForm.read({k: v for k, v in request.query_params.items() if isinstance(v, str)})
    if not (form.values["check_in"] or form.values["check_out"]):
        return _page(form, [], {}, desk, searched=False)
    offers, errors = await _search(form, desk)
    own = await _own(form, find_own, cabins, codes=booked_codes(request))
    # "Nothing free" is news, not a mistake in the form.
    status = 422 if errors.keys() - {NOTICE} else 200
    return _page(form, offers, errors, desk, searched=True, status=status, own=own)


@post(BOOKING_PATH, include_in_schema=False, name="guest_book")
@inject
async def book(
    request: GuestRequest,
    book_online: FromDishka[BookOnline],
    availability: FromDishka[CheckAvailability],
    policies: FromDishka[GetCancellationPolicies],
    find_own: FromDishka[FindOwnBookings],
    cabins: FromDishka[GetAccommodation],
    settings: FromDishka[Settings],
    clock: FromDishka[Clock],
) -> Response[Any]:
    sent = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    form = BookingForm.read(sent)
    desk = Desk(availability, policies, settings, clock)
    errors = search_errors(form) | contact_errors(form)
    another = sent.get("another") == "1"
    codes = booked_codes(request)
    if not errors and not another and codes:
        # Only what this browser booked: a phone typed proves nothing (telling whoever types
        # one that it has nights on those dates, or linking its page, would give a stranger's
        # stay away).
        token = sent.get("form_token", "")
        key = KEY_PREFIX + token if TOKEN.fullmatch(token) else None
        own = await _own(form, find_own, cabins, codes=codes, form_key=key)
        if own:
            offers, _ = await _search(form, desk)
            return _page(
                form, offers, {"another": ANOTHER_NEEDED}, desk, searched=True, status=409, own=own
            )
    if not errors:
        try:
            command = _command(form, sent.get("form_token", ""), request, settings)
            outcome = await book_online(command, _answer)
        except DomainError as err:
            check_in, check_out = form.day("check_in"), form.day("check_out")
            nights = (check_out - check_in).days if check_in and check_out else 0
            field, message = refusal(err, settings.booking_policy, nights, settings.max_hold_nights)
            offers, found = await _search(form, desk)
            shown = {field: message}
            if not offers and field not in SEARCH_FIELDS:
                # No cabin left to offer (the last one was just taken): the booking form, and
                # the field the refusal is about, are not on the page: said above the results.
                shown = {"_form": message} | {k: v for k, v in found.items() if k == NOTICE}
            status = (
                429 if isinstance(err, TooManyHolds) else 409 if isinstance(err, Conflict) else 422
            )
            return _page(
                form,
                offers,
                shown,
                desk,
                searched=True,
                status=status,
                another=another,
            )
        return Redirect(
            _next(outcome), status_code=303, cookies=[_remember(outcome, codes, settings)]
        )
    offers, search_problems = await _search(form, desk)
    errors = search_problems | errors
    return _page(form, offers, errors, desk, searched=True, status=422, another=another)


def _command(
    form: BookingForm, token: str, request: GuestRequest, settings: Settings
) -> PlaceHoldCommand:
    check_in, check_out = _known(form.day("check_in")), _known(form.day("check_out"))
    guests, cabin = _known(form.number("guests")), _known(form.number("accommodation_id"))
    number = _known(read_phone(form.values["phone"]).number)
    address = client_ip(request.scope, trusted_ip_header(settings))
    body = form.fingerprint()
    key = KEY_PREFIX + token if TOKEN.fullmatch(token) else None
    return PlaceHoldCommand(
        accommodation_id=cabin,
        check_in=check_in,
        check_out=check_out,
        guests=guests,
        guest=Guest(guest_name(form.values["name"]), number, form.values["email"] or None),
        channel=Channel.API,
        idempotency_key=key,
        fingerprint=body if key else None,
        retry_key=hashlib.sha256(f"{address}\x00{KEY_PREFIX}{body}".encode()).hexdigest()[:32],
        quota=HoldQuota(phone_key(number), client_key(address)),
        payment_method=PaymentMethod.MERCADOPAGO,
    )


def _known[T](value: T | None) -> T:
    """A field already validated (``search_errors``, ``contact_errors``)."""
    if value is None:
        raise ValueError("a field read before it was validated")
    return value


def _answer(reservation: Reservation) -> Answer:
    """What a repeated form token gets: where the first one was sent."""
    body = {"code": reservation.code.value, "payment_url": reservation.payment_url}
    return Answer(303, json.dumps(body))


def _remember(outcome: Held | Answer, codes: list[str], settings: Settings) -> Cookie:
    """The booking's code first among those this browser already booked."""
    if isinstance(outcome, Answer):
        code = str(json.loads(outcome.body)["code"])
    else:
        code = outcome.reservation.code.value
    kept = [code, *(c for c in codes if c != code)][:BOOKED_KEPT]
    return Cookie(
        key=BOOKED_COOKIE,
        value=".".join(kept),
        path=BOOKING_PATH,
        max_age=BOOKED_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=settings.environment == "production" or settings.force_https,
    )


def _next(outcome: Held | Answer) -> str:
    if isinstance(outcome, Answer):
        remembered = json.loads(outcome.body)
        code, url = str(remembered["code"]), remembered.get("payment_url")
    else:
        code, url = outcome.reservation.code.value, outcome.reservation.payment_url
    return str(url) if url else f"/r/{code}"


# What the booking form gets wrong, said of the form (status: title, heading, message), with a
# way back to it — not as the guest's own page's "No pudimos abrir ese enlace".
FORM_REFUSALS = {
    # A refused CSRF check: a form sent from elsewhere or left open too long.
    403: (
        "Formulario vencido",
        "El formulario venció",
        "Pasó mucho tiempo o llegó desde otro sitio. Volvé a la página de reservas y probá de "
        "nuevo: no se reservó nada.",
    ),
    413: (
        "Formulario demasiado grande",
        "El formulario es demasiado grande",
        "Lo que mandaste ocupa más de lo que podemos recibir. Volvé a la página de reservas y "
        "probá de nuevo con textos más cortos: no se reservó nada.",
    ),
    405: (
        "Pedido no válido",
        "Esta página no acepta eso",
        "La página de reservas se abre en el navegador y se envía con su botón. Entrá de nuevo "
        "desde el enlace y probá otra vez.",
    ),
    # A form the page could not read (a broken upload, an encoding it does not know).
    400: (
        "Formulario ilegible",
        "No pudimos leer el formulario",
        "Llegó incompleto o en un formato que no entendemos. Volvé a la página de reservas y "
        "probá de nuevo: no se reservó nada.",
    ),
}


def booking_exception(request: GuestRequest, exc: Exception) -> Response[Any]:
    """A refusal of the form itself (``FORM_REFUSALS``) as a page about the form; anything else
    as on the guest's own page."""
    status = exc.status_code if isinstance(exc, HTTPException) else None
    if status not in FORM_REFUSALS:
        return guest_exception(request, exc)
    title, heading, message = FORM_REFUSALS[status]
    return guest_page(
        "guest_error.html",
        status=status,
        # A 405 names the methods it takes (RFC 9110 §15.5.6), as every 405 of the app does.
        headers=allowed_headers(exc) if isinstance(exc, MethodNotAllowedException) else None,
        title=title,
        heading=heading,
        message=message,
        link=(BOOKING_PATH, "Volver a la página de reservas"),
        trace_id=None,
    )


def csrf_secret(settings: Settings) -> str:
    """Derived from JWT_SECRET (its own label: a console token is no booking token), so every
    process signs alike; without it (development) one drawn for this process."""
    if settings.jwt_secret is not None and settings.jwt_secret.reveal():
        key = settings.jwt_secret.reveal().encode()
        return hmac.new(key, b"cabanas reservar csrf", hashlib.sha256).hexdigest()
    return secrets.token_hex(32)


def booking_router(settings: Settings) -> Router:
    csrf = CSRFConfig(
        secret=csrf_secret(settings),
        cookie_name=CSRF_COOKIE,
        cookie_path=BOOKING_PATH,
        cookie_httponly=True,
        cookie_samesite="lax",
        cookie_secure=settings.environment == "production" or settings.force_https,
        header_name="x-csrftoken",
    )
    return AppRouter(
        path="/",
        route_handlers=[booking_page, book],
        middleware=[html_pages(), DefineMiddleware(RenewingCSRFMiddleware, config=csrf)],
        exception_handlers={Exception: booking_exception},
        include_in_schema=False,
    )
