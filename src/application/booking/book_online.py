"""A guest's booking request over the API (``POST /reservations``), from start to answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
    - a repeated ``Idempotency-Key`` gets exactly the answer the first request got, once that
      was remembered; if the first request committed its hold but not yet its answer, the
      answer is made from the hold as it reads now;
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

    async def __call__(
        self, cmd: PlaceHoldCommand, answer: Callable[[Reservation], Answer]
    ) -> OnlineBooking:
        try:
            reservation = await self.place_hold(cmd)
        except IdempotentReplay as replay:
            return await self._replay(replay.stored)
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

    async def _replay(self, stored: StoredRequest) -> OnlineBooking:
        if stored.response_body is not None and stored.response_status is not None:
            return Answer(stored.response_status, stored.response_body)
        assert stored.reservation_code is not None  # claimed in the hold's transaction
        view = await self.lookup(stored.reservation_code)
        return Held(view.reservation, view.status, replayed=True)
