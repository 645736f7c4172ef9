"""Messaging: the WhatsApp sender (or a logging one, when WhatsApp is off) and the outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
from dishka import Provider, Scope, provide

from adapters.whatsapp.client import LoggingSender, WhatsAppClient
from application.messaging.balance_reminders import BalanceLinks, RemindBalancesDue
from application.messaging.daily_summary import SendDailySummary, SummarySetup
from application.messaging.dispatch_outbox import DispatchOutbox, OutboxSetup
from application.messaging.stay_messages import SendStayMessages
from application.messaging.undeliverable import ListUndeliverableMessages
from application.ports.ledger import LedgerTerms
from application.ports.messaging import MessageSender
from domain.messaging.schedule import ScheduleRules
from entrypoints.container.infrastructure import WORKER_HTTP_TIMEOUT_SECONDS
from entrypoints.settings import Settings


def whatsapp_configured(settings: Settings) -> bool:
    return (
        settings.whatsapp_enabled
        and settings.whatsapp_token is not None
        and bool(settings.whatsapp_token.reveal())
        and bool(settings.whatsapp_phone_number_id)
    )


class MessagingProvider(Provider):
    scope = Scope.REQUEST

    @provide(scope=Scope.APP)
    def outbox_setup(self, settings: Settings) -> OutboxSetup:
        return OutboxSetup(
            admin_phone=settings.admin_whatsapp_number,
            owner_email=settings.owner_email,
            console_base_url=settings.public_base,
            guest_base_url=settings.public_base,
            ledger_terms=LedgerTerms(balance_due_days=settings.balance_due_days),
        )

    @provide(scope=Scope.APP)
    def schedule_rules(self, settings: Settings) -> ScheduleRules:
        return settings.schedule_rules

    @provide(scope=Scope.APP)
    def balance_links(self, settings: Settings) -> BalanceLinks:
        return BalanceLinks(enabled=settings.payments_enabled)

    @provide(scope=Scope.APP)
    def summary_setup(self, settings: Settings) -> SummarySetup:
        return SummarySetup(feed_stale_after=timedelta(minutes=settings.ical_stale_minutes))

    @provide(scope=Scope.APP)
    async def message_sender(self, settings: Settings) -> AsyncIterator[MessageSender]:
        if not whatsapp_configured(settings):
            yield LoggingSender(show_text=settings.environment == "development")
            return
        assert settings.whatsapp_token is not None
        assert settings.whatsapp_phone_number_id
        async with httpx.AsyncClient(
            base_url=settings.whatsapp_api_base_url,
            timeout=httpx.Timeout(WORKER_HTTP_TIMEOUT_SECONDS),
            follow_redirects=False,
        ) as client:
            yield WhatsAppClient(
                client,
                settings.whatsapp_token.reveal(),
                settings.whatsapp_phone_number_id,
                settings.whatsapp_api_version,
            )

    dispatch_outbox = provide(DispatchOutbox)
    stay_messages = provide(SendStayMessages)
    balance_reminders = provide(RemindBalancesDue)
    daily_summary = provide(SendDailySummary)
    undeliverable_messages = provide(ListUndeliverableMessages)
