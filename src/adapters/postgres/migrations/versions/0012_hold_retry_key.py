"""A hold remembers a key of the request that placed it (its client and body, hashed), so the
same request retried after an answer it never got (a 503 while PostgreSQL stalled, a dropped
connection) gets that hold back instead of a 409 against itself.

Expand-only: one nullable column; code that does not know it keeps working.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# The previous release runs on this schema (docs/adr/0001-rollback-onto-a-newer-schema.md).
expand_only: bool = True


def upgrade() -> None:
    op.add_column("reservations", sa.Column("retry_key", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("reservations", "retry_key")
