"""Conversation: the WhatsApp booking assistant and its state in Redis."""

from __future__ import annotations

from dishka import Provider, Scope, provide
from redis.asyncio import Redis

from adapters.redis.conversations import RedisConversationStore
from application.conversation.booking_desk import BookingDesk
from application.conversation.converse import ConversationSetup, Converse
from application.conversation.handovers import ListHandovers, ResumeAssistant, TakeHandover
from application.conversation.reservation_desk import ReservationDesk
from application.ports.conversations import ConversationStore


class ConversationProvider(Provider):
    scope = Scope.REQUEST

    @provide(scope=Scope.APP)
    def conversation_setup(self) -> ConversationSetup:
        return ConversationSetup()

    @provide(scope=Scope.APP)
    def conversations(self, redis: Redis) -> ConversationStore:
        return RedisConversationStore(redis)

    booking_desk = provide(BookingDesk)
    reservation_desk = provide(ReservationDesk)
    converse = provide(Converse)
    list_handovers = provide(ListHandovers)
    resume_assistant = provide(ResumeAssistant)
    take_handover = provide(TakeHandover)
