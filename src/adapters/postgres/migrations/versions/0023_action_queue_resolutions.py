"""The action queue's items get resolved: a payment's attention flag (the owner recorded the
payment, refunded it, or dismissed it with a reason), an undeliverable message (retried or
dismissed) and a calendar collision (gone by itself, or dismissed) keep their row with when and
how they were settled; the queue, Hoy and the daily summary count only the open ones.

Expand-only: nullable columns and indexes that the previous release neither reads nor writes.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# The previous release runs on this schema (docs/adr/0001-rollback-onto-a-newer-schema.md).
expand_only: bool = True


def upgrade() -> None:
    op.execute("ALTER TABLE payments ADD COLUMN attention_resolved_at timestamptz")
    op.execute("ALTER TABLE payments ADD COLUMN attention_resolution varchar(20)")
    op.execute(
        "CREATE INDEX payments_open_attention_idx ON payments (updated_at) "
        "WHERE attention IS NOT NULL AND attention_resolved_at IS NULL"
    )
    op.execute("ALTER TABLE undeliverable_messages ADD COLUMN resolution varchar(20)")
    op.execute("ALTER TABLE ical_conflicts ADD COLUMN resolved_at timestamptz")
    op.execute("ALTER TABLE ical_conflicts ADD COLUMN resolution varchar(20)")
    op.execute(
        "CREATE INDEX ical_conflicts_open_idx ON ical_conflicts (accommodation_id, check_in) "
        "WHERE resolved_at IS NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ical_conflicts_open_idx")
    op.execute("ALTER TABLE ical_conflicts DROP COLUMN IF EXISTS resolution")
    op.execute("ALTER TABLE ical_conflicts DROP COLUMN IF EXISTS resolved_at")
    op.execute("ALTER TABLE undeliverable_messages DROP COLUMN IF EXISTS resolution")
    op.execute("DROP INDEX IF EXISTS payments_open_attention_idx")
    op.execute("ALTER TABLE payments DROP COLUMN IF EXISTS attention_resolution")
    op.execute("ALTER TABLE payments DROP COLUMN IF EXISTS attention_resolved_at")
