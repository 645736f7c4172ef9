"""Dated price changes per cabin (``price_terms.price_changes``).

Expand-only: a new column with a default that the previous release never reads.

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# The previous release runs on this schema (docs/adr/0001-rollback-onto-a-newer-schema.md).
expand_only: bool = True


def upgrade() -> None:
    op.execute(
        "ALTER TABLE price_terms ADD COLUMN price_changes jsonb NOT NULL DEFAULT '[]'::jsonb"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE price_terms DROP COLUMN IF EXISTS price_changes")
