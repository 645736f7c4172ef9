"""The owner edits a cabin's texts for its scheduled messages through the admin API: read
(defaults until edited), replaced whole, validated field by field, audited."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from entrypoints.settings import Settings
from tests.e2e.test_admin import _audit, admin_client, bearer  # noqa: F401 - the fixture
from tests.e2e.test_api import assert_problem

pytestmark = pytest.mark.db
Client = AsyncTestClient[Litestar]
URL = "/admin/accommodations/1/messages"
LAGO = {
    "address": "Ruta 40 km 2010, Villa La Angostura",
    "map_url": "",
    "check_in_time": "15:00",
    "check_out_time": "10:30",
    "keys": "están en la caja con clave 1234 junto a la puerta",
    "check_out_note": "Dejá la llave en la caja y apagá la estufa.",
    "thank_you_note": "¡Gracias por elegirnos!",
    "review_url": "https://g.page/r/cabanas-del-lago/review",
}


async def test_a_cabin_answers_its_defaults_until_the_owner_edits_them(
    admin_client: Client,  # noqa: F811
    settings: Settings,
) -> None:
    r = await admin_client.get(URL, headers=bearer())
    assert r.status_code == 200, r.text
    defaults = r.json()
    assert defaults["accommodation_id"] == 1
    assert defaults["address"] == ""
    assert defaults["review_url"] == ""
    assert (defaults["check_in_time"], defaults["check_out_time"]) == ("14:00", "10:00")

    r = await admin_client.put(URL, json=LAGO, headers=bearer())
    assert r.status_code == 200, r.text
    saved = (await admin_client.get(URL, headers=bearer())).json()
    assert saved == {
        **LAGO,
        "accommodation_id": 1,
        "map_link": "https://www.google.com/maps/search/?api=1&query="
        "Ruta+40+km+2010%2C+Villa+La+Angostura",
    }
    assert (await admin_client.get("/admin/accommodations/2/messages", headers=bearer())).json()[
        "address"
    ] == ""  # one cabin's texts are its own
    [(actor, action, target, before, after)] = await _audit(str(settings.database_url))
    assert (actor, action, target) == ("owner@cabanas.ar", "accommodation.messages.update", "1")
    assert before["address"] == ""
    assert after["address"] == LAGO["address"]
    assert after["check_in_time"] == "15:00"


async def test_bad_texts_are_refused_naming_the_field_and_nothing_changes(
    admin_client: Client,  # noqa: F811
    settings: Settings,
) -> None:
    for field, value in (
        ("check_in_time", "3pm"),
        ("review_url", "g.page/review"),
        ("keys", "   "),
    ):
        r = await admin_client.put(URL, json={**LAGO, field: value}, headers=bearer())
        body = assert_problem(r, 422)
        assert [e["field"] for e in body["errors"]] == [field], body  # type: ignore[attr-defined]
    missing = {k: v for k, v in LAGO.items() if k != "keys"}  # a PUT carries every field
    body = assert_problem(await admin_client.put(URL, json=missing, headers=bearer()), 422)
    assert [e["field"] for e in body["errors"]] == ["keys"]  # type: ignore[attr-defined]
    assert_problem(await admin_client.put(URL, json={**LAGO, "wifi": "x"}, headers=bearer()), 422)
    assert (await admin_client.get(URL, headers=bearer())).json()["address"] == ""
    assert await _audit(str(settings.database_url)) == []


async def test_unknown_cabins_and_strangers_are_refused(
    admin_client: Client,  # noqa: F811
) -> None:
    assert_problem(
        await admin_client.get("/admin/accommodations/99/messages", headers=bearer()), 404
    )
    assert_problem(
        await admin_client.put("/admin/accommodations/99/messages", json=LAGO, headers=bearer()),
        404,
    )
    assert_problem(await admin_client.get(URL), 401)
    assert_problem(await admin_client.put(URL, json=LAGO), 401)
    assert_problem(await admin_client.get(URL, headers=bearer("someone@else.ar")), 403)
