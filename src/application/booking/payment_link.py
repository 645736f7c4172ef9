"""A new hold's payment link, right away if the provider is quick."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from application.booking.place_hold import PaymentsSetup, payment_link_job
from application.messaging.dispatch_outbox import DispatchOutbox
from application.ports.unit_of_work import UnitOfWork
from domain.codes import ReservationCode

log = logging.getLogger("cabanas.payments")


@dataclass(frozen=True, slots=True)
class CreatePaymentLinkNow:
    """Rules: the link job queued with the hold is sent at once, for at most
    ``setup.link_timeout_s``; if the provider is slow or fails, the hold stands without a link
    and the worker creates it later (``GET /reservations/{code}`` shows it then). Returns the
    link when there is one."""

    dispatch: DispatchOutbox
    uow: UnitOfWork
    setup: PaymentsSetup

    async def __call__(self, code: ReservationCode) -> str | None:
        try:
            async with asyncio.timeout(self.setup.link_timeout_s):
                await self.dispatch(dedupe_key=payment_link_job(code.value))
        except Exception as exc:  # the hold stands whatever happens here
            log.warning("payment_link_deferred", extra={"error": type(exc).__name__})
        async with self.uow:
            reservation = await self.uow.reservations.get(code)
        return reservation.payment_url if reservation else None
