"""Mercado Pago over httpx: create a Checkout Pro preference, fetch a payment (spec §2.4–2.6)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
import msgspec

from application.errors import IntegrationError
from application.ports.payments import CheckoutRequest, PaymentLink, RefundMade, RefundRequest
from domain.money import Money
from domain.payments.checkout import checkout_reference
from domain.payments.payment import Payment, PaymentStatus

RETRYABLE_STATUS = frozenset({408, 409, 425, 429})


class _Preference(msgspec.Struct):
    id: str
    init_point: str


class _Payment(msgspec.Struct):
    id: int | str
    status: str
    transaction_amount: Decimal
    currency_id: str | None = None
    external_reference: str | None = None
    status_detail: str | None = None
    transaction_amount_refunded: Decimal | None = None
    date_created: datetime | None = None
    date_approved: datetime | None = None
    date_last_updated: datetime | None = None


class _Refund(msgspec.Struct):
    id: int | str | None = None
    payment_id: int | str | None = None
    amount: Decimal | None = None
    status: str | None = None


# ISO 4217's code for "no currency": a payment whose currency is missing or unreadable is
# judged as money in none of ours (flagged for the owner), never taken for pesos.
NO_CURRENCY = "XXX"


def _money(amount: Decimal, currency: str | None) -> Money:
    code = (currency or "").upper()
    return Money.of(amount, code if len(code) == 3 and code.isalpha() else NO_CURRENCY)


class MercadoPagoClient:
    """``notification_url`` (our webhook's absolute URL) is sent with ``source_news=webhooks``
    so only signed webhooks (not the legacy unsigned IPN) arrive for our preferences;
    ``return_url`` is absolute, with ``{code}`` for the reservation code."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        access_token: str,
        *,
        notification_url: str,
        return_url: str,
        statement_descriptor: str = "CABANAS",
    ) -> None:
        self._client = client
        self._headers = {"Authorization": f"Bearer {access_token}"}
        self._notification_url = f"{notification_url}?source_news=webhooks"
        self._return_url = return_url
        self._descriptor = statement_descriptor

    async def create_checkout(self, request: CheckoutRequest) -> PaymentLink:
        back = self._return_url.format(code=request.code.value)
        reference = checkout_reference(request.code.value, request.purpose)
        body: dict[str, Any] = {
            "items": [
                {
                    "id": reference,
                    "title": request.title,
                    "quantity": 1,
                    "unit_price": float(Decimal(request.deposit.cents) / 100),
                    "currency_id": request.deposit.currency,
                }
            ],
            "external_reference": reference,
            "notification_url": self._notification_url,
            "back_urls": {"success": back, "pending": back, "failure": back},
            "auto_return": "approved",
            "expires": True,
            "expiration_date_to": request.expires_at.isoformat(timespec="milliseconds"),
            "date_of_expiration": request.expires_at.isoformat(timespec="milliseconds"),
            "statement_descriptor": self._descriptor,
        }
        response = await self._call(
            "POST",
            "/checkout/preferences",
            json=body,
            headers={**self._headers, "X-Idempotency-Key": request.idempotency_key},
        )
        pref = self._decode(response, _Preference)
        return PaymentLink(preference_id=pref.id, url=pref.init_point)

    async def extend_checkout(self, preference_id: str, expires_at: datetime) -> None:
        """``PUT /checkout/preferences/{id}`` with the new ``expiration_date_to`` (and
        ``date_of_expiration``, as when it was created)."""
        if not preference_id.replace("-", "").isalnum():
            raise IntegrationError("not a preference id", retryable=False)
        moment = expires_at.isoformat(timespec="milliseconds")
        await self._call(
            "PUT",
            f"/checkout/preferences/{preference_id}",
            json={"expires": True, "expiration_date_to": moment, "date_of_expiration": moment},
            headers=self._headers,
        )

    async def fetch_payment(self, payment_id: str) -> Payment | None:
        if not payment_id.isalnum():
            return None  # never build a URL from something that is not an id
        response = await self._call("GET", f"/v1/payments/{payment_id}", headers=self._headers)
        if response.status_code == 404:
            return None
        raw = self._decode(response, _Payment)
        currency = raw.currency_id
        refunded = raw.transaction_amount_refunded
        return Payment(
            id=str(raw.id),
            status=PaymentStatus.parse(raw.status),
            amount=_money(raw.transaction_amount, currency),
            external_reference=raw.external_reference,
            status_detail=raw.status_detail,
            refunded=_money(refunded, currency) if refunded else None,
            created_at=raw.date_created,
            approved_at=raw.date_approved,
            updated_at=raw.date_last_updated,
        )

    async def refund(self, request: RefundRequest) -> RefundMade:
        """``POST /v1/payments/{id}/refunds`` (spec §2.7): ``{"amount": …}`` for part of it,
        with ``X-Idempotency-Key`` so a retry gets the same refund back. The answer is the
        refund (``id``, ``payment_id``, ``amount``, ``status``): for a key used before, the
        refund made then, which may be of another payment or amount. A field missing or
        unreadable is taken from the request: the refund was made, and a retry would read the
        same answer (a missing ``status`` is None)."""
        if not request.payment_id.isalnum():
            raise IntegrationError("not a payment id", retryable=False)
        response = await self._call(
            "POST",
            f"/v1/payments/{request.payment_id}/refunds",
            json={"amount": float(Decimal(request.amount.cents) / 100)},
            headers={**self._headers, "X-Idempotency-Key": request.idempotency_key},
        )
        try:
            made = msgspec.json.decode(response.content, type=_Refund, strict=False)
        except msgspec.DecodeError:
            made = _Refund()
        payment_id = str(made.payment_id) if made.payment_id is not None else ""
        amount = request.amount
        if made.amount is not None and made.amount > 0:
            amount = Money.of(made.amount, request.amount.currency)
        return RefundMade(
            payment_id=payment_id if payment_id.isalnum() else request.payment_id,
            amount=amount,
            refund_id=str(made.id) if made.id is not None else None,
            status=made.status.strip().lower() or None if isinstance(made.status, str) else None,
        )

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._client.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise IntegrationError(
                f"Mercado Pago timed out ({method} {path})", retryable=True
            ) from exc
        except httpx.HTTPError as exc:
            raise IntegrationError(
                f"Mercado Pago unreachable ({type(exc).__name__})", retryable=True
            ) from exc
        if response.status_code == 404 and method == "GET":
            return response
        if response.status_code >= 400:
            retryable = response.status_code >= 500 or response.status_code in RETRYABLE_STATUS
            raise IntegrationError(
                f"Mercado Pago answered {response.status_code} to {method} {path}",
                retryable=retryable,
                code=str(response.status_code),
            )
        return response

    @staticmethod
    def _decode[T](response: httpx.Response, kind: type[T]) -> T:
        try:
            return msgspec.json.decode(response.content, type=kind, strict=False)
        except msgspec.DecodeError as exc:
            raise IntegrationError(
                f"unexpected Mercado Pago response: {exc}", retryable=True
            ) from exc


class PaymentsDisabled:
    """No ``MP_ACCESS_TOKEN``: nothing to create or fetch."""

    async def create_checkout(self, request: CheckoutRequest) -> PaymentLink:
        raise IntegrationError("Mercado Pago is not configured", retryable=False)

    async def fetch_payment(self, payment_id: str) -> Payment | None:
        raise IntegrationError("Mercado Pago is not configured", retryable=True)

    async def refund(self, request: RefundRequest) -> RefundMade:
        raise IntegrationError("Mercado Pago is not configured", retryable=False)

    async def extend_checkout(self, preference_id: str, expires_at: datetime) -> None:
        raise IntegrationError("Mercado Pago is not configured", retryable=False)
