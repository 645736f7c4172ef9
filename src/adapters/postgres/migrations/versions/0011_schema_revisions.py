"""A record of each applied revision, its parent and whether it is expand-only, written at
upgrade time (env.py), so that an older release, which has not got the newer migration files,
can still tell whether it may run on this schema (docs/adr/0001-rollback-onto-a-newer-schema.md).

Expand-only: a new table no running code reads.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# The previous release runs on this schema (docs/adr/0001-rollback-onto-a-newer-schema.md).
expand_only: bool = True


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE schema_revisions (
            revision varchar(32) PRIMARY KEY,
            down_revision varchar(32),
            expand_only boolean NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS schema_revisions")
