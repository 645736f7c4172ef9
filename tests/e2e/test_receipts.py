"""A transfer receipt end to end: a guest who booked to pay by transfer sends a photo on
WhatsApp (signed webhook, Meta's shapes), it is downloaded from the fake Graph API's media
endpoint with the bearer token, stored, answered in Spanish, listed for the owner, served back
and approved — which records the transfer and confirms the booking."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from application.messaging import texts
from tests.e2e.test_ledger import admin
from tests.e2e.test_payments import DEPOSIT, hold, status_of
from tests.e2e.test_whatsapp_conversation import (
    Guest,
    _fresh_conversations,  # noqa: F401 - autouse: no conversation leaks between tests
    _messages_dated_by_the_test_clock,  # noqa: F401 - autouse: Meta dates messages "now"
    body_of,
)
from tests.fakes.providers import WA_TOKEN, FakeWhatsApp

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 40


def image(media_id: str, mime: str = "image/jpeg") -> dict[str, object]:
    return {"type": "image", "image": {"id": media_id, "mime_type": mime, "sha256": "x"}}


async def test_a_receipt_photo_is_downloaded_stored_queued_and_approved(
    pay_client: Client, wa: FakeWhatsApp
) -> None:
    booking = await hold(pay_client, payment_method="transfer")
    assert booking["payment_url"] is None
    wa.media["778899001122"] = ("image/jpeg", JPEG)
    guest = Guest(pay_client, wa)
    [reply] = await guest.send(image("778899001122"))
    assert body_of(reply) == texts.conv_receipt_received(str(booking["code_display"]))
    assert wa.media_requests == [
        ("/v23.0/778899001122", f"Bearer {WA_TOKEN}"),
        ("/lookaside/media/778899001122", f"Bearer {WA_TOKEN}"),
    ]
    [queued] = (await pay_client.get("/admin/receipts", headers=admin())).json()
    assert queued["reservation_code"] == booking["code"]
    assert (queued["mime_type"], queued["size_bytes"], queued["status"]) == (
        "image/jpeg",
        len(JPEG),
        "pending",
    )
    content = await pay_client.get(queued["content_url"].removeprefix("/api/v1"), headers=admin())
    assert content.status_code == 200
    assert content.content == JPEG
    assert content.headers["content-type"].startswith("image/jpeg")
    assert content.headers["x-content-type-options"] == "nosniff"
    approved = await pay_client.post(
        f"/admin/receipts/{queued['id']}/approve",
        json={"amount_cents": int(DEPOSIT * 100)},
        headers=admin(),
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["payments"][0]["method"] == "transfer"
    assert await status_of(pay_client, booking["code"]) == "confirmed"
    assert (await pay_client.get("/admin/receipts", headers=admin())).json() == []
    rejected = await pay_client.post(
        f"/admin/receipts/{queued['id']}/reject", json={}, headers=admin()
    )
    assert rejected.status_code == 409
    assert rejected.headers["content-type"] == "application/problem+json"


async def test_a_file_that_is_not_a_receipt_is_refused_and_nothing_is_stored(
    pay_client: Client, wa: FakeWhatsApp
) -> None:
    await hold(pay_client, payment_method="transfer")
    wa.media["5566"] = ("application/pdf", b"PK\x03\x04 a zip renamed to pdf")
    guest = Guest(pay_client, wa)
    [reply] = await guest.send(
        {"type": "document", "document": {"id": "5566", "mime_type": "application/pdf"}}
    )
    assert body_of(reply) == texts.CONV_RECEIPT_WRONG_TYPE
    assert (await pay_client.get("/admin/receipts", headers=admin())).json() == []
    missing = await pay_client.get("/admin/receipts/999/content", headers=admin())
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
