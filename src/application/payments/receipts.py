"""Transfer receipts: a guest holding nights to pay by bank transfer sends a photo or PDF of
the receipt over WhatsApp; it is checked, kept with the booking and put in the owner's queue,
who approves it (recording the payment, which confirms the hold) or rejects it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from application.errors import IntegrationError
from application.messaging import console_pages
from application.messaging.texts import admin_receipt_to_approve, conv_receipt_rejected
from application.payments.ledger import LedgerView, RecordManualPayment, load_reservation
from application.ports.audit import AuditEntry
from application.ports.clock import Clock
from application.ports.outbox import OwnerAlert, Topic, WhatsAppMessage
from application.ports.receipts import MediaDownloader, ReceiptSummary
from application.ports.unit_of_work import UnitOfWork
from domain.booking.reservation import Reservation, ReservationStatus
from domain.errors import IllegalTransition
from domain.payments.errors import ReceiptNotFound
from domain.payments.ledger import PaymentMethod
from domain.payments.receipts import Receipt, ReceiptRefusal, ReceiptRules, ReceiptStatus

log = logging.getLogger("cabanas.receipts")

# How far back a guest's transfer hold is looked for (holds last TRANSFER_HOLD_HOURS, and the
# owner may extend one by up to a week at a time).
HOLD_LOOKBACK = timedelta(days=30)
MAX_QUEUE_PAGE = 200


class Received(StrEnum):
    STORED = "stored"
    NO_TRANSFER_HOLD = "no_transfer_hold"  # nothing to attach it to: the usual media reply
    REFUSED = "refused"
    FAILED = "failed"  # the download failed: the guest is asked to send it again


@dataclass(frozen=True, slots=True)
class ReceiptOutcome:
    received: Received
    reservation: Reservation | None = None
    refusal: ReceiptRefusal | None = None


@dataclass(frozen=True, slots=True)
class ReceiveReceipt:
    """Rules:
    - only a guest whose latest booking from this phone is a live hold to be paid by transfer
      (chosen so, or one with no Mercado Pago link: payments off, the owner sends bank
      details) has a receipt taken; anything else gets the usual reply to media;
    - WhatsApp's type and size are checked before the download, and the file itself after:
      a JPEG, PNG, WEBP or PDF (by its bytes, not its name), at most ``rules.max_bytes``;
    - downloaded through the Graph API (media id → short-lived url → the file, bearer token),
      never more than the limit;
    - stored with the booking, once per media id (a redelivered message stores nothing new),
      and the owner is alerted once, with a link to the booking;
    - the hold is not confirmed here: the owner approves the receipt (``ApproveReceipt``)."""

    uow: UnitOfWork
    clock: Clock
    media: MediaDownloader
    rules: ReceiptRules

    async def __call__(self, guest_phone: str, media_id: str, mime_type: str) -> ReceiptOutcome:
        now = self.clock.now()
        async with self.uow:
            latest = await self.uow.reservations.latest_for_phone(guest_phone, now - HOLD_LOOKBACK)
        if (
            latest is None
            or latest.status is not ReservationStatus.PRE_RESERVED
            or (latest.payment_method is not PaymentMethod.TRANSFER and latest.payment_url)
            or latest.hold_lapsed(now)
        ):
            return ReceiptOutcome(Received.NO_TRANSFER_HOLD)
        refusal = self.rules.before_download(mime_type, None)
        if refusal is not None:
            return ReceiptOutcome(Received.REFUSED, latest, refusal)
        try:
            info = await self.media.describe(media_id)
            refusal = self.rules.before_download(info.mime_type or mime_type, info.size)
            if refusal is not None:
                return ReceiptOutcome(Received.REFUSED, latest, refusal)
            data = await self.media.fetch(info, self.rules.max_bytes)
        except IntegrationError as exc:
            log.warning("receipt_download_failed", extra={"error": exc.message})
            return ReceiptOutcome(Received.FAILED, latest)
        if data is None:
            return ReceiptOutcome(Received.REFUSED, latest, ReceiptRefusal.TOO_LARGE)
        declared = info.mime_type or mime_type
        refusal = self.rules.judge(declared, data)
        if refusal is not None:
            return ReceiptOutcome(Received.REFUSED, latest, refusal)
        code = latest.code
        async with self.uow:
            await self.uow.receipts.add(
                Receipt(code.value, media_id, declared.split(";", 1)[0].strip(), data, now)
            )
            await self.uow.outbox.put(
                OwnerAlert(
                    admin_receipt_to_approve(code.display), console_pages.reservation(code.value)
                ),
                now,
                dedupe_key=f"alert:receipt:{media_id}"[:200],
            )
            await self.uow.commit()
        return ReceiptOutcome(Received.STORED, latest)


@dataclass(frozen=True, slots=True)
class ListReceiptsToApprove:
    """The owner's queue: receipts waiting for a decision, oldest first (no content)."""

    uow: UnitOfWork

    async def __call__(self, limit: int = 50) -> list[ReceiptSummary]:
        async with self.uow:
            return await self.uow.receipts.pending(min(max(limit, 1), MAX_QUEUE_PAGE))


@dataclass(frozen=True, slots=True)
class GetReceipt:
    uow: UnitOfWork

    async def __call__(self, receipt_id: int) -> Receipt:
        async with self.uow:
            found = await self.uow.receipts.get(receipt_id)
        if found is None:
            raise ReceiptNotFound("no receipt with that id")
        return found


@dataclass(frozen=True, slots=True)
class ApproveReceipt:
    """Rules: the owner approves a pending receipt with the amount it shows; that amount is
    recorded as a transfer payment (``RecordManualPayment``, keyed by the receipt: approving
    twice records once), which confirms the hold when it covers the deposit; the receipt
    leaves the queue; audited with the payment."""

    uow: UnitOfWork
    clock: Clock
    record: RecordManualPayment

    async def __call__(self, receipt_id: int, amount_cents: int, actor: str) -> LedgerView:
        receipt = await GetReceipt(self.uow)(receipt_id)
        if receipt.status is ReceiptStatus.REJECTED:
            raise IllegalTransition("this receipt was rejected")
        view = await self.record(
            receipt.reservation_code,
            PaymentMethod.TRANSFER,
            amount_cents,
            f"comprobante {receipt_id}",
            actor,
            f"receipt:{receipt_id}",
        )
        async with self.uow:
            await self.uow.receipts.decide(
                receipt_id, ReceiptStatus.APPROVED, actor, self.clock.now()
            )
            await self.uow.commit()
        return view


@dataclass(frozen=True, slots=True)
class RejectReceipt:
    """Rules: only a pending receipt is rejected (an approved one: ``IllegalTransition``);
    audited; the guest is told over WhatsApp (with the reason, if given), in the same
    transaction, once; the hold stays as it is."""

    uow: UnitOfWork
    clock: Clock

    async def __call__(self, receipt_id: int, actor: str, reason: str | None) -> None:
        now = self.clock.now()
        async with self.uow:
            receipt = await self.uow.receipts.get(receipt_id)
            if receipt is None:
                raise ReceiptNotFound("no receipt with that id")
            if not await self.uow.receipts.decide(receipt_id, ReceiptStatus.REJECTED, actor, now):
                if receipt.status is ReceiptStatus.REJECTED:
                    return
                raise IllegalTransition(f"this receipt is {receipt.status.value}")
            reservation = await load_reservation(self.uow, receipt.reservation_code)
            await self.uow.audit.record(
                AuditEntry(
                    actor=actor,
                    action="reservation.receipt_rejected",
                    target=receipt.reservation_code,
                    at=now,
                    after={"receipt": receipt_id, "reason": reason},
                )
            )
            await self.uow.outbox.put(
                WhatsAppMessage(
                    to=reservation.guest.phone,
                    text=conv_receipt_rejected(reservation.code.display, reason),
                    topic=Topic.REPLY,
                    reservation=reservation.code.value,
                ),
                now,
                dedupe_key=f"receipt:rejected:{receipt_id}",
            )
            await self.uow.commit()
