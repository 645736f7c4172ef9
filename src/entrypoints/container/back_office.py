"""Back office: what the owner does through the admin API."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from adapters.postgres.back_office import SqlBackOfficeReads
from adapters.postgres.stats import SqlStatsReader
from application.back_office.accommodations import (
    CreateAccommodation,
    GetAnyAccommodation,
    ListAllAccommodations,
    UpdateAccommodation,
)
from application.back_office.blocks import CreateBlock, DeleteBlock, GetBlock, ListBlocks
from application.back_office.cabin_texts import GetCabinTexts, UpdateCabinTexts
from application.back_office.calendar_grid import GetCalendarStamp, GetCalendarWindow
from application.back_office.manual_booking import CreateManualBooking
from application.back_office.move import MoveReservation
from application.back_office.notes import AddReservationNote
from application.back_office.payment_link import ResendPaymentLink
from application.back_office.prices import (
    ApplyBulkChange,
    GetPrices,
    PreviewBulkChange,
    ReplacePrices,
)
from application.back_office.queue_items import DismissCollision, ResolveUndeliverable
from application.back_office.reservations import (
    CancelHold,
    CancelReservation,
    ConfirmManually,
    GetReservationForAdmin,
    SearchReservations,
)
from application.back_office.stats import GetStats
from application.back_office.timeline import GetReservationTimeline
from application.back_office.today import GetToday
from application.ports.back_office import BackOfficeReads
from application.ports.clock import Clock
from application.ports.holidays import HolidaySource
from application.ports.pricing import PriceRulesRepository
from application.ports.stats import StatsReader
from application.ports.unit_of_work import UnitOfWork


class BackOfficeProvider(Provider):
    scope = Scope.REQUEST

    search_reservations = provide(SearchReservations)
    admin_reservation = provide(GetReservationForAdmin)
    cancel_reservation = provide(CancelReservation)
    cancel_hold = provide(CancelHold)
    confirm_manually = provide(ConfirmManually)
    resolve_undeliverable = provide(ResolveUndeliverable)
    dismiss_collision = provide(DismissCollision)
    list_all_accommodations = provide(ListAllAccommodations)
    get_any_accommodation = provide(GetAnyAccommodation)
    create_accommodation = provide(CreateAccommodation)
    update_accommodation = provide(UpdateAccommodation)
    create_block = provide(CreateBlock)
    delete_block = provide(DeleteBlock)
    get_block = provide(GetBlock)
    list_blocks = provide(ListBlocks)
    stats_reader = provide(SqlStatsReader, provides=StatsReader)
    get_stats = provide(GetStats)
    back_office_reads = provide(SqlBackOfficeReads, provides=BackOfficeReads)
    get_today = provide(GetToday)
    get_calendar_window = provide(GetCalendarWindow)
    get_calendar_stamp = provide(GetCalendarStamp)
    get_cabin_texts = provide(GetCabinTexts)
    update_cabin_texts = provide(UpdateCabinTexts)
    get_prices = provide(GetPrices)

    @provide
    def replace_prices(
        self, uow: UnitOfWork, clock: Clock, cache: PriceRulesRepository
    ) -> ReplacePrices:
        return ReplacePrices(uow, clock, cache)

    @provide
    def preview_bulk_change(
        self, uow: UnitOfWork, clock: Clock, holidays: HolidaySource
    ) -> PreviewBulkChange:
        return PreviewBulkChange(uow, clock, holidays)

    @provide
    def apply_bulk_change(
        self, uow: UnitOfWork, clock: Clock, cache: PriceRulesRepository, holidays: HolidaySource
    ) -> ApplyBulkChange:
        return ApplyBulkChange(uow, clock, cache, holidays)

    move_reservation = provide(MoveReservation)
    add_reservation_note = provide(AddReservationNote)
    create_manual_booking = provide(CreateManualBooking)
    reservation_timeline = provide(GetReservationTimeline)
    resend_payment_link = provide(ResendPaymentLink)
