"""The console's people: users (argon2id password hashes), single-use invitations and
server-side sign-in sessions. Tokens are stored only as SHA-256 digests.

Expand-only: new tables no running code reads.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# The previous release runs on this schema (docs/adr/0001-rollback-onto-a-newer-schema.md).
expand_only: bool = True


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE users (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            email varchar(320) NOT NULL,
            role varchar(10) NOT NULL,
            password_hash text NOT NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            CONSTRAINT users_email_key UNIQUE (email),
            CONSTRAINT users_role_known CHECK (role IN ('owner', 'staff'))
        )
        """
    )
    op.execute(
        """
        CREATE TABLE user_invitations (
            token_digest varchar(64) PRIMARY KEY,
            email varchar(320) NOT NULL,
            role varchar(10) NOT NULL,
            invited_by varchar(320) NOT NULL,
            created_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL,
            used_at timestamptz,
            CONSTRAINT user_invitations_role_known CHECK (role IN ('owner', 'staff'))
        )
        """
    )
    op.execute("CREATE INDEX user_invitations_email_idx ON user_invitations (email)")
    op.execute(
        """
        CREATE TABLE console_sessions (
            token_digest varchar(64) PRIMARY KEY,
            user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            created_at timestamptz NOT NULL,
            last_seen_at timestamptz NOT NULL
        )
        """
    )
    op.execute("CREATE INDEX console_sessions_user_id_idx ON console_sessions (user_id)")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS console_sessions")
    op.execute("DROP TABLE IF EXISTS user_invitations")
    op.execute("DROP TABLE IF EXISTS users")
