"""Messages that arrive: each WhatsApp number's last inbound message (the 24 h
customer-service window decides between free text and a template); the outbox rows of one
notification sent over several channels share a group key; a notification no channel
delivered is recorded for the owner's action queue.

Expand-only: new tables no running code reads, and a nullable column (with its index) that
the previous release never writes.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# The previous release runs on this schema (docs/adr/0001-rollback-onto-a-newer-schema.md).
expand_only: bool = True


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE whatsapp_contacts (
            whatsapp_id varchar(20) PRIMARY KEY,
            last_inbound_at timestamptz NOT NULL
        )
        """
    )
    op.execute("ALTER TABLE outbox ADD COLUMN group_key varchar(200)")
    op.execute("CREATE INDEX outbox_group_key_idx ON outbox (group_key)")
    op.execute(
        """
        CREATE TABLE undeliverable_messages (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            group_key varchar(200) NOT NULL UNIQUE,
            topic varchar(40) NOT NULL,
            recipient varchar(10) NOT NULL
                CONSTRAINT undeliverable_recipient_known CHECK (recipient IN ('guest', 'owner')),
            reservation_code varchar(16),
            errors text NOT NULL,
            failed_at timestamptz NOT NULL,
            resolved_at timestamptz
        )
        """
    )
    op.execute(
        "CREATE INDEX undeliverable_open_idx ON undeliverable_messages (failed_at) "
        "WHERE resolved_at IS NULL"
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS undeliverable_messages")
    op.execute("DROP INDEX IF EXISTS outbox_group_key_idx")
    op.execute("ALTER TABLE outbox DROP COLUMN IF EXISTS group_key")
    op.execute("DROP TABLE IF EXISTS whatsapp_contacts")
