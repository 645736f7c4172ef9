"""Back office: what the owner does through the admin API."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from adapters.postgres.stats import SqlStatsReader
from application.back_office.accommodations import (
    CreateAccommodation,
    GetAnyAccommodation,
    ListAllAccommodations,
    UpdateAccommodation,
)
from application.back_office.blocks import CreateBlock, DeleteBlock, ListBlocks
from application.back_office.reservations import (
    CancelHold,
    CancelReservation,
    ConfirmManually,
    GetReservationForAdmin,
    SearchReservations,
)
from application.back_office.stats import GetStats
from application.ports.stats import StatsReader


class BackOfficeProvider(Provider):
    scope = Scope.REQUEST

    search_reservations = provide(SearchReservations)
    admin_reservation = provide(GetReservationForAdmin)
    cancel_reservation = provide(CancelReservation)
    cancel_hold = provide(CancelHold)
    confirm_manually = provide(ConfirmManually)
    list_all_accommodations = provide(ListAllAccommodations)
    get_any_accommodation = provide(GetAnyAccommodation)
    create_accommodation = provide(CreateAccommodation)
    update_accommodation = provide(UpdateAccommodation)
    create_block = provide(CreateBlock)
    delete_block = provide(DeleteBlock)
    list_blocks = provide(ListBlocks)
    stats_reader = provide(SqlStatsReader, provides=StatsReader)
    get_stats = provide(GetStats)
