"""The one error → problem-details mapping, unit-tested against a tiny app."""

import pytest
from litestar import Litestar, get
from litestar.exceptions import HTTPException
from litestar.params import FromPath
from litestar.testing import TestClient

from application.errors import StorageError, StorageUnavailable, TransientStorageError
from domain.errors import (
    AccommodationNotFound,
    GuestsOutOfRange,
    IllegalTransition,
    StayUnavailable,
)
from domain.money import Money
from domain.payments.errors import FoundOutcome, FoundRefund, UnrecordedRefundFound
from entrypoints.http.errors import EXCEPTION_HANDLERS, PROBLEM_JSON, handle_exception

RAISE = {
    "rule": GuestsOutOfRange("hosts 1 to 4 guests"),
    "missing": AccommodationNotFound("no accommodation with id 9"),
    "taken": StayUnavailable("already taken"),
    "illegal": IllegalTransition("cannot become confirmed"),
    "busy": TransientStorageError("deadlock"),
    "down": StorageUnavailable("db down"),
    "storage": StorageError("SELECT secret FROM guests"),
    "crash": RuntimeError("Traceback: password=hunter2"),
    "utf8": UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
    "deep": RecursionError("maximum recursion depth exceeded while deserializing an object"),
    "limited": HTTPException(status_code=429, detail="slow down"),
    "found": UnrecordedRefundFound(
        "Mercado Pago already reports 30000.00 ARS refunded",
        outcomes=(FoundRefund("4805", Money(3_000_000), FoundOutcome.RECORDED),),
    ),
}


@get("/boom/{kind:str}")
async def boom(kind: FromPath[str]) -> None:
    raise RAISE[kind]


@pytest.fixture(scope="module", params=["map", "one handler"])
def client(request: pytest.FixtureRequest) -> TestClient[Litestar]:
    """The app registers the map; handle_exception is the same map behind one entry."""
    handlers = dict(EXCEPTION_HANDLERS) if request.param == "map" else {Exception: handle_exception}
    app = Litestar([boom], exception_handlers=handlers)
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
        ("utf8", 400, "malformed_json"),
        ("deep", 400, "malformed_json"),
        ("limited", 429, "rate_limited"),
        ("found", 409, "unrecorded_refund_found"),
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


def test_a_refund_not_made_says_how_much_mercadopago_had_refunded(
    client: TestClient[Litestar],
) -> None:
    body = client.get("/boom/found").json()
    assert body["found_amount_cents"] == 3_000_000
    assert "found_amount_cents" not in client.get("/boom/taken").json()


def test_the_routers_own_404_and_405_are_problems_too(client: TestClient[Litestar]) -> None:
    missing = client.get("/nowhere")
    assert (missing.status_code, missing.json()["detail"]) == (404, "no resource at /nowhere")
    wrong = client.post("/boom/rule")
    assert wrong.status_code == 405
    assert wrong.json()["detail"] == "POST is not allowed on /boom/rule"
    assert "GET" in wrong.headers["allow"]
    assert wrong.headers["content-type"] == PROBLEM_JSON
