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


def test_a_module_handler_is_each_apps_own_and_resolves_through_its_own_layers() -> None:
    """Two apps in one process (the tests build hundreds), the same module-level handler
    under a router of each, with a different layer value: each app answers with its own."""

    def app_with(header: str) -> Litestar:
        router = AppRouter(path="/a", route_handlers=[ping], response_headers={"x-app": header})
        return Litestar(route_handlers=[router])

    first, second = app_with("first"), app_with("second")
    assert ping.owner is None  # the module's handler itself is never taken
    for app, header in ((first, "first"), (second, "second")):
        with TestClient(app) as client:
            answer = client.get("/a/ping")
            assert answer.text == "pong"
            assert answer.headers["x-app"] == header
