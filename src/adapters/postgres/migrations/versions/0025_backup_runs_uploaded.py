"""A backup recorded says whether it went off-site (uploaded with BACKUP_UPLOAD_COMMAND): the
sync process's schedule and the age /metrics reports (BackupTooOld) count only the uploaded
ones when backups are uploaded, so a local dump taken by hand before a risky change neither
puts off the day's off-site copy nor hides how old the last one is.

The rows recorded before this revision say nothing about it and are marked not uploaded: where
backups are uploaded, the sync process takes a fresh one at its next check (within 10 minutes
of the deploy, before BackupTooOld's 30 minutes run out).

Expand-only: a column with a default; the previous release's inserts leave it out (its rows
read as not uploaded) and its reads do not see it.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-10
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# The previous release runs on this schema (docs/adr/0001-rollback-onto-a-newer-schema.md).
expand_only: bool = True


def upgrade() -> None:
    op.execute("ALTER TABLE backup_runs ADD COLUMN uploaded boolean NOT NULL DEFAULT false")


def downgrade() -> None:
    op.execute("ALTER TABLE backup_runs DROP COLUMN IF EXISTS uploaded")
