"""The console's accounts: invitations, sign-in sessions, users. Every change is audited."""
