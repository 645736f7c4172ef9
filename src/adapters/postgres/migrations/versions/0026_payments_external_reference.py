"""A Mercado Pago payment keeps its booking's code and its checkout's reference apart: the
reference (``external_reference``, as Mercado Pago reports it: ``CODE`` for the deposit,
``CODE:balance`` for the balance) gets a column of its own, and ``reservation_code`` is the
booking the payment was matched to, whatever its purpose. Until now the reference was stored
as the code, so a payment through a balance link was stored under ``CODE:balance`` and every
read that finds a booking's payments by its code (its payments, the flags a refund settles,
its money to give back, Pagos's link to the booking) missed it.

The payments stored before this revision take their reference from ``reservation_code``; a
balance payment's ``reservation_code`` becomes its booking's code, and a payment whose
reference names no booking of ours (flagged ``unknown_reference``) has none.

The previous release stores the reference as the code still (a machine not yet replaced in a
rolling deploy, a rollback): a trigger splits what it writes the same way, so its balance
payments are found by their booking's code too. Nothing else changes for it (it neither reads
nor writes the new column, and reads the code only to find and link bookings). The trigger can
go once no release before this one runs.

Expand-only: a nullable column, an update of the rows the previous release stored wrongly, and
a trigger that keeps its writes right.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-11
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# The previous release runs on this schema (docs/adr/0001-rollback-onto-a-newer-schema.md).
expand_only: bool = True


def upgrade() -> None:
    op.execute("ALTER TABLE payments ADD COLUMN external_reference varchar(64)")
    op.execute(
        "UPDATE payments SET external_reference = reservation_code "
        "WHERE provider = 'mercadopago' AND reservation_code IS NOT NULL"
    )
    # A balance checkout's reference (domain.payments.checkout): the code, a colon, "balance"
    # (the colon escaped: op.execute reads ":name" as a bound parameter).
    op.execute(
        "UPDATE payments SET reservation_code = split_part(reservation_code, ':', 1) "
        r"WHERE provider = 'mercadopago' AND reservation_code ~ '^[^:]+\:balance$'"
    )
    # A reference of no booking of ours was stored as a code too: it has none.
    op.execute(
        "UPDATE payments p SET reservation_code = NULL WHERE provider = 'mercadopago' "
        "AND reservation_code IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM reservations r WHERE r.code = p.reservation_code)"
    )
    # The previous release writes the reference as the code and leaves the new column out.
    op.execute(
        r"""
        CREATE FUNCTION payments_reference_apart() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.provider = 'mercadopago' AND NEW.external_reference IS NULL THEN
                NEW.external_reference := NEW.reservation_code;
            END IF;
            IF NEW.provider = 'mercadopago' AND NEW.reservation_code ~ '^[^:]+\:balance$' THEN
                NEW.external_reference := NEW.reservation_code;
                NEW.reservation_code := split_part(NEW.reservation_code, ':', 1);
            END IF;
            RETURN NEW;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER payments_reference_apart BEFORE INSERT OR UPDATE ON payments "
        "FOR EACH ROW EXECUTE FUNCTION payments_reference_apart()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS payments_reference_apart ON payments")
    op.execute("DROP FUNCTION IF EXISTS payments_reference_apart()")
    # Back to the reference as the code (a payment matched to no booking had its reference
    # there too).
    op.execute(
        "UPDATE payments SET reservation_code = external_reference "
        "WHERE provider = 'mercadopago' AND external_reference IS NOT NULL"
    )
    op.execute("ALTER TABLE payments DROP COLUMN IF EXISTS external_reference")
