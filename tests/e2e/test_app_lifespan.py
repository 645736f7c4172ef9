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
