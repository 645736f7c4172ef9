"""The WhatsApp assistant wired to in-memory fakes, driven the way the webhook drives it: each
message is recorded as a delivery, then processed; what it queued is read back in order."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from application.back_office.reservations import CancelHold
from application.booking.availability import CheckAvailability
from application.booking.lookup import GetReservation
from application.booking.place_hold import PaymentsSetup, PlaceHold
from application.conversation.booking_desk import BookingDesk
from application.conversation.converse import ConversationSetup, Converse
from application.conversation.reservation_desk import ReservationDesk
from application.inbox.deliveries import WHATSAPP, HandleWhatsAppUpdate, ProcessDelivery
from application.payments.receipts import ReceiveReceipt
from application.ports.outbox import OwnerAlert, WhatsAppMessage
from domain.booking.policy import BookingPolicy
from domain.money import Money
from domain.payments.receipts import ReceiptRules
from domain.pricing.holidays import HolidayCalendar
from tests.unit.application.fakes import (
    FakeConversationStore,
    FakeHolidays,
    FakeMedia,
    FakePriceRules,
    FakeUnitOfWork,
    FixedClock,
    SequenceCodes,
)
from tests.unit.domain.builders import ARGENTINE_HOLIDAYS, NOW, cabin

PHONE = "5491155551234"
GUEST_PHONE = "+5491155551234"
CODE = "7K3M9QXD2F10"
CODE_DISPLAY = "7K3M-9QXD-2F10"
# Tuesday 2026-12-01: "el finde largo" is Friday 04/12 → Tuesday 08/12 (4 nights, 2 of weekend):
# Monday 7 is a bridge day and Tuesday 8 a holiday (ARGENTINE_HOLIDAYS).
LAGO = cabin(id=1, name="Cabaña del Lago", capacity=4, min_nights=2)
BOSQUE = cabin(id=2, name="Cabaña del Bosque", capacity=2, min_nights=1)
ALERCES = cabin(
    id=3,
    name="Cabaña Familiar Los Alerces",
    capacity=6,
    min_nights=2,
    base_price=Money.of("120000"),
)
CABINS = (LAGO, BOSQUE, ALERCES)
LAGO_FINDE = "pick:1:20261204:20261208:4"
ALERCES_FINDE = "pick:3:20261204:20261208:4"
_wamids = itertools.count(1)


@dataclass(frozen=True)
class Sent:
    to: str
    text: str
    buttons: list[tuple[str, str]]
    page: str | None = None  # the guest's page linked when it is sent
    pages: tuple[str, ...] = ()  # or the pages of the bookings it lists


class Bot:
    def __init__(
        self,
        cabins: tuple[Any, ...] = CABINS,
        *,
        payments: bool = True,
        policy: BookingPolicy | None = None,
        codes: tuple[str, ...] = (CODE,),
        price_rules: FakePriceRules | None = None,
        holidays: HolidayCalendar | None = None,
    ) -> None:
        self.uow = FakeUnitOfWork(cabins)
        self.clock = FixedClock(NOW)
        self.store = FakeConversationStore(self.clock)
        self.policy = policy or BookingPolicy(hold_minutes=30, deposit_percent=Decimal(30))
        setup = PaymentsSetup(enabled=payments)
        uow, clock = self.uow, self.clock
        self.place_hold = PlaceHold(
            uow,
            clock,
            SequenceCodes(*codes),
            self.policy,
            uow.catalogue,
            uow.metrics,
            setup,
            price_rules=price_rules,
        )
        booking = BookingDesk(
            uow,
            CheckAvailability(uow, clock, self.policy, uow.catalogue, price_rules),
            self.place_hold,
            self.policy,
            setup,
        )
        desk = ReservationDesk(uow, GetReservation(uow, clock), CancelHold(uow, clock), self.policy)
        self.setup = ConversationSetup()
        self.media = FakeMedia()
        receipts = ReceiveReceipt(uow, clock, self.media, ReceiptRules(max_bytes=1024))
        self.holidays = FakeHolidays(ARGENTINE_HOLIDAYS if holidays is None else holidays)
        converse = Converse(
            uow,
            clock,
            self.store,
            uow.catalogue,
            booking,
            desk,
            self.setup,
            receipts,
            self.holidays,
        )
        self.process = ProcessDelivery(
            uow,
            clock,
            apply_payment=None,  # type: ignore[arg-type]
            whatsapp=HandleWhatsAppUpdate(uow, clock, converse),
            metrics=None,  # type: ignore[arg-type]
        )
        self._read = 0
        self._read_alerts = 0

    async def record(self, payload: dict[str, Any]) -> str:
        key = f"msg:{payload['id']}"
        await self.uow.idempotency.claim(WHATSAPP, key, self.clock.now(), payload=payload)
        await self.uow.commit()
        return key

    async def send(
        self,
        text: str = "",
        *,
        button: str | None = None,
        kind: str | None = None,
        phone: str = PHONE,
        profile: str | None = "Juana",
        media: tuple[str, str] | None = None,
        sent_at: datetime | None = None,
    ) -> list[Sent]:
        """One message from the guest; returns the WhatsApp messages it caused, in order.
        ``sent_at``: when the guest sent it (WhatsApp's ``timestamp``); by default one fixed
        moment for every message, so none is older than another."""
        payload: dict[str, Any] = {
            "type": "message",
            "id": f"wamid.{next(_wamids)}",
            "from": phone,
            "name": profile,
            "message_type": kind or ("interactive" if button else "text"),
            "timestamp": str(int(sent_at.timestamp())) if sent_at else "1764600000",
            "text": text,
        }
        if button:
            payload["button_id"] = button
        if media:  # (media id, declared type) of an image or document
            payload["media_id"], payload["mime_type"] = media
        await self.process(WHATSAPP, await self.record(payload))
        return self.replies()

    def replies(self) -> list[Sent]:
        rows = self.uow.outbox.sent(WhatsAppMessage)
        new, self._read = rows[self._read :], len(rows)
        return [
            Sent(m.to, m.text, [(b.id, b.title) for b in m.buttons], m.page, m.pages) for m in new
        ]

    def alerts(self) -> list[str]:
        rows = self.uow.outbox.sent(OwnerAlert)
        new, self._read_alerts = rows[self._read_alerts :], len(rows)
        return [m.text for m in new]

    def reservations(self) -> list[Any]:
        return list(self.uow.reservations.committed.values())

    def state(self, phone: str = PHONE) -> Any:
        return self.store.states.get(phone)

    async def hold_lago(self) -> list[Sent]:
        await self.send("hola, tienen lugar para 4 el finde largo?")
        await self.send("Cabaña del Lago", button=LAGO_FINDE)
        return await self.send("Juana Pérez")
