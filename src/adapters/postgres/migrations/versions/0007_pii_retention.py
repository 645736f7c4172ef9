"""PII retention: when a past reservation's guest data was anonymized.

Expand-only: a nullable column, and a partial index (built CONCURRENTLY) over the bookings still
carrying guest data, so the daily retention sweep reads only those.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# The previous release runs on this schema (docs/adr/0001-rollback-onto-a-newer-schema.md).
expand_only: bool = True


def upgrade() -> None:
    op.execute("ALTER TABLE reservations ADD COLUMN anonymized_at timestamptz")
    with op.get_context().autocommit_block():
        op.execute(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS reservations_pii_pending_idx "
            "ON reservations (check_out) WHERE kind = 'booking' AND anonymized_at IS NULL"
        )


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.execute("DROP INDEX CONCURRENTLY IF EXISTS reservations_pii_pending_idx")
    op.execute("ALTER TABLE reservations DROP COLUMN IF EXISTS anonymized_at")
