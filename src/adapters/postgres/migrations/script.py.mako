"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

Rolling deploys run old and new code against this schema at once: write migrations
expand/contract. Add columns nullable or with a default; never drop or rename a column in the
same release that stops using it (drop it in a later release, once no running code reads it).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
${imports if imports else ""}

revision: str = ${repr(up_revision)}
down_revision: str | None = ${repr(down_revision)}
branch_labels: str | Sequence[str] | None = ${repr(branch_labels)}
depends_on: str | Sequence[str] | None = ${repr(depends_on)}
# True only if the previous release runs on this schema unchanged (it adds; it drops, renames
# or rewrites nothing that release reads): then a rollback onto it is accepted by
# `cabanas migrate` and readyz (docs/adr/0001-rollback-onto-a-newer-schema.md).
expand_only: bool = False


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
