"""ASGI factory for production servers: ``uvicorn --factory entrypoints.asgi:create``.

Needs DATABASE_URL and REDIS_URL (no embedded servers here); run migrations first
(`cabanas migrate`, Fly's release_command)."""

from __future__ import annotations

from functools import partial

from litestar import Litestar

from entrypoints.container import make_container
from entrypoints.http.app import create_app, create_metrics_app
from entrypoints.logs import configure_logging, log_format
from entrypoints.production import refuse_weak_production
from entrypoints.settings import Settings
from entrypoints.worker import running_beside


def create(settings: Settings | None = None, *, with_worker: bool = False) -> Litestar:
    """The API; ``with_worker`` runs the worker loop in this process too (``cabanas run`` in
    development: one process does everything)."""
    settings = settings or Settings.from_env()
    refuse_weak_production(settings)
    if settings.database_url is None or settings.redis_url is None:
        raise SystemExit("DATABASE_URL and REDIS_URL are required (use `cabanas run` for local)")
    configure_logging(settings.log_level, log_format(settings))
    container = make_container(settings)
    hooks = [partial(running_beside, container, settings)] if with_worker else []
    return create_app(container, settings, hooks=hooks)


def create_metrics(settings: Settings | None = None) -> Litestar:
    """``uvicorn --factory entrypoints.asgi:create_metrics --port $METRICS_PORT``: the API
    machine's /metrics, beside the public server (fly.toml's app process starts both)."""
    settings = settings or Settings.from_env()
    refuse_weak_production(settings)
    if settings.database_url is None or settings.redis_url is None:
        raise SystemExit("DATABASE_URL and REDIS_URL are required (use `cabanas run` for local)")
    configure_logging(settings.log_level, log_format(settings))
    return create_metrics_app(make_container(settings))
