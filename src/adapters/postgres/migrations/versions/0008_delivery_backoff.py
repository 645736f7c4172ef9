"""When a failed webhook delivery may be tried again (exponential backoff instead of every
minute, so a provider outage of hours does not exhaust the attempts).

Expand-only: a nullable column.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# The previous release runs on this schema (docs/adr/0001-rollback-onto-a-newer-schema.md).
expand_only: bool = True


def upgrade() -> None:
    op.execute("ALTER TABLE idempotency_keys ADD COLUMN next_attempt_at timestamptz")


def downgrade() -> None:
    op.execute("ALTER TABLE idempotency_keys DROP COLUMN IF EXISTS next_attempt_at")
