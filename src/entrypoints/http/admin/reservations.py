"""/api/v1/admin: behind the JWT guard; every write is audited by the use cases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from application.back_office.accommodations import (
    AccommodationChanges,
    CreateAccommodation,
    GetAnyAccommodation,
    ListAllAccommodations,
    UpdateAccommodation,
)
from application.back_office.blocks import CreateBlock, DeleteBlock, ListBlocks
from application.back_office.reservations import (
    CancelReservation,
    ConfirmManually,
    GetReservationForAdmin,
    ManualPayment,
    SearchReservations,
)
from application.back_office.stats import GetStats
from application.ports.export_tokens import ExportTokens
from application.ports.repositories import ReservationFilter
from domain.booking.accommodation import Accommodation
from domain.booking.block import Block
from domain.booking.reservation import Channel, Reservation, ReservationStatus
from entrypoints.http import presenters, schemas
from entrypoints.http.admin.auth import current_admin, require_admin
from entrypoints.http.openapi import problems
from entrypoints.http.params import BodyRowId, Offset, OptionalRowId, RowId
from entrypoints.http.public.ical import export_urls
from entrypoints.urls import api_path

AdminRequest = Request[Any, Any, Any]


class AdminReservation(schemas.Reservation):
    """Like the guest's view, with the contact data unmasked and the notes."""

    notes: str | None = None


class SettlementView(msgspec.Struct):
    """What the cabin's cancellation tiers return of the money held when cancelling."""

    days_before: int
    paid_amount: float
    refund_amount: float
    credit_amount: float
    kept_amount: float


class CreditView(msgspec.Struct):
    """Credit for another date tied to the guest's phone, applied when they book again."""

    amount: float
    currency: str
    expires_on: date | None
    issued_by: str


class CancelledReservation(AdminReservation):
    settlement: SettlementView | None = None
    credit: CreditView | None = None  # the credit this cancellation gave the guest, if any


class AdminReservationPage(msgspec.Struct):
    items: list[AdminReservation]
    total: int  # counted up to 10,000; with more, 10,000 and total_capped true
    limit: int
    offset: int
    total_capped: bool = False


class CancelRequest(msgspec.Struct, forbid_unknown_fields=True):
    """``credit_cents``: the owner's credit for the guest instead of what the cabin's tier
    says (0: none); ``credit_valid_days``: how long it can be used (default: the tier's)."""

    reason: Annotated[str, msgspec.Meta(max_length=500)] | None = None
    credit_cents: Annotated[int, msgspec.Meta(ge=0, le=10**13)] | None = None
    credit_valid_days: Annotated[int, msgspec.Meta(ge=1, le=3650)] | None = None


class ConfirmRequest(msgspec.Struct, forbid_unknown_fields=True):
    payment_method: ManualPayment
    note: Annotated[str, msgspec.Meta(max_length=500)] | None = None


def admin_view(r: Reservation) -> AdminReservation:
    base = presenters.reservation(r, r.status)
    fields = {f: getattr(base, f) for f in base.__struct_fields__ if f != "guest"}
    guest = schemas.GuestView(name=r.guest.name, phone=r.guest.phone, email=r.guest.email)
    return AdminReservation(**fields, guest=guest, notes=r.notes)


class AdminReservationController(Controller):
    path = "/admin/reservations"
    tags = ["admin"]
    guards = [require_admin]
    security = [{"BearerToken": []}]

    @get(
        "/", summary="Search reservations (full guest data)", responses=problems(400, 401, 403, 422)
    )
    @inject
    async def search(
        self,
        use_case: FromDishka[SearchReservations],
        status: Annotated[ReservationStatus | None, QueryParameter()] = None,
        accommodation_id: OptionalRowId = None,
        channel: Annotated[Channel | None, QueryParameter()] = None,
        stay_from: Annotated[date | None, QueryParameter(name="from")] = None,
        stay_to: Annotated[date | None, QueryParameter(name="to")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Offset = 0,
    ) -> AdminReservationPage:
        page = await use_case(
            ReservationFilter(status, accommodation_id, channel, stay_from, stay_to, limit, offset)
        )
        return AdminReservationPage(
            [admin_view(r) for r in page.items], page.total, limit, offset, page.total_capped
        )

    @get(
        "/{code:str}",
        summary="One reservation with full guest data",
        responses=problems(401, 403, 404),
    )
    @inject
    async def detail(
        self, code: FromPath[str], use_case: FromDishka[GetReservationForAdmin]
    ) -> AdminReservation:
        return admin_view(await use_case(code))

    @post(
        "/{code:str}/cancel",
        status_code=200,
        summary="Cancel a hold or a booking (audited)",
        responses=problems(401, 403, 404, 409, 422),
    )
    @inject
    async def cancel(
        self,
        request: AdminRequest,
        code: FromPath[str],
        data: JSONBody[CancelRequest],
        use_case: FromDishka[CancelReservation],
    ) -> CancelledReservation:
        admin = current_admin(request)
        done = await use_case(
            code, admin.email, data.reason, data.credit_cents, data.credit_valid_days
        )
        view = admin_view(done.reservation)
        s = done.settlement
        c = done.credit
        return CancelledReservation(
            **{f: getattr(view, f) for f in view.__struct_fields__},
            settlement=SettlementView(
                s.days_before,
                s.paid.cents / 100,
                s.refund.cents / 100,
                s.credit.cents / 100,
                s.kept.cents / 100,
            ),
            credit=CreditView(c.amount.cents / 100, c.amount.currency, c.expires_on, c.issued_by)
            if c is not None
            else None,
        )

    @post(
        "/{code:str}/confirm",
        status_code=200,
        summary="Confirm a hold paid in cash or by transfer (audited)",
        responses=problems(401, 403, 404, 409, 422),
    )
    @inject
    async def confirm(
        self,
        request: AdminRequest,
        code: FromPath[str],
        data: JSONBody[ConfirmRequest],
        use_case: FromDishka[ConfirmManually],
    ) -> AdminReservation:
        admin = current_admin(request)
        return admin_view(await use_case(code, admin.email, data.payment_method, data.note))


class BlockRequest(msgspec.Struct, forbid_unknown_fields=True):
    accommodation_id: BodyRowId
    check_in: date
    check_out: date
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


class BlockView(msgspec.Struct):
    code: str
    accommodation_id: int
    check_in: date
    check_out: date
    nights: int
    reason: str
    active: bool


def block_view(b: Block) -> BlockView:
    return BlockView(
        b.code.value,
        b.accommodation_id,
        b.stay.check_in,
        b.stay.check_out,
        b.stay.nights,
        b.reason,
        b.active,
    )


class AdminBlockController(Controller):
    path = "/admin/blocks"
    tags = ["admin"]
    guards = [require_admin]
    security = [{"BearerToken": []}]

    @get("/", summary="Active and future manual blocks", responses=problems(400, 401, 403))
    @inject
    async def list_blocks(
        self,
        use_case: FromDishka[ListBlocks],
        accommodation_id: OptionalRowId = None,
    ) -> list[BlockView]:
        return [block_view(b) for b in await use_case(accommodation_id)]

    @post(
        "/",
        summary="Close nights (they exclude bookings like bookings do; audited)",
        responses=problems(400, 401, 403, 404, 409, 422),
    )
    @inject
    async def create(
        self, request: AdminRequest, data: JSONBody[BlockRequest], use_case: FromDishka[CreateBlock]
    ) -> Response[BlockView]:
        admin = current_admin(request)
        block = await use_case(
            data.accommodation_id, data.check_in, data.check_out, data.reason, admin.email
        )
        return Response(
            block_view(block),
            status_code=201,
            headers={"Location": api_path("admin", "blocks", block.code.value)},
        )

    @delete(
        "/{code:str}",
        status_code=204,
        summary="Reopen the nights of a block (audited)",
        responses=problems(401, 403, 404),
    )
    @inject
    async def remove(
        self, request: AdminRequest, code: FromPath[str], use_case: FromDishka[DeleteBlock]
    ) -> None:
        await use_case(code, current_admin(request).email)


# Bounds are checked by the domain (msgspec cannot put ge/gt on Decimal).
Price = Annotated[Decimal, msgspec.Meta(description="ARS per night, at most two decimals")]
Multiplier = Annotated[Decimal, msgspec.Meta(description="applies to Friday and Saturday nights")]


class AccommodationCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    capacity: Annotated[int, msgspec.Meta(ge=1, le=100)]
    base_price: Price
    description: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    weekend_multiplier: Multiplier = Decimal(1)
    min_nights: Annotated[int, msgspec.Meta(ge=1, le=30)] = 1
    amenities: list[Annotated[str, msgspec.Meta(max_length=60)]] = msgspec.field(
        default_factory=list
    )
    active: bool = True


class AccommodationPatch(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)] | None = None
    capacity: Annotated[int, msgspec.Meta(ge=1, le=100)] | None = None
    base_price: Price | None = None
    description: Annotated[str, msgspec.Meta(max_length=2000)] | None = None
    weekend_multiplier: Multiplier | None = None
    min_nights: Annotated[int, msgspec.Meta(ge=1, le=30)] | None = None
    amenities: list[Annotated[str, msgspec.Meta(max_length=60)]] | None = None
    active: bool | None = None


class AdminAccommodation(schemas.Accommodation):
    active: bool = True
    # Only in the single-accommodation view: the URLs to paste into Airbnb, Booking, Google…
    ical_export_url: str | None = None
    ical_export_urls: dict[str, str] | None = None


def accommodation_view(a: Accommodation) -> AdminAccommodation:
    base = presenters.accommodation(a)
    return AdminAccommodation(
        **{f: getattr(base, f) for f in base.__struct_fields__}, active=a.active
    )


def _changes(data: AccommodationCreate | AccommodationPatch) -> AccommodationChanges:
    return AccommodationChanges(
        name=data.name,
        description=data.description,
        capacity=data.capacity,
        base_price=data.base_price,
        weekend_multiplier=data.weekend_multiplier,
        min_nights=data.min_nights,
        amenities=tuple(data.amenities) if data.amenities is not None else None,
        active=data.active,
    )


class AdminAccommodationController(Controller):
    path = "/admin/accommodations"
    tags = ["admin"]
    guards = [require_admin]
    security = [{"BearerToken": []}]

    @get("/", summary="All accommodations, inactive included", responses=problems(401, 403))
    @inject
    async def list_all(
        self, use_case: FromDishka[ListAllAccommodations]
    ) -> list[AdminAccommodation]:
        return [accommodation_view(a) for a in await use_case()]

    @get(
        "/{accommodation_id:int}",
        summary="One accommodation",
        responses=problems(400, 401, 403, 404),
    )
    @inject
    async def detail(
        self,
        request: AdminRequest,
        accommodation_id: RowId,
        use_case: FromDishka[GetAnyAccommodation],
        tokens: FromDishka[ExportTokens],
    ) -> AdminAccommodation:
        view = accommodation_view(await use_case(accommodation_id))
        urls = export_urls(tokens, request.app.state.settings.public_base, accommodation_id)
        # The generic feed (our own bookings and blocks only) and one per consuming channel.
        view.ical_export_url = urls["all"]
        view.ical_export_urls = {k: v for k, v in urls.items() if k != "all"}
        return view

    @post(
        "/",
        summary="Create an accommodation (audited)",
        responses=problems(400, 401, 403, 409, 422),
    )
    @inject
    async def create(
        self,
        request: AdminRequest,
        data: JSONBody[AccommodationCreate],
        use_case: FromDishka[CreateAccommodation],
    ) -> Response[AdminAccommodation]:
        created = await use_case(_changes(data), current_admin(request).email)
        return Response(
            accommodation_view(created),
            status_code=201,
            headers={"Location": api_path("admin", "accommodations", created.id)},
        )

    @patch(
        "/{accommodation_id:int}",
        summary="Change price, capacity, min nights, multiplier, amenities, active (audited)",
        responses=problems(400, 401, 403, 404, 409, 422),
    )
    @inject
    async def update(
        self,
        request: AdminRequest,
        accommodation_id: RowId,
        data: JSONBody[AccommodationPatch],
        use_case: FromDishka[UpdateAccommodation],
    ) -> AdminAccommodation:
        return accommodation_view(
            await use_case(accommodation_id, _changes(data), current_admin(request).email)
        )

    @post(
        "/{accommodation_id:int}/deactivate",
        status_code=200,
        summary="Stop taking bookings for it (existing bookings stay; audited)",
        responses=problems(400, 401, 403, 404),
    )
    @inject
    async def deactivate(
        self,
        request: AdminRequest,
        accommodation_id: RowId,
        use_case: FromDishka[UpdateAccommodation],
    ) -> AdminAccommodation:
        changes = AccommodationChanges(active=False)
        return accommodation_view(
            await use_case(accommodation_id, changes, current_admin(request).email)
        )


class MonthRevenueView(msgspec.Struct):
    month: str
    bookings: int
    total_amount: float
    deposit_amount: float


class StatsView(msgspec.Struct):
    start: date = msgspec.field(name="from")
    end: date = msgspec.field(name="to")
    booked_nights: int = 0
    blocked_nights: int = 0
    external_nights: int = 0  # taken on Airbnb / Booking / other imported calendars
    cabin_nights: int = 0
    occupancy: float = 0.0
    pending_holds: int = 0
    currency: str = "ARS"
    revenue_by_month: list[MonthRevenueView] = msgspec.field(default_factory=list)


class AdminStatsController(Controller):
    path = "/admin/stats"
    tags = ["admin"]
    guards = [require_admin]
    security = [{"BearerToken": []}]

    @get(
        "/",
        summary="Occupancy, revenue by month, pending holds",
        responses=problems(400, 401, 403, 422),
    )
    @inject
    async def stats(
        self,
        use_case: FromDishka[GetStats],
        start: Annotated[date | None, QueryParameter(name="from")] = None,
        end: Annotated[date | None, QueryParameter(name="to")] = None,
    ) -> StatsView:
        s = await use_case(start, end)
        occupied = s.booked_nights + s.blocked_nights + s.external_nights
        return StatsView(
            start=s.window_start,
            end=s.window_end,
            booked_nights=s.booked_nights,
            blocked_nights=s.blocked_nights,
            external_nights=s.external_nights,
            cabin_nights=s.cabin_nights,
            occupancy=round(occupied / s.cabin_nights, 4) if s.cabin_nights else 0.0,
            pending_holds=s.pending_holds,
            revenue_by_month=[
                MonthRevenueView(m.month, m.bookings, m.total_cents / 100, m.deposit_cents / 100)
                for m in s.revenue_by_month
            ],
        )
