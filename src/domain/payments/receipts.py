"""A transfer receipt a guest sends (a photo or a PDF): what is accepted, judged on what the
file is, not only on what WhatsApp says it is."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.errors import InvalidValue

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
ACCEPTED_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "application/pdf"})


class ReceiptRefusal(StrEnum):
    WRONG_TYPE = "wrong_type"  # not a JPEG, PNG, WEBP or PDF (or not what it says it is)
    TOO_LARGE = "too_large"
    EMPTY = "empty"


class ReceiptStatus(StrEnum):
    PENDING = "pending"  # in the owner's queue
    APPROVED = "approved"
    REJECTED = "rejected"


def sniff(data: bytes) -> str | None:
    """The type the file's first bytes show (JPEG, PNG, WEBP, PDF), or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def declared_type(mime_type: str) -> str:
    """``image/jpeg; charset=…`` → ``image/jpeg``."""
    return mime_type.split(";", 1)[0].strip().lower()


@dataclass(frozen=True, slots=True)
class ReceiptRules:
    """Rules: at most ``max_bytes`` (``RECEIPT_MAX_BYTES``); a JPEG, PNG, WEBP or PDF, as
    declared by WhatsApp *and* as its bytes show (a renamed file is refused)."""

    max_bytes: int = DEFAULT_MAX_BYTES

    def __post_init__(self) -> None:
        if self.max_bytes <= 0:
            raise InvalidValue("the receipt size limit is more than 0 bytes")

    def before_download(self, mime_type: str, size: int | None) -> ReceiptRefusal | None:
        """What WhatsApp says of the file, checked before fetching it."""
        if declared_type(mime_type) not in ACCEPTED_TYPES:
            return ReceiptRefusal.WRONG_TYPE
        if size is not None and size > self.max_bytes:
            return ReceiptRefusal.TOO_LARGE
        return None

    def judge(self, mime_type: str, data: bytes) -> ReceiptRefusal | None:
        if not data:
            return ReceiptRefusal.EMPTY
        if len(data) > self.max_bytes:
            return ReceiptRefusal.TOO_LARGE
        declared = declared_type(mime_type)
        if declared not in ACCEPTED_TYPES or sniff(data) != declared:
            return ReceiptRefusal.WRONG_TYPE
        return None


@dataclass(frozen=True, slots=True)
class Receipt:
    """A receipt kept with its booking until the owner decides."""

    reservation_code: str
    media_id: str
    mime_type: str
    content: bytes
    received_at: datetime
    status: ReceiptStatus = ReceiptStatus.PENDING
    id: int | None = None

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()
