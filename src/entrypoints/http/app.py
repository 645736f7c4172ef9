"""``create_app(container)``: the Litestar application, nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from dishka import AsyncContainer
from dishka.integrations.litestar import setup_dishka
from litestar import Litestar, Router
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from sqlalchemy.ext.asyncio import AsyncEngine

from entrypoints.http.controllers import (
    AccommodationController,
    AvailabilityController,
    ReservationController,
)
from entrypoints.http.errors import handle_exception
from entrypoints.http.health import HealthController

API_PREFIX = "/api/v1"


def create_app(container: AsyncContainer, *, debug: bool = False) -> Litestar:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        # Open the pool before traffic arrives (a failing database shows up here, not mid-request).
        engine = await container.get(AsyncEngine)
        async with engine.connect():
            pass
        app.state.ready = False
        app.state.draining = False
        try:
            yield
        finally:
            app.state.draining = True
            await container.close()

    api = Router(
        path=API_PREFIX,
        route_handlers=[
            AccommodationController,
            AvailabilityController,
            ReservationController,
            HealthController,
        ],
    )
    app = Litestar(
        route_handlers=[api],
        lifespan=[lifespan],
        exception_handlers={Exception: handle_exception},
        openapi_config=OpenAPIConfig(
            title="Cabañas API",
            version="1.0.0",
            description="Direct bookings for the cabins. Every error is RFC 9457 problem JSON.",
            path=f"{API_PREFIX}/docs",
            render_plugins=[ScalarRenderPlugin()],
        ),
        debug=debug,
        request_max_body_size=64 * 1024,
    )
    setup_dishka(container=container, app=app)
    return app
