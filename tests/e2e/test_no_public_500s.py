"""Inputs that once answered 500 (and paged the on-call through the error-rate alert): each is
now a 4xx problem, or an ignored webhook item, and the service keeps working."""

from __future__ import annotations

import json

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from adapters.whatsapp.signature import sign
from domain.calendar_sync.export import ExportAddress
from entrypoints.container.calendar_sync import export_tokens
from tests.e2e.conftest import ADMIN_EMAIL, JWT_SECRET, WA_APP_SECRET
from tests.e2e.test_admin import bearer
from tests.e2e.test_api import assert_problem
from tests.fakes.providers import FakeWhatsApp

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]
TOO_BIG = str(2**63)  # one past PostgreSQL's bigint
HUGE = "9" * 40


def admin() -> dict[str, str]:
    return bearer(ADMIN_EMAIL, secret=JWT_SECRET)


@pytest.mark.parametrize(
    "token",
    ["²-all-0", "𐩀-all-0", "٣-all-0", "1" * 5000 + "-all-0", "+1-all-0", " 1-all-0", "1_0-all-0"],
    ids=["superscript", "kharosthi", "arabic-indic", "5000-digits", "plus", "space", "underscore"],
)
async def test_an_ical_token_that_is_not_ascii_digits_is_a_404(
    pay_client: Client, token: str
) -> None:
    assert_problem(await pay_client.get(f"/ical/{token}.ics"), 404)
    assert (await pay_client.head(f"/ical/{token}.ics")).status_code == 404


async def test_a_real_ical_token_still_works(pay_client: Client) -> None:
    token = export_tokens(pay_client.app.state.settings).token(ExportAddress(1, "all"))
    assert (await pay_client.get(f"/ical/{token}.ics")).status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/accommodations/{n}"),
        ("GET", "/accommodations/{n}/calendar?from=2027-01-01&to=2027-02-01"),
        ("GET", "/admin/accommodations/{n}"),
        ("PATCH", "/admin/accommodations/{n}"),
        ("POST", "/admin/accommodations/{n}/deactivate"),
        ("DELETE", "/admin/ical/feeds/{n}"),
        ("POST", "/admin/ical/feeds/{n}/sync"),
        ("POST", "/admin/ical/feeds/{n}/release"),
        ("GET", "/admin/reservations?accommodation_id={n}"),
        ("GET", "/admin/reservations?offset={n}"),
        ("GET", "/admin/blocks?accommodation_id={n}"),
        ("GET", "/admin/ical/feeds?accommodation_id={n}"),
    ],
)
@pytest.mark.parametrize("n", [TOO_BIG, HUGE])
async def test_an_integer_beyond_the_column_is_a_400(
    pay_client: Client, method: str, path: str, n: str
) -> None:
    body = {} if method in {"PATCH", "POST"} else None
    r = await pay_client.request(method, path.format(n=n), json=body, headers=admin())
    problem = assert_problem(r, 400)
    assert problem["code"] == "invalid_parameter"


async def test_the_largest_bigint_is_still_a_plain_404(pay_client: Client) -> None:
    assert_problem(await pay_client.get(f"/accommodations/{2**63 - 1}"), 404)
    assert_problem(await pay_client.get(f"/admin/accommodations/{2**63 - 1}", headers=admin()), 404)


async def test_a_block_for_an_accommodation_id_beyond_the_column_is_a_422(
    pay_client: Client,
) -> None:
    r = await pay_client.post(
        "/admin/blocks",
        json={"accommodation_id": 2**63, "check_in": "2027-01-04", "check_out": "2027-01-06"},
        headers=admin(),
    )
    assert assert_problem(r, 422)["errors"][0]["field"] == "accommodation_id"  # type: ignore[index]


async def test_stats_whose_default_window_would_pass_the_last_date_is_a_422(
    pay_client: Client,
) -> None:
    r = await pay_client.get("/admin/stats", params={"from": "9999-12-15"}, headers=admin())
    assert "'to'" in str(assert_problem(r, 422)["detail"])


@pytest.mark.parametrize(
    "params",
    [{"from": "9999-12-01", "to": "9999-12-31"}, {"from": "0001-01-01", "to": "0001-01-31"}],
    ids=["at-the-end", "at-the-start"],
)
async def test_stats_for_windows_at_the_calendars_edges_answer(
    pay_client: Client, params: dict[str, str]
) -> None:
    r = await pay_client.get("/admin/stats", params=params, headers=admin())
    assert r.status_code == 200, r.text
    assert r.json()["booked_nights"] == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("weekend_multiplier", "NaN"),
        ("weekend_multiplier", "Infinity"),
        ("weekend_multiplier", "-Infinity"),
        ("weekend_multiplier", "sNaN"),
        ("weekend_multiplier", 1e30),
        ("weekend_multiplier", "1.0001"),  # the column keeps three decimals
        ("weekend_multiplier", 0),
        ("base_price", "NaN"),
        ("base_price", "Infinity"),
        ("base_price", 1e30),
        ("base_price", "1e30"),
        ("base_price", "1E+400"),
    ],
)
@pytest.mark.parametrize("method", ["POST", "PATCH"])
async def test_non_finite_or_huge_decimals_are_a_422(
    pay_client: Client, method: str, field: str, value: object
) -> None:
    body: dict[str, object] = {field: value}
    path = "/admin/accommodations/1"
    if method == "POST":
        path = "/admin/accommodations"
        body = {"name": f"Cabaña {field} {value}", "capacity": 2, "base_price": 1000, **body}
    r = await pay_client.request(method, path, json=body, headers=admin())
    problem = assert_problem(r, 422)
    assert field in str(problem["detail"])
    # Nothing changed: the cabin still quotes.
    assert (await pay_client.get("/accommodations/1")).json()["weekend_multiplier"] > 0


def _envelope(message: dict[str, object], contacts: list[object]) -> bytes:
    value = {"contacts": contacts, "messages": [message]}
    entry = {"changes": [{"field": "messages", "value": value}]}
    return json.dumps({"object": "whatsapp_business_account", "entry": [entry]}).encode()


@pytest.mark.parametrize(
    ("message", "contacts"),
    [
        ({"id": "wamid.F1", "from": {"x": 1}, "type": "text", "text": {"body": "hola"}}, []),
        ({"id": "wamid.F2", "from": ["549"], "type": "text", "text": {"body": "hola"}}, []),
        ({"id": {"a": 1}, "from": "5491155550101", "type": "text"}, []),
        ({"id": "wamid.F4", "from": 5491155550101, "type": "text"}, []),
        (
            {"id": "wamid.F5", "from": "5491155550101", "type": {"t": 1}},
            [{"wa_id": {"x": 1}, "profile": {"name": "J"}}],
        ),
    ],
    ids=["from-object", "from-list", "id-object", "from-number", "type-and-wa_id-objects"],
)
async def test_a_signed_whatsapp_item_of_the_wrong_shape_is_ignored(
    pay_client: Client, wa: FakeWhatsApp, message: dict[str, object], contacts: list[object]
) -> None:
    body = _envelope(message, contacts)
    r = await pay_client.post(
        "/webhooks/whatsapp",
        content=body,
        headers={"X-Hub-Signature-256": sign(WA_APP_SECRET, body)},
    )
    assert r.status_code == 202, r.text
    assert r.json()["items"] == 0
    assert wa.sent == []
