"""Idempotency keys without a payload hold SQL NULL, not JSON ``null``.

Booking keys (and processed deliveries) were stored with a JSON ``null`` payload, which the
delivery worker's ``payload IS NOT NULL`` took for an unprocessed webhook delivery: every pass
picked them up, failed on them, and crowded real payment notifications out of its batch.

Data-only and safe to run twice.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# The previous release runs on this schema (docs/adr/0001-rollback-onto-a-newer-schema.md).
expand_only: bool = False


def upgrade() -> None:
    op.execute("UPDATE idempotency_keys SET payload = NULL WHERE payload = 'null'::jsonb")


def downgrade() -> None:
    # Nothing to undo: SQL NULL is what the column always meant.
    pass
