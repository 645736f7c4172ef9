"""The app's routers: taken as they are by their first registration, copied after that."""

from __future__ import annotations

from litestar import Litestar, get
from litestar.testing import TestClient

from entrypoints.http.routing import AppRouter


@get("/ping", sync_to_thread=False)
def ping() -> str:
    return "pong"


def test_the_first_registration_takes_the_router_itself() -> None:
    router = AppRouter(path="/a", route_handlers=[ping])
    app = Litestar(route_handlers=[router])
    assert router.owner is app
    with TestClient(app) as client:
        assert client.get("/a/ping").text == "pong"


def test_a_router_registered_twice_is_copied_and_both_places_answer() -> None:
    router = AppRouter(path="/a", route_handlers=[ping])
    first = Litestar(route_handlers=[router])
    second = Litestar(route_handlers=[router])
    assert router.owner is first  # the second app registered a copy, not this router
    for app in (first, second):
        with TestClient(app) as client:
            assert client.get("/a/ping").text == "pong"
