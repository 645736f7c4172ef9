"""A transfer receipt sent over WhatsApp: checked, kept with the booking, queued for the owner,
and acknowledged in Spanish; the owner approves it (recording the transfer, which confirms the
hold) or rejects it."""

from __future__ import annotations

from datetime import date, timedelta

from application.booking.place_hold import PlaceHoldCommand
from application.messaging import texts
from application.payments.ledger import RecordManualPayment
from application.payments.receipts import ApproveReceipt, ListReceiptsToApprove, RejectReceipt
from application.ports.ledger import LedgerTerms
from domain.booking.reservation import Channel, Guest, ReservationStatus
from domain.payments.ledger import PaymentMethod
from domain.payments.receipts import ReceiptStatus
from tests.unit.application.conversation.harness import CODE_DISPLAY, GUEST_PHONE, Bot

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200
PDF = b"%PDF-1.7\n" + b"x" * 100


async def transfer_hold(bot: Bot) -> None:
    await bot.place_hold(
        PlaceHoldCommand(
            1,
            date(2026, 12, 4),
            date(2026, 12, 8),
            2,
            Guest("Juana Pérez", GUEST_PHONE),
            Channel.API,
            payment_method=PaymentMethod.TRANSFER,
        )
    )


async def test_a_receipt_photo_is_kept_with_the_hold_queued_and_acknowledged() -> None:
    bot = Bot()
    await transfer_hold(bot)
    bot.media.files["1234567890"] = ("image/jpeg", len(JPEG), JPEG)
    [reply] = await bot.send(kind="image", media=("1234567890", "image/jpeg"))
    assert reply.text == texts.conv_receipt_received(CODE_DISPLAY)
    [alert] = bot.alerts()
    assert alert == texts.admin_receipt_to_approve(CODE_DISPLAY)
    [queued] = await ListReceiptsToApprove(bot.uow)()
    assert (queued.reservation_code, queued.mime_type, queued.size) == (
        CODE_DISPLAY.replace("-", ""),
        "image/jpeg",
        len(JPEG),
    )
    # The same message delivered again: nothing new stored or said to the owner.
    await bot.send(kind="image", media=("1234567890", "image/jpeg"))
    assert len(await ListReceiptsToApprove(bot.uow)()) == 1
    assert bot.alerts() == []


async def test_approving_records_the_transfer_and_confirms_the_hold_once() -> None:
    bot = Bot()
    await transfer_hold(bot)
    bot.media.files["55"] = ("application/pdf", len(PDF), PDF)
    await bot.send(kind="document", media=("55", "application/pdf"))
    [queued] = await ListReceiptsToApprove(bot.uow)()
    [hold] = bot.reservations()
    record = RecordManualPayment(bot.uow, bot.clock, LedgerTerms())
    approve = ApproveReceipt(bot.uow, bot.clock, record)
    view = await approve(queued.id, hold.deposit.cents, "owner@example.com")
    assert view.reservation.status is ReservationStatus.CONFIRMED
    again = await approve(queued.id, hold.deposit.cents, "owner@example.com")
    assert len(again.ledger.payments) == 1
    assert await ListReceiptsToApprove(bot.uow)() == []
    assert bot.uow.receipts.rows[queued.id].status is ReceiptStatus.APPROVED


async def test_a_rejected_receipt_leaves_the_queue_and_the_hold_as_it_is() -> None:
    bot = Bot()
    await transfer_hold(bot)
    bot.media.files["56"] = ("image/jpeg", len(JPEG), JPEG)
    await bot.send(kind="image", media=("56", "image/jpeg"))
    [queued] = await ListReceiptsToApprove(bot.uow)()
    await RejectReceipt(bot.uow, bot.clock)(queued.id, "owner@example.com", "ilegible")
    await RejectReceipt(bot.uow, bot.clock)(queued.id, "owner@example.com", "ilegible")
    assert await ListReceiptsToApprove(bot.uow)() == []
    [told] = bot.replies()  # the guest is told once, with the reason
    assert (told.to, told.text) == (
        GUEST_PHONE,
        texts.conv_receipt_rejected(CODE_DISPLAY, "ilegible"),
    )
    [hold] = bot.reservations()
    assert hold.status is ReservationStatus.PRE_RESERVED


async def test_a_file_that_is_not_what_it_says_or_too_large_is_refused_in_spanish() -> None:
    bot = Bot()
    await transfer_hold(bot)
    bot.media.files["1"] = ("image/jpeg", 10, b"MZ\x90\x00 not an image")
    [wrong] = await bot.send(kind="image", media=("1", "image/jpeg"))
    assert wrong.text == texts.CONV_RECEIPT_WRONG_TYPE
    bot.media.files["2"] = ("video/mp4", 10, b"....")
    [video] = await bot.send(kind="document", media=("2", "video/mp4"))
    assert video.text == texts.CONV_RECEIPT_WRONG_TYPE
    big = b"\xff\xd8\xff" + b"\x00" * 2000  # the harness allows 1 KiB
    bot.media.files["3"] = ("image/jpeg", None, big)
    [large] = await bot.send(kind="image", media=("3", "image/jpeg"))
    assert large.text == texts.conv_receipt_too_large("0")
    assert bot.media.fetched == ["1", "3"]  # the video was refused before downloading
    assert await ListReceiptsToApprove(bot.uow)() == []


async def test_a_download_that_fails_asks_for_the_file_again() -> None:
    bot = Bot()
    await transfer_hold(bot)
    bot.media.fails = True
    [reply] = await bot.send(kind="image", media=("9", "image/jpeg"))
    assert reply.text == texts.CONV_RECEIPT_FAILED


async def test_without_a_transfer_hold_a_photo_gets_the_usual_reply() -> None:
    bot = Bot()
    bot.media.files["7"] = ("image/jpeg", len(JPEG), JPEG)
    [reply] = await bot.send(kind="image", media=("7", "image/jpeg"))
    assert reply.text == texts.CONV_MEDIA
    await transfer_hold(bot)
    bot.clock.current += timedelta(hours=25)  # the transfer hold lapsed
    [late] = await bot.send(kind="image", media=("7", "image/jpeg"))
    assert late.text == texts.CONV_MEDIA
    assert bot.media.fetched == []


async def test_a_receipt_sent_while_a_person_has_the_conversation_still_reaches_the_owner() -> None:
    """The person answers from their own phone: a receipt dropped by the silenced assistant
    would reach nobody, and the hold would lapse with its transfer made."""
    bot = Bot()
    await transfer_hold(bot)
    await bot.send("me pasás con una persona?")
    bot.alerts()  # the handover's
    bot.media.files["77"] = ("image/jpeg", len(JPEG), JPEG)
    [reply] = await bot.send(kind="image", media=("77", "image/jpeg"))
    assert reply.text == texts.conv_receipt_received(CODE_DISPLAY)
    assert bot.alerts() == [texts.admin_receipt_to_approve(CODE_DISPLAY)]
    assert len(await ListReceiptsToApprove(bot.uow)()) == 1
    # Still handed over: the next text waits for the person (one acknowledgement).
    [waiting] = await bot.send("ya la mandé")
    assert waiting.text == texts.CONV_HANDOVER_WAITING
    assert await bot.send("hola?") == []
