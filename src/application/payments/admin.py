"""Small use cases around payments: what the owner reads."""

from __future__ import annotations

from dataclasses import dataclass

from application.ports.payments import PaymentRecord
from application.ports.unit_of_work import UnitOfWork

MAX_ATTENTION_PAGE = 200


@dataclass(frozen=True, slots=True)
class ListPaymentsNeedingAttention:
    """Payments a person must look at (refund owed, short amount, chargeback…), newest first."""

    uow: UnitOfWork

    async def __call__(self, limit: int = 50) -> list[PaymentRecord]:
        async with self.uow:
            return await self.uow.payments.needing_attention(min(max(limit, 1), MAX_ATTENTION_PAGE))


@dataclass(frozen=True, slots=True)
class PaymentsOfReservation:
    uow: UnitOfWork

    async def __call__(self, code: str) -> list[PaymentRecord]:
        async with self.uow:
            return await self.uow.payments.for_reservation(code)
