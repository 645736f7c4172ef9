"""Payments: the Mercado Pago gateway (or none, when payments are off) and what uses it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from dishka import Provider, Scope, provide

from adapters.mercadopago.client import MercadoPagoClient, PaymentsDisabled
from application.payments.admin import ListPaymentsNeedingAttention, PaymentsOfReservation
from application.payments.apply_payment import ApplyPayment
from application.payments.attention import ResolvePaymentAttention
from application.payments.ledger import ExtendHold, GetLedger, RecordManualPayment
from application.payments.refunds import IssueRefund
from application.ports.ledger import LedgerTerms
from application.ports.payments import PaymentGateway
from entrypoints.settings import Settings
from entrypoints.urls import api_url


class PaymentsProvider(Provider):
    scope = Scope.REQUEST

    @provide(scope=Scope.APP)
    async def payment_gateway(self, settings: Settings) -> AsyncIterator[PaymentGateway]:
        if not settings.payments_enabled:
            yield PaymentsDisabled()
            return
        assert settings.mp_access_token is not None
        async with httpx.AsyncClient(
            base_url=settings.mp_api_base_url,
            timeout=httpx.Timeout(settings.mp_timeout_seconds),
            follow_redirects=False,
        ) as client:
            yield MercadoPagoClient(
                client,
                settings.mp_access_token.reveal(),
                notification_url=api_url(settings.public_base, "webhooks", "mercadopago"),
                return_url=_absolute(settings, settings.payment_return_url),
            )

    @provide(scope=Scope.APP)
    def ledger_terms(self, settings: Settings) -> LedgerTerms:
        return LedgerTerms(balance_due_days=settings.balance_due_days)

    apply_payment = provide(ApplyPayment)
    get_ledger = provide(GetLedger)
    record_manual_payment = provide(RecordManualPayment)
    extend_hold = provide(ExtendHold)
    issue_refund = provide(IssueRefund)
    payments_needing_attention = provide(ListPaymentsNeedingAttention)
    resolve_payment_attention = provide(ResolvePaymentAttention)
    payments_of_reservation = provide(PaymentsOfReservation)


def _absolute(settings: Settings, url: str) -> str:
    """A path is joined to PUBLIC_BASE_URL; an absolute URL is kept as given."""
    return url if "://" in url else settings.public_base + url
