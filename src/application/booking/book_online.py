"""A guest's booking request over the API (``POST /reservations``), from start to answer."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from application.booking.lookup import GetReservation
from application.booking.payment_link import CreatePaymentLinkNow
from application.booking.place_hold import API_SCOPE, PlaceHold, PlaceHoldCommand
from application.errors import IdempotentReplay, RequestRetried
from application.ports.idempotency import StoredRequest
from application.ports.unit_of_work import UnitOfWork
from domain.booking.reservation import Reservation, ReservationStatus
from domain.payments.ledger import PaymentMethod


@dataclass(frozen=True, slots=True)
class Answer:
    """The answer sent for a request, as the edge wrote it (status and body): what is
    remembered for an ``Idempotency-Key``."""

    status: int
    body: str


@dataclass(frozen=True, slots=True)
class Held:
    """The hold to answer with, as of ``status``; ``replayed`` when the request repeats an
    earlier one (the hold is that one's)."""

    reservation: Reservation
    status: ReservationStatus
    replayed: bool = False


# A hold to present, or, for a repeated key whose answer was remembered, that answer exactly.
OnlineBooking = Held | Answer


@dataclass(frozen=True, slots=True)
class BookOnline:
    """Rules:
    - the hold is placed by ``PlaceHold`` (availability, limits, the key claimed in the
      hold's own transaction: see its rules);
    - a repeated ``Idempotency-Key`` gets exactly the answer the first request got. While the
      first is still at work (its hold committed, its payment link being made) the repeat waits
      for that answer, up to the link's own time limit and then some (``answer_wait_s``); only
      if none comes by then (the first died before remembering it) is the answer made from the
      hold as it reads now;
    - the same body from the same client, without a key, retried after an answer that never
      arrived, gets its own live hold back;
    - with payments enabled, the deposit link is created at once, waiting at most
      ``PaymentsSetup.link_timeout_s`` (``CreatePaymentLinkNow``); past that the hold is
      answered without it and the worker creates it;
    - with a key, the answer (``answer(hold)``, written by the edge) is remembered for it after
      the link is in, so a replay carries the link too.
    """

    place_hold: PlaceHold
    payment_link: CreatePaymentLinkNow
    lookup: GetReservation
    uow: UnitOfWork
    # How a repeat waits between two looks for the first request's answer (tests count them).
    pause: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, repr=False)

    async def __call__(
        self, cmd: PlaceHoldCommand, answer: Callable[[Reservation], Answer]
    ) -> OnlineBooking:
        try:
            reservation = await self.place_hold(cmd)
        except IdempotentReplay as replay:
            assert cmd.idempotency_key is not None  # only a key is replayed
            return await self._replay(cmd.idempotency_key, replay.stored)
        except RequestRetried as retried:
            own = retried.reservation
            return Held(own, own.status, replayed=True)
        if (
            self.place_hold.payments.enabled
            and reservation.payment_method is PaymentMethod.MERCADOPAGO
        ):  # a transfer hold gets no checkout link
            reservation.payment_url = await self.payment_link(reservation.code)
        if cmd.idempotency_key is not None:
            sent = answer(reservation)
            async with self.uow:
                await self.uow.idempotency.store_response(
                    API_SCOPE, cmd.idempotency_key, sent.status, sent.body
                )
                await self.uow.commit()
        return Held(reservation, reservation.status)

    @property
    def answer_wait_s(self) -> float:
        """The first request remembers its answer once its payment link is in, or its time
        limit has passed: a repeat waits that long, and a little more for the write."""
        return self.place_hold.payments.link_timeout_s + ANSWER_WRITE_S

    async def _replay(self, key: str, stored: StoredRequest) -> OnlineBooking:
        waited, step = 0.0, FIRST_LOOK_S
        while stored.response_body is None and waited < self.answer_wait_s:
            await self.pause(step)
            waited, step = waited + step, min(step * 2, LOOK_EVERY_S)
            async with self.uow:
                stored = await self.uow.idempotency.stored(API_SCOPE, key) or stored
        if stored.response_body is not None and stored.response_status is not None:
            return Answer(stored.response_status, stored.response_body)
        assert stored.reservation_code is not None  # claimed in the hold's transaction
        view = await self.lookup(stored.reservation_code)
        return Held(view.reservation, view.status, replayed=True)


# A repeated key looks for the first request's answer after 20 ms, then twice as long each time
# up to every 250 ms: a double click waits a few looks, and a dead first request costs a bounded
# handful of reads.
FIRST_LOOK_S = 0.02
LOOK_EVERY_S = 0.25
ANSWER_WRITE_S = 2.0
