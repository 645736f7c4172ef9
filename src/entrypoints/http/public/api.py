"""Thin handlers: parse → call a use case → map the result."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Annotated, Any

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, get, post
from litestar.openapi.spec import Example
from litestar.params import JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_201_CREATED

from application.booking.availability import AvailabilityQuery, CheckAvailability
from application.booking.book_online import Answer, BookOnline, Held
from application.booking.catalogue import GetAccommodation, ListAccommodations
from application.booking.lookup import GetReservation
from application.booking.occupancy import CalendarQuery, GetCalendar
from application.booking.place_hold import PlaceHoldCommand
from domain.booking.guest_name import guest_name
from domain.booking.hold_limits import HoldQuota, phone_key
from domain.booking.reservation import Channel, Guest, Reservation
from domain.payments.ledger import PaymentMethod
from domain.stay import Stay
from entrypoints.http import presenters, schemas
from entrypoints.http.hardening import client_ip, client_key, trusted_ip_header
from entrypoints.http.idempotency import OptionalKey, answer, fingerprint_of
from entrypoints.http.openapi import problems
from entrypoints.http.params import RowId
from entrypoints.settings import Settings
from entrypoints.urls import api_path

DateParam = Annotated[date, QueryParameter(description="ISO date (YYYY-MM-DD)")]


class AccommodationController(Controller):
    path = "/accommodations"
    tags = ["catalogue"]

    @get("/", summary="List active accommodations")
    @inject
    async def list_accommodations(
        self, use_case: FromDishka[ListAccommodations]
    ) -> list[schemas.Accommodation]:
        return [presenters.accommodation(a) for a in await use_case()]

    @get("/{accommodation_id:int}", summary="One accommodation", responses=problems(400, 404))
    @inject
    async def get_accommodation(
        self, accommodation_id: RowId, use_case: FromDishka[GetAccommodation]
    ) -> schemas.Accommodation:
        return presenters.accommodation(await use_case(accommodation_id))

    @get(
        "/{accommodation_id:int}/calendar",
        summary="Occupied ranges (no guest data); check_out is exclusive",
        responses=problems(400, 404, 422),
    )
    @inject
    async def calendar(
        self,
        accommodation_id: RowId,
        use_case: FromDishka[GetCalendar],
        start: Annotated[date, QueryParameter(name="from", description="first day (inclusive)")],
        end: Annotated[date, QueryParameter(name="to", description="last day (exclusive)")],
    ) -> schemas.Calendar:
        ranges = await use_case(CalendarQuery(accommodation_id, start, end))
        return schemas.Calendar(
            accommodation_id=accommodation_id,
            from_=start,
            to=end,
            occupied=[schemas.OccupiedRange(s.check_in, s.check_out) for s in ranges],
        )


class AvailabilityController(Controller):
    path = "/availability"
    tags = ["catalogue"]

    @get("/", summary="Quote every active accommodation for a stay", responses=problems(400, 422))
    @inject
    async def availability(
        self,
        use_case: FromDishka[CheckAvailability],
        check_in: DateParam,
        check_out: DateParam,
        guests: Annotated[int, QueryParameter(ge=1, le=100)] = 1,
    ) -> schemas.Availability:
        results = await use_case(AvailabilityQuery(check_in, check_out, guests))
        nights = Stay(check_in, check_out).nights
        return schemas.Availability(
            check_in=check_in,
            check_out=check_out,
            guests=guests,
            nights=nights,
            accommodations=[presenters.availability_item(r, nights) for r in results],
        )


class ReservationController(Controller):
    path = "/reservations"
    tags = ["reservations"]

    @post(
        "/",
        summary="Hold a stay (pre_reserved) until the deposit is paid",
        status_code=HTTP_201_CREATED,
        responses=problems(400, 404, 409, 415, 422, 429),
    )
    @inject
    async def create(
        self,
        data: JSONBody[schemas.ReservationRequest],
        use_case: FromDishka[BookOnline],
        request: Request[Any, Any, Any],
        idempotency_key: OptionalKey = None,
    ) -> Response[schemas.Reservation]:
        # The app's own settings object (the container's too), read without a container lookup.
        settings: Settings = request.app.state.settings
        address = client_ip(request.scope, trusted_ip_header(settings))
        match await use_case(hold_command(data, address, idempotency_key), created_answer):
            case Answer(status, remembered):  # a repeated key: exactly the first answer
                body = msgspec.json.decode(remembered, type=schemas.Reservation)
                replayed = True
            case Held(reservation, as_of, replayed):
                body = presenters.reservation(reservation, as_of)
                status = HTTP_201_CREATED
        location = {"Location": api_path("reservations", body.code)}
        return answer(body, replayed=replayed, status=status, headers=location)

    @get(
        "/{code:str}",
        summary="A reservation by its code (guest contact data masked)",
        responses=problems(404),
    )
    @inject
    async def get_reservation(
        self,
        code: Annotated[str, PathParameter(examples=[Example(value="7K3M9QXD2F4H")])],
        use_case: FromDishka[GetReservation],
    ) -> schemas.Reservation:
        view = await use_case(code)
        return presenters.reservation(view.reservation, view.status)


def hold_command(
    data: schemas.ReservationRequest, address: str, idempotency_key: str | None
) -> PlaceHoldCommand:
    raw = msgspec.json.encode(data)
    return PlaceHoldCommand(
        accommodation_id=data.accommodation_id,
        check_in=data.check_in,
        check_out=data.check_out,
        guests=data.guests,
        guest=Guest(guest_name(data.guest_name), data.guest_phone, data.guest_email),
        channel=Channel.API,
        notes=data.notes,
        idempotency_key=idempotency_key,
        # The same key with another body is refused; with the same body, replayed.
        fingerprint=fingerprint_of(raw) if idempotency_key else None,
        # The same body from the same client: a retry after an answer that never arrived.
        retry_key=hashlib.sha256(address.encode() + b"\x00" + raw).hexdigest()[:32],
        quota=HoldQuota(phone_key(data.guest_phone), client_key(address)),
        payment_method=PaymentMethod(data.payment_method),
    )


def created_answer(reservation: Reservation) -> Answer:
    """The 201 body, as remembered for an ``Idempotency-Key``."""
    body = presenters.reservation(reservation, reservation.status)
    return Answer(HTTP_201_CREATED, msgspec.json.encode(body).decode())
