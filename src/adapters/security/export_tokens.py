"""Export tokens and UIDs keyed with HMAC-SHA256 (``ICS_SALT``)."""

from __future__ import annotations

import hashlib
import hmac

from domain.calendar_sync.export import (
    ExportAddress,
    export_uid,
    format_token,
    token_address,
    token_message,
)


class HmacExportTokens:
    def __init__(self, salt: str) -> None:
        if not salt:
            raise ValueError("an export salt is required")
        self._key = salt.encode()

    def token(self, address: ExportAddress) -> str:
        return format_token(address, self._mac(token_message(address)))

    def read(self, token: str) -> ExportAddress | None:
        address = token_address(token)
        if address is None:
            return None
        if not hmac.compare_digest(self.token(address).encode(), token.encode()):
            return None
        return address

    def uid(self, code: str) -> str:
        return export_uid(code, self._mac)

    def _mac(self, message: str) -> str:
        """128 bits of HMAC-SHA256: enough to be unguessable, short enough for a URL."""
        return hmac.new(self._key, message.encode(), hashlib.sha256).hexdigest()[:32]
