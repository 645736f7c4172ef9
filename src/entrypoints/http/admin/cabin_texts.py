"""/api/v1/admin/accommodations/{id}/messages: each cabin's texts for its scheduled messages
(pre-arrival, check-out reminder, thank-you with a review link)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, get, put
from litestar.params import JSONBody

from application.back_office.cabin_texts import GetCabinTexts, UpdateCabinTexts
from domain.messaging.cabin_texts import MAX_ADDRESS, MAX_NOTE, MAX_URL, CabinTexts, clock_time
from entrypoints.http.admin.auth import current_admin, require_admin
from entrypoints.http.openapi import problems
from entrypoints.http.params import RowId

Note = Annotated[str, msgspec.Meta(max_length=MAX_NOTE)]
Link = Annotated[str, msgspec.Meta(max_length=MAX_URL)]
ClockTime = Annotated[str, msgspec.Meta(max_length=5, description="HH:MM, 24 h, Argentine time")]


class CabinTextsBody(msgspec.Struct, forbid_unknown_fields=True):
    """Every field, as GET returns them: a PUT replaces the cabin's whole set."""

    address: Annotated[str, msgspec.Meta(max_length=MAX_ADDRESS)]
    map_url: Link
    check_in_time: ClockTime
    check_out_time: ClockTime
    keys: Note
    check_out_note: Note
    thank_you_note: Note
    review_url: Link


class CabinTextsView(CabinTextsBody):
    accommodation_id: int
    # The link the pre-arrival message carries: map_url, else a map search for the address.
    map_link: str


def texts_view(accommodation_id: int, t: CabinTexts) -> CabinTextsView:
    return CabinTextsView(
        accommodation_id=accommodation_id,
        address=t.address,
        map_url=t.map_url,
        check_in_time=f"{t.check_in_time:%H:%M}",
        check_out_time=f"{t.check_out_time:%H:%M}",
        keys=t.keys,
        check_out_note=t.check_out_note,
        thank_you_note=t.thank_you_note,
        review_url=t.review_url,
        map_link=t.map_link,
    )


def _texts(data: CabinTextsBody) -> CabinTexts:
    return CabinTexts(
        address=data.address,
        map_url=data.map_url,
        check_in_time=clock_time(data.check_in_time, "check_in_time"),
        check_out_time=clock_time(data.check_out_time, "check_out_time"),
        keys=data.keys,
        check_out_note=data.check_out_note,
        thank_you_note=data.thank_you_note,
        review_url=data.review_url,
    )


class AdminCabinTextsController(Controller):
    path = "/admin/accommodations/{accommodation_id:int}/messages"
    tags = ["admin"]
    guards = [require_admin]
    security = [{"BearerToken": []}]

    @get(
        "/",
        summary="The cabin's texts for its scheduled messages (defaults until edited)",
        responses=problems(400, 401, 403, 404),
    )
    @inject
    async def read(
        self, accommodation_id: RowId, use_case: FromDishka[GetCabinTexts]
    ) -> CabinTextsView:
        return texts_view(accommodation_id, await use_case(accommodation_id))

    @put(
        "/",
        summary="Replace the cabin's texts for its scheduled messages (audited)",
        responses=problems(400, 401, 403, 404, 422),
    )
    @inject
    async def replace(
        self,
        request: Request[Any, Any, Any],
        accommodation_id: RowId,
        data: JSONBody[CabinTextsBody],
        use_case: FromDishka[UpdateCabinTexts],
    ) -> CabinTextsView:
        saved = await use_case(accommodation_id, _texts(data), current_admin(request).email)
        return texts_view(accommodation_id, saved)
