"""A row per backup that was taken (and uploaded, when an upload command is set): the sync
process takes the next one when the newest row is a day old, whichever machine or restart it
is, and /metrics and the admin API report its age (docs/adr/0002-daily-backups-in-the-sync-process.md).

Expand-only: a new table no running code reads.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# The previous release runs on this schema (docs/adr/0001-rollback-onto-a-newer-schema.md).
expand_only: bool = True


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE backup_runs (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            taken_at timestamptz NOT NULL,
            file varchar(200) NOT NULL,
            bytes bigint NOT NULL,
            sha256 varchar(64) NOT NULL
        )
        """
    )
    op.execute("CREATE INDEX backup_runs_taken_at_idx ON backup_runs (taken_at)")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS backup_runs")
