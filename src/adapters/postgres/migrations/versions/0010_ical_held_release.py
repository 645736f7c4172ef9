"""A calendar feed can hold a release: an answer that would free many of its nights at once,
waiting to be seen again or confirmed by an admin before it frees anything.

Expand-only: four nullable columns (NULL = nothing held); code that does not know them keeps
working.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# The previous release runs on this schema (docs/adr/0001-rollback-onto-a-newer-schema.md).
expand_only: bool = True


def upgrade() -> None:
    op.add_column("ical_feeds", sa.Column("held_release_nights", sa.Integer(), nullable=True))
    op.add_column("ical_feeds", sa.Column("held_release_answer", sa.String(64), nullable=True))
    op.add_column("ical_feeds", sa.Column("held_release_seen", sa.Integer(), nullable=True))
    op.add_column(
        "ical_feeds", sa.Column("held_release_since", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    for column in ("held_release_since", "held_release_seen", "held_release_answer"):
        op.drop_column("ical_feeds", column)
    op.drop_column("ical_feeds", "held_release_nights")
