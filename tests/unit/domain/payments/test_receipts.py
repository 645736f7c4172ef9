"""What a transfer receipt may be: a JPEG, PNG, WEBP or PDF by its bytes, within the limit."""

from __future__ import annotations

import pytest

from domain.errors import InvalidValue
from domain.payments.receipts import ReceiptRefusal, ReceiptRules, sniff

FILES = {
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF",
    "image/png": b"\x89PNG\r\n\x1a\n\x00\x00",
    "image/webp": b"RIFF\x10\x00\x00\x00WEBPVP8 ",
    "application/pdf": b"%PDF-1.4\n%",
}


@pytest.mark.parametrize(("mime", "data"), FILES.items())
def test_each_accepted_type_is_recognised_by_its_bytes(mime: str, data: bytes) -> None:
    assert sniff(data) == mime
    assert ReceiptRules().judge(mime, data) is None
    assert ReceiptRules().judge(f"{mime}; charset=binary", data) is None


def test_a_file_is_refused_when_its_bytes_are_not_what_it_claims() -> None:
    rules = ReceiptRules()
    assert rules.judge("image/jpeg", FILES["application/pdf"]) is ReceiptRefusal.WRONG_TYPE
    assert rules.judge("image/gif", b"GIF89a....") is ReceiptRefusal.WRONG_TYPE
    assert rules.judge("application/pdf", b"MZ\x90\x00") is ReceiptRefusal.WRONG_TYPE
    assert rules.judge("application/pdf", b"") is ReceiptRefusal.EMPTY


def test_the_size_limit_is_checked_before_and_after_downloading() -> None:
    rules = ReceiptRules(max_bytes=10)
    assert rules.before_download("image/jpeg", 11) is ReceiptRefusal.TOO_LARGE
    assert rules.before_download("image/jpeg", 10) is None
    assert rules.before_download("image/jpeg", None) is None
    assert rules.before_download("audio/ogg", 1) is ReceiptRefusal.WRONG_TYPE
    assert rules.judge("image/jpeg", FILES["image/jpeg"] + b"xx") is ReceiptRefusal.TOO_LARGE


def test_a_limit_of_nothing_is_refused() -> None:
    with pytest.raises(InvalidValue):
        ReceiptRules(max_bytes=0)
