"""The app's start-up moves everything allocated so far out of the collector's view
(``gc.freeze``): for a worker, that is the process's whole life. Its shutdown hands it back, so
a process that builds and stops apps (the test suite builds hundreds) frees each stopped one."""

from __future__ import annotations

import gc
import weakref

from litestar.testing import AsyncTestClient

from entrypoints.container import make_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings


class _Marker:
    """Held by the app's state only: it goes when the app does."""


async def test_a_stopped_app_is_collected_not_kept_frozen(settings: Settings) -> None:
    app = create_app(make_container(settings), settings)
    app.state.marker = _Marker()
    gone = weakref.ref(app.state.marker)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        assert (await client.get("/api/v1/healthz")).status_code == 200
        frozen = gc.get_freeze_count()  # started: the heap so far (the app's among it)
        assert frozen > 10_000
    del app, client
    gc.collect()
    # The interpreter keeps a few hundred objects of its own there (CPython 3.12: 375 at
    # start, and some come back after an unfreeze); the stopped app's are gone from it.
    assert gc.get_freeze_count() < frozen // 10
    assert gone() is None


class _Cycle:
    """Garbage only the collector can free: it refers to itself."""

    def __init__(self) -> None:
        self.me = self


async def test_start_up_garbage_is_collected_not_frozen_at_every_start(settings: Settings) -> None:
    """The first start in a process collects the whole heap; later ones (this suite's
    hundreds) only the young generations, where building an app leaves its garbage. Either
    way, garbage made just before the start is freed, not frozen for the process's life."""
    gc.disable()  # only the start-up's own collection may free it
    try:
        for _ in range(2):
            app = create_app(make_container(settings), settings)
            cycle = _Cycle()
            gone = weakref.ref(cycle)
            del cycle
            assert gone() is not None
            async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
                assert (await client.get("/api/v1/healthz")).status_code == 200
                assert gone() is None
                assert gc.get_freeze_count() > 10_000
            del app, client
    finally:
        gc.enable()
