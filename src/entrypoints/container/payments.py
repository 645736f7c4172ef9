"""Payments: the Mercado Pago gateway (or none, when payments are off) and what uses it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from dishka import Provider, Scope, provide

from adapters.mercadopago.client import MercadoPagoClient, PaymentsDisabled
from adapters.whatsapp.media import GraphMediaDownloader, MediaDisabled
from application.payments.admin import ListPaymentsNeedingAttention, PaymentsOfReservation
from application.payments.apply_payment import ApplyPayment
from application.payments.attention import (
    ListLedgerFlags,
    ResolveLedgerFlag,
    ResolvePaymentAttention,
)
from application.payments.credits import IssueCredit
from application.payments.ledger import ExtendHold, GetLedger, RecordManualPayment
from application.payments.money_to_return import ReconcileMoneyToReturn
from application.payments.receipts import (
    ApproveReceipt,
    GetReceipt,
    ListReceiptsToApprove,
    ReceiveReceipt,
    RejectReceipt,
)
from application.payments.refunds import IssueRefund
from application.ports.ledger import LedgerTerms
from application.ports.payments import PaymentGateway
from application.ports.receipts import MediaDownloader
from domain.payments.receipts import ReceiptRules
from entrypoints.container.infrastructure import WORKER_HTTP_TIMEOUT_SECONDS
from entrypoints.container.messaging import whatsapp_configured
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
    async def media_downloader(self, settings: Settings) -> AsyncIterator[MediaDownloader]:
        """Guests' receipts through the Graph API media endpoint (WhatsApp's token)."""
        if not whatsapp_configured(settings):
            yield MediaDisabled()
            return
        assert settings.whatsapp_token is not None
        async with httpx.AsyncClient(
            base_url=settings.whatsapp_api_base_url,
            timeout=httpx.Timeout(WORKER_HTTP_TIMEOUT_SECONDS),
            follow_redirects=False,
        ) as client:
            yield GraphMediaDownloader(
                client,
                settings.whatsapp_token.reveal(),
                settings.whatsapp_api_version,
                settings.whatsapp_api_base_url,
            )

    @provide(scope=Scope.APP)
    def receipt_rules(self, settings: Settings) -> ReceiptRules:
        return ReceiptRules(max_bytes=settings.receipt_max_bytes)

    @provide(scope=Scope.APP)
    def ledger_terms(self, settings: Settings) -> LedgerTerms:
        return LedgerTerms(balance_due_days=settings.balance_due_days)

    apply_payment = provide(ApplyPayment)
    get_ledger = provide(GetLedger)
    record_manual_payment = provide(RecordManualPayment)
    extend_hold = provide(ExtendHold)
    issue_refund = provide(IssueRefund)
    issue_credit = provide(IssueCredit)
    receive_receipt = provide(ReceiveReceipt)
    receipts_to_approve = provide(ListReceiptsToApprove)
    get_receipt = provide(GetReceipt)
    approve_receipt = provide(ApproveReceipt)
    reject_receipt = provide(RejectReceipt)
    payments_needing_attention = provide(ListPaymentsNeedingAttention)
    resolve_payment_attention = provide(ResolvePaymentAttention)
    ledger_flags = provide(ListLedgerFlags)
    resolve_ledger_flag = provide(ResolveLedgerFlag)
    payments_of_reservation = provide(PaymentsOfReservation)
    reconcile_money_to_return = provide(ReconcileMoneyToReturn)


def _absolute(settings: Settings, url: str) -> str:
    """A path is joined to PUBLIC_BASE_URL; an absolute URL is kept as given."""
    return url if "://" in url else settings.public_base + url
