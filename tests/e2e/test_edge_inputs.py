"""Inputs an outside reviewer threw at the service: every one gets a clear problem answer,
never a 500, and nothing is half-written."""

from __future__ import annotations

import json

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from adapters.postgres.database import make_engine
from adapters.whatsapp.signature import sign
from entrypoints.container import make_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.e2e.conftest import ADMIN_EMAIL, JWT_SECRET, WA_APP_SECRET
from tests.e2e.test_admin import bearer
from tests.e2e.test_api import BOOKING, assert_problem
from tests.e2e.test_payments import signed_headers
from tests.fakes.providers import FakeWhatsApp

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]


@pytest.mark.parametrize("field", ["guest_name", "guest_email", "notes"])
async def test_a_nul_character_is_a_422_and_nothing_is_stored(client: Client, field: str) -> None:
    value = "a\u0000b@example.com" if field == "guest_email" else "A\u0000B"
    r = await client.post("/reservations", json={**BOOKING, field: value})
    assert_problem(r, 422)
    assert (await client.post("/reservations", json=BOOKING)).status_code == 201


async def test_a_blank_guest_name_is_refused(client: Client) -> None:
    body = assert_problem(
        await client.post("/reservations", json={**BOOKING, "guest_name": "  "}), 422
    )
    assert "guest_name" in str(body["detail"])


@pytest.mark.parametrize(
    "name", ["\u200b\u200c\u200d", "\u202e\u2066\u2069", "\x1b[31m\x1b[0m", "\u3164 \ufeff"]
)
async def test_a_name_of_invisible_characters_is_a_422_naming_the_field(
    client: Client, name: str
) -> None:
    body = assert_problem(
        await client.post("/reservations", json={**BOOKING, "guest_name": name}), 422
    )
    assert body["code"] == "invalid_guest_name"
    assert body["errors"] == [{"field": "guest_name", "source": "body", "message": body["detail"]}]
    assert (await client.post("/reservations", json=BOOKING)).status_code == 201


async def test_a_name_is_stored_and_shown_without_invisible_characters(
    client: Client, settings: Settings
) -> None:
    r = await client.post(
        "/reservations",
        json={**BOOKING, "guest_name": "\u202eJua\u200bna\u202c \x1b[1mPe\u0301rez\x1b[0m"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["guest"]["name"] == "Juana P."
    engine = make_engine(settings.database_url or "", pool_size=1)
    try:
        async with engine.connect() as conn:
            stored = await conn.scalar(
                text("SELECT guest_name FROM reservations WHERE code = :c"),
                {"c": r.json()["code"].replace("-", "")},
            )
    finally:
        await engine.dispose()
    assert stored == "Juana Pérez"


async def test_a_body_that_is_not_utf8_is_a_400(client: Client) -> None:
    r = await client.post(
        "/reservations",
        content=b'{"guest_name":"P\xe9rez"}',
        headers={"Content-Type": "application/json"},
    )
    assert assert_problem(r, 400)["code"] == "malformed_json"


@pytest.mark.parametrize(
    "body",
    [b"[" * 3000 + b"]" * 3000, b'{"a":' * 3000, b'{"guest_name":' + b"[" * 3000],
    ids=["arrays", "objects", "in-a-field"],
)
async def test_json_nested_too_deeply_is_a_400_not_a_500(client: Client, body: bytes) -> None:
    """msgspec stops at a recursion limit; that is bad input, not a server error (a 500 here let
    anyone trip the 5xx alert with 4 KB bodies)."""
    r = await client.post(
        "/reservations", content=body, headers={"Content-Type": "application/json"}
    )
    problem = assert_problem(r, 400)
    assert problem["code"] == "malformed_json"
    assert "nested too deeply" in problem["detail"]
    assert (await client.get("/healthz")).status_code == 200


async def test_a_body_over_the_limit_says_the_limit(client: Client) -> None:
    r = await client.post(
        "/reservations",
        content=b"{" + b" " * 70_000 + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert "64 KiB" in str(assert_problem(r, 413)["detail"])


async def test_a_bad_idempotency_key_is_called_a_header(client: Client) -> None:
    r = await client.post("/reservations", json=BOOKING, headers={"Idempotency-Key": ""})
    assert "invalid header" in str(assert_problem(r, 400)["detail"])


async def test_metrics_content_type_has_one_charset(client: Client) -> None:
    r = await client.get("http://testserver.local/metrics")
    assert r.headers["content-type"].count("charset") == 1


async def test_a_signed_whatsapp_message_with_nul_is_accepted(
    pay_client: Client, wa: FakeWhatsApp
) -> None:
    envelope = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "contacts": [
                                {"profile": {"name": "Nu\u0000ll"}, "wa_id": "5491155551234"}
                            ],
                            "messages": [
                                {
                                    "from": "5491155551234",
                                    "id": "wamid.NUL1",
                                    "timestamp": "1",
                                    "type": "text",
                                    "text": {"body": "hola\u0000 somos 2"},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    body = json.dumps(envelope).encode()
    r = await pay_client.post(
        "/webhooks/whatsapp",
        content=body,
        headers={
            "X-Hub-Signature-256": sign(WA_APP_SECRET, body),
            "Content-Type": "application/json",
        },
    )
    assert r.status_code == 202, r.text
    assert len(wa.sent) == 1  # the assistant answered


async def test_a_signed_whatsapp_body_that_is_not_json_is_a_plain_400(pay_client: Client) -> None:
    body = b"not json"
    r = await pay_client.post(
        "/webhooks/whatsapp",
        content=body,
        headers={"X-Hub-Signature-256": sign(WA_APP_SECRET, body)},
    )
    assert assert_problem(r, 400)["detail"] == "the body is not JSON"


@pytest.mark.parametrize(
    "message",
    [
        {"type": "text", "text": "hola"},
        {"type": "interactive", "interactive": "x"},
        {"type": "interactive", "interactive": {"button_reply": "x"}},
        {"type": "button", "button": ["x"]},
    ],
    ids=["text-as-string", "interactive-as-string", "reply-as-string", "button-as-list"],
)
async def test_a_signed_whatsapp_message_of_the_wrong_shape_is_not_a_500(
    pay_client: Client, message: dict[str, object]
) -> None:
    envelope = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "contacts": [{"wa_id": "5491155550101", "profile": "Juana"}],
                            "messages": [
                                {
                                    "id": f"wamid.shape-{message['type']}-{len(str(message))}",
                                    "from": "5491155550101",
                                    "timestamp": "1764300000",
                                    **message,
                                }
                            ],
                        },
                    }
                ]
            }
        ],
    }
    body = json.dumps(envelope).encode()
    r = await pay_client.post(
        "/webhooks/whatsapp",
        content=body,
        headers={"X-Hub-Signature-256": sign(WA_APP_SECRET, body)},
    )
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "accepted"


async def test_a_feed_url_with_control_characters_is_unsafe(pay_client: Client) -> None:
    r = await pay_client.post(
        "/ical/import",
        json={"accommodation_id": 1, "source": "other", "url": "http://127.0.0.1:9/a\u0000.ics"},
        headers=bearer(ADMIN_EMAIL, secret=JWT_SECRET),
    )
    assert assert_problem(r, 422)["code"] == "unsafe_url"


async def test_signed_mercadopago_notifications_wait_while_payments_are_not_configured(
    integrated_settings: Settings,
) -> None:
    # The webhook secret is set (the signature passes), the access token is not: payments off.
    configured = msgspec.structs.replace(integrated_settings, mp_access_token=None)
    app = create_app(make_container(configured), configured)
    async with AsyncTestClient(app=app, base_url="http://testserver.local/api/v1") as client:
        r = await client.post(
            "/webhooks/mercadopago?data.id=5&type=payment",
            json={"type": "payment", "data": {"id": "5"}},
            headers=signed_headers("5"),
        )
    body = assert_problem(r, 503)
    assert "MP_ACCESS_TOKEN" in str(body["detail"])
    assert r.headers["retry-after"] == "900"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        # Every missing field, not only the first.
        (
            {"accommodation_id": 1},
            ["check_in", "check_out", "guests", "guest_name", "guest_phone"],
        ),
        ({**BOOKING, "colour": "blue"}, ["colour"]),
        ({**BOOKING, "guests": "many"}, ["guests"]),
    ],
)
async def test_invalid_bodies_name_the_field(
    client: Client, body: dict[str, object], fields: list[str]
) -> None:
    problem = assert_problem(await client.post("/reservations", json=body), 422)
    assert [e["field"] for e in problem["errors"]] == fields  # type: ignore[union-attr]
    for field in fields:
        assert field in str(problem["detail"])


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/accommodations/1/calendar", {"from": "2027-13-01", "to": "2027-02-01"}, "from"),
        ("/accommodations/1/calendar", {"from": "2027-01-01", "to": "nope"}, "to"),
        ("/admin/reservations", {"from": "x"}, "from"),
        ("/admin/reservations", {"to": "nope"}, "to"),
    ],
)
async def test_a_bad_query_parameter_is_named_as_the_client_sent_it(
    pay_client: Client, path: str, params: dict[str, str], field: str
) -> None:
    r = await pay_client.get(path, params=params, headers=bearer(ADMIN_EMAIL, secret=JWT_SECRET))
    problem = assert_problem(r, 400)
    assert [e["field"] for e in problem["errors"]] == [field]
    assert problem["detail"].startswith(f"invalid query or path parameter — {field}: ")


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json; charset=latin-1",
        "application/jsonx",
    ],
)
async def test_a_booking_not_sent_as_json_is_a_415_and_holds_nothing(
    client: Client, content_type: str | None
) -> None:
    """A web page can make its visitors' browsers POST text/plain (or a form) with no CORS
    preflight: such a body, even valid JSON, must not place a hold."""
    headers = {} if content_type is None else {"Content-Type": content_type}
    r = await client.post("/reservations", content=json.dumps(BOOKING), headers=headers)
    problem = assert_problem(r, 415)
    assert problem["code"] == "unsupported_media_type"
    assert "application/json" in str(problem["detail"])
    assert r.headers["accept-post"] == "application/json"
    # The nights are still free: the same booking as JSON gets them.
    assert (await client.post("/reservations", json=BOOKING)).status_code == 201


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", 'Application/JSON;Charset="UTF-8"'],
)
async def test_json_bookings_are_accepted_with_or_without_charset(
    client: Client, content_type: str
) -> None:
    r = await client.post(
        "/reservations", content=json.dumps(BOOKING), headers={"Content-Type": content_type}
    )
    assert r.status_code == 201, r.text
