"""Inbox: webhook deliveries, recorded, processed and retried."""

from __future__ import annotations

from dishka import AsyncContainer, Provider, Scope, provide

from application.inbox.deliveries import HandleWhatsAppUpdate, ProcessDelivery, RecordDelivery
from entrypoints.http.webhooks.inbox import WebhookInbox


class InboxProvider(Provider):
    scope = Scope.REQUEST

    record_delivery = provide(RecordDelivery)
    process_delivery = provide(ProcessDelivery)
    whatsapp_update = provide(HandleWhatsAppUpdate)

    @provide(scope=Scope.APP)
    def webhook_inbox(self, container: AsyncContainer) -> WebhookInbox:
        return WebhookInbox(container)
