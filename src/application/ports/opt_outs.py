from __future__ import annotations

from datetime import datetime
from typing import Protocol


class OptOuts(Protocol):
    """WhatsApp numbers (``domain.messaging.service_window.whatsapp_id`` form) that asked for
    no messages beyond the transactional ones (``domain.messaging.opt_out``)."""

    async def opt_out(self, whatsapp_id: str, at: datetime) -> None: ...

    async def opt_in(self, whatsapp_id: str) -> None:
        """Forget the opt-out (nothing is kept about a number that did not opt out)."""
        ...

    async def opted_out(self, whatsapp_id: str) -> bool: ...

    async def forget_unused(self, before: datetime) -> int:
        """Delete opt-outs made before ``before`` whose number no booking still carries (its
        guest data erased, docs/privacy.md); how many."""
        ...
