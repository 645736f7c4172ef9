"""Accounts: the console's people, invitations and sessions."""

from __future__ import annotations

from datetime import timedelta

from dishka import Provider, Scope, provide

from application.accounts.invitations import (
    AcceptInvitation,
    InviteUser,
    ListPendingInvitations,
    RevokeInvitations,
    ShowInvitation,
)
from application.accounts.policy import AccountsPolicy
from application.accounts.sessions import CurrentUser, SignIn, SignOut
from application.accounts.users import ChangePassword, ListUsers, RemoveUser
from domain.accounts import SessionLifetime, ThrottleLimits
from entrypoints.settings import Settings


class AccountsProvider(Provider):
    scope = Scope.REQUEST

    @provide(scope=Scope.APP)
    def accounts_policy(self, settings: Settings) -> AccountsPolicy:
        return AccountsPolicy(
            owner_emails=settings.console_owner_emails,
            lifetime=SessionLifetime(
                idle=timedelta(hours=settings.console_session_idle_hours),
                absolute=timedelta(days=settings.console_session_absolute_days),
            ),
            throttle=ThrottleLimits(
                per_account=settings.console_sign_in_failures_per_account,
                per_address=settings.console_sign_in_failures_per_address,
                window=timedelta(minutes=settings.console_sign_in_window_minutes),
            ),
        )

    invite_user = provide(InviteUser)
    show_invitation = provide(ShowInvitation)
    accept_invitation = provide(AcceptInvitation)
    sign_in = provide(SignIn)
    sign_out = provide(SignOut)
    current_user = provide(CurrentUser)
    list_users = provide(ListUsers)
    pending_invitations = provide(ListPendingInvitations)
    revoke_invitations = provide(RevokeInvitations)
    remove_user = provide(RemoveUser)
    change_password = provide(ChangePassword)
