"""The only wiring point: one dishka container for the HTTP app and the worker processes.

One provider per capability (``booking.py``, ``payments.py`` … beside this file), each binding
that capability's ports to their adapters (process-wide, ``Scope.APP``) and providing its use
cases (per request or duty, ``Scope.REQUEST``); ``infrastructure.py`` holds what they all
share. A new use case is one line in its capability's provider."""

from __future__ import annotations

from dishka import AsyncContainer, Provider, make_async_container

from entrypoints.container.accounts import AccountsProvider
from entrypoints.container.back_office import BackOfficeProvider
from entrypoints.container.booking import BookingProvider
from entrypoints.container.calendar_sync import CalendarSyncProvider
from entrypoints.container.conversation import ConversationProvider
from entrypoints.container.inbox import InboxProvider
from entrypoints.container.infrastructure import InfrastructureProvider
from entrypoints.container.messaging import MessagingProvider
from entrypoints.container.operations import OperationsProvider
from entrypoints.container.payments import PaymentsProvider
from entrypoints.settings import Settings


def make_container(settings: Settings, *overrides: Provider) -> AsyncContainer:
    """Build the container; ``overrides`` (e.g. a fixed clock in tests) win over defaults."""
    return make_async_container(
        InfrastructureProvider(),
        BookingProvider(),
        PaymentsProvider(),
        MessagingProvider(),
        InboxProvider(),
        ConversationProvider(),
        CalendarSyncProvider(),
        BackOfficeProvider(),
        OperationsProvider(),
        AccountsProvider(),
        *overrides,
        context={Settings: settings},
    )
