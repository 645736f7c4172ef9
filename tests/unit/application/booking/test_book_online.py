"""POST /reservations as one use case: remembered answers, replays, retries (in memory)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

import pytest

from application.booking.book_online import Answer, BookOnline, Held
from application.booking.lookup import GetReservation
from application.booking.payment_link import CreatePaymentLinkNow
from application.booking.place_hold import PaymentsSetup, PlaceHold, PlaceHoldCommand
from application.messaging.dispatch_outbox import DispatchOutbox, OutboxSetup
from domain.booking.policy import BookingPolicy
from domain.booking.reservation import Channel, Guest, Reservation, ReservationStatus
from domain.errors import IdempotencyKeyReused
from tests.unit.application.fakes import (
    FakeGateway,
    FakeMailer,
    FakeSender,
    FakeUnitOfWork,
    FixedClock,
    SequenceCodes,
)
from tests.unit.domain.builders import NOW, cabin, stay

GUEST = Guest("Juana Pérez", "+5491155551234", "juana@example.com")
STAY = stay(2, 4)


class Booking:
    def __init__(self, *, payments: bool = False) -> None:
        self.uow = uow = FakeUnitOfWork([cabin()])
        self.clock = clock = FixedClock(NOW)
        self.gateway = FakeGateway()
        setup = PaymentsSetup(enabled=payments, link_timeout_s=1.0)
        self.place_hold = PlaceHold(
            uow,
            clock,
            SequenceCodes("AAAABBBBCCCC", "DDDDEEEEFFFF"),
            BookingPolicy(hold_minutes=30, deposit_percent=Decimal(30)),
            uow.catalogue,
            uow.metrics,
            setup,
        )
        dispatch = DispatchOutbox(
            uow, FakeSender(), self.gateway, clock, uow.metrics, OutboxSetup(), FakeMailer()
        )
        self.book = BookOnline(
            self.place_hold,
            CreatePaymentLinkNow(dispatch, uow, setup),
            GetReservation(uow, clock),
            uow,
            pause=self.pause,
        )
        self.answers: list[str] = []
        self.pauses: list[float] = []
        # What happens elsewhere while a repeat waits (the first request finishing): by pause.
        self.meanwhile: dict[int, Callable[[], Awaitable[None]]] = {}

    async def pause(self, seconds: float) -> None:
        self.pauses.append(seconds)
        if (then := self.meanwhile.get(len(self.pauses))) is not None:
            await then()

    def answer(self, reservation: Reservation) -> Answer:
        body = f"{reservation.code.value}:{reservation.payment_url}:{len(self.answers)}"
        self.answers.append(body)
        return Answer(201, body)

    async def __call__(self, cmd: PlaceHoldCommand) -> Held | Answer:
        return await self.book(cmd, self.answer)


def command(
    key: str | None = None, body: str = "b1", retry_key: str | None = None
) -> PlaceHoldCommand:
    return PlaceHoldCommand(
        1,
        STAY.check_in,
        STAY.check_out,
        2,
        GUEST,
        Channel.API,
        idempotency_key=key,
        fingerprint=body if key else None,
        retry_key=retry_key,
    )


async def test_without_a_key_the_hold_is_answered_and_nothing_is_remembered() -> None:
    book = Booking()
    booked = await book(command())
    assert isinstance(booked, Held)
    assert (booked.status, booked.replayed) == (ReservationStatus.PRE_RESERVED, False)
    assert book.answers == []  # no key: the answer is not written for remembering


async def test_a_repeated_key_gets_exactly_the_first_answer() -> None:
    book = Booking()
    first = await book(command("k-1"))
    assert isinstance(first, Held)
    again = await book(command("k-1"))
    assert again == Answer(201, book.answers[0])  # the stored body, not a new rendering
    assert len(book.uow.reservations.committed) == 1


async def test_a_key_whose_answer_never_comes_is_answered_from_the_hold_after_the_wait() -> None:
    book = Booking()
    # The first request committed its hold (and the key) and then died before remembering.
    placed = await book.place_hold(command("k-1"))
    again = await book(command("k-1"))
    assert isinstance(again, Held)
    assert (again.reservation.code, again.replayed) == (placed.code, True)
    assert again.status is ReservationStatus.PRE_RESERVED
    # It waited for an answer as long as the first request could take (its 1 s link limit and
    # the time to write it), looking often at first, then every 250 ms.
    assert sum(book.pauses) >= book.book.answer_wait_s == 3.0
    assert book.pauses[:4] == [0.02, 0.04, 0.08, 0.16]
    assert set(book.pauses[5:]) == {0.25}


async def test_a_repeated_key_waits_for_the_first_requests_answer_and_gets_exactly_it() -> None:
    """A double click: the second request arrives while the first, its hold committed, is still
    making the payment link. It waits, and answers with the first one's answer — link and all —
    not with a hold that has no link yet."""
    book = Booking(payments=True)
    placed = await book.place_hold(command("k-1"))  # the first, between its hold and its answer

    async def first_request_answers() -> None:
        async with book.uow:
            body = f"{placed.code.value}:https://pay.example/{placed.code.value}:first"
            await book.uow.idempotency.store_response("api", "k-1", 201, body)
            await book.uow.commit()

    book.meanwhile[3] = first_request_answers
    again = await book(command("k-1"))
    assert again == Answer(
        201, f"{placed.code.value}:https://pay.example/{placed.code.value}:first"
    )
    assert len(book.pauses) == 3  # it stopped looking once the answer was there


async def test_a_key_reused_with_another_body_is_refused() -> None:
    book = Booking()
    await book(command("k-1", body="b1"))
    with pytest.raises(IdempotencyKeyReused):
        await book(command("k-1", body="b2"))


async def test_the_same_request_retried_without_a_key_gets_its_own_hold_back() -> None:
    book = Booking()
    first = await book(command(retry_key="client+body"))
    again = await book(command(retry_key="client+body"))
    assert isinstance(first, Held)
    assert isinstance(again, Held)
    assert (again.reservation.code, again.replayed) == (first.reservation.code, True)


async def test_with_payments_the_link_is_in_the_answer_and_in_what_is_remembered() -> None:
    book = Booking(payments=True)
    booked = await book(command("k-1"))
    assert isinstance(booked, Held)
    assert booked.reservation.payment_url == "https://pay.example/AAAABBBBCCCC"
    assert book.answers == ["AAAABBBBCCCC:https://pay.example/AAAABBBBCCCC:0"]
    assert await book(command("k-1")) == Answer(201, book.answers[0])
