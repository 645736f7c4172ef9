"""The one error → problem-details mapping, unit-tested against a tiny app."""

import pytest
from litestar import Litestar, get
from litestar.params import FromPath
from litestar.testing import TestClient

from application.errors import StorageError, StorageUnavailable, TransientStorageError
from domain.errors import (
    AccommodationNotFound,
    GuestsOutOfRange,
    IllegalTransition,
    StayUnavailable,
)
from entrypoints.http.errors import PROBLEM_JSON, handle_exception

RAISE = {
    "rule": GuestsOutOfRange("hosts 1 to 4 guests"),
    "missing": AccommodationNotFound("no accommodation with id 9"),
    "taken": StayUnavailable("already taken"),
    "illegal": IllegalTransition("cannot become confirmed"),
    "busy": TransientStorageError("deadlock"),
    "down": StorageUnavailable("db down"),
    "storage": StorageError("SELECT secret FROM guests"),
    "crash": RuntimeError("Traceback: password=hunter2"),
}


@get("/boom/{kind:str}")
async def boom(kind: FromPath[str]) -> None:
    raise RAISE[kind]


@pytest.fixture(scope="module")
def client() -> TestClient[Litestar]:
    app = Litestar([boom], exception_handlers={Exception: handle_exception})
    with TestClient(app) as c:
        yield c


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("rule", 422, "guests_out_of_range"),
        ("missing", 404, "accommodation_not_found"),
        ("taken", 409, "stay_unavailable"),
        ("illegal", 409, "illegal_transition"),
        ("busy", 503, "service_unavailable"),
        ("down", 503, "service_unavailable"),
        ("storage", 500, "internal_server_error"),
        ("crash", 500, "internal_server_error"),
    ],
)
def test_errors_become_problem_details(
    client: TestClient[Litestar], kind: str, status: int, code: str
) -> None:
    r = client.get(f"/boom/{kind}")
    assert r.status_code == status
    assert r.headers["content-type"] == PROBLEM_JSON
    body = r.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"].endswith(code)
    assert body["title"]
    assert body["detail"]
    assert body["instance"] == f"/boom/{kind}"


def test_internal_errors_leak_nothing(client: TestClient[Litestar]) -> None:
    for kind in ("storage", "crash"):
        text = client.get(f"/boom/{kind}").text
        assert "SELECT" not in text
        assert "hunter2" not in text
        assert "Traceback" not in text


def test_domain_message_is_the_detail(client: TestClient[Litestar]) -> None:
    assert client.get("/boom/rule").json()["detail"] == "hosts 1 to 4 guests"
