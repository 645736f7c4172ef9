"""Webhook deliveries through their use cases, each in a container scope of its own.

Recording happens before the answer, processing after it (a background task), then whatever
processing queued is sent at once (the worker is the fallback for anything that fails here).
Neither can use the request's scope: a forged post is refused before anything is resolved, so
it never checks out a connection; and the request's connection would otherwise stay checked
out through the background work."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dishka import AsyncContainer
from litestar.background_tasks import BackgroundTask

from adapters.prometheus.metrics import WEBHOOK_DELIVERIES
from application.inbox.deliveries import ProcessDelivery, RecordDelivery
from application.messaging.dispatch_outbox import DispatchOutbox

log = logging.getLogger("cabanas.webhooks")

# (provider, delivery key): one recorded delivery to process.
Work = list[tuple[str, str]]
# Messages sent at once after a post's deliveries are processed (the rest wait for the worker).
SEND_AT_ONCE = 10


@dataclass(frozen=True, slots=True)
class WebhookInbox:
    container: AsyncContainer  # the application's (APP scope)

    async def record(self, provider: str, key: str, payload: Mapping[str, Any]) -> bool:
        """True when this delivery is new (``RecordDelivery``)."""
        async with self.container() as scope:
            record = await scope.get(RecordDelivery)
            new = await record(provider, key, payload)
        WEBHOOK_DELIVERIES.labels(provider=provider, outcome="new" if new else "duplicate").inc()
        return new

    def after_response(self, work: Work, trace_id: str | None) -> BackgroundTask | None:
        return BackgroundTask(self.process, work, trace_id) if work else None

    async def process(self, work: Work, trace_id: str | None) -> None:
        for provider, key in work:
            try:
                async with self.container() as scope:
                    process = await scope.get(ProcessDelivery)
                    await process(provider, key, trace_id)
            except Exception:
                log.exception("webhook_processing_failed", extra={"scope": provider})
        try:
            async with self.container() as scope:
                dispatch = await scope.get(DispatchOutbox)
                await dispatch(limit=SEND_AT_ONCE)
        except Exception:
            log.exception("outbox_dispatch_failed")
