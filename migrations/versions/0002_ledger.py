"""ledger: accounts, the append-only journal of transfers, and its triggers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 18:01:49.889225

Besides the tables, constraints and indexes (which ``alembic check`` compares with
``ledgers.models``), this creates triggers that models can't express:

- ``ledger_transfers`` is append-only: UPDATE, DELETE (and TRUNCATE on PostgreSQL) are refused.
- A ledger account's identity (id, code, type, currency, guard flags, keeps_balance) never
  changes; only its cached balances do.

Both raise an integrity error (SQLSTATE 23000 on PostgreSQL, SQLITE_CONSTRAINT on SQLite).
Careful: on SQLite a later ``batch_alter_table`` on these tables recreates them and drops the
triggers; such a migration must create them again (``_sqlite_triggers`` below).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ledger_accounts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('code', sa.String(length=100), nullable=False),
    sa.Column('type', sa.String(length=10), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('debits_must_not_exceed_credits', sa.Boolean(), nullable=False),
    sa.Column('credits_must_not_exceed_debits', sa.Boolean(), nullable=False),
    sa.Column('keeps_balance', sa.Boolean(), nullable=False),
    sa.Column('debits_posted', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('credits_posted', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('debits_pending', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('credits_pending', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("type IN ('asset', 'liability', 'revenue', 'expense', 'equity')", name=op.f('ck_ledger_accounts_type_known')),
    sa.CheckConstraint('NOT credits_must_not_exceed_debits OR credits_posted + credits_pending <= debits_posted', name=op.f('ck_ledger_accounts_credit_guard')),
    sa.CheckConstraint('NOT debits_must_not_exceed_credits OR debits_posted + debits_pending <= credits_posted', name=op.f('ck_ledger_accounts_debit_guard')),
    sa.CheckConstraint('debits_posted >= 0 AND credits_posted >= 0 AND debits_pending >= 0 AND credits_pending >= 0', name=op.f('ck_ledger_accounts_balances_not_negative')),
    sa.CheckConstraint('keeps_balance OR (debits_posted = 0 AND credits_posted = 0 AND debits_pending = 0 AND credits_pending = 0)', name=op.f('ck_ledger_accounts_house_keeps_no_balance')),
    sa.CheckConstraint('keeps_balance OR NOT (debits_must_not_exceed_credits OR credits_must_not_exceed_debits)', name=op.f('ck_ledger_accounts_guard_needs_balance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_accounts')),
    sa.UniqueConstraint('code', name=op.f('uq_ledger_accounts_code'))
    )
    op.create_table('ledger_transfers',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('debit_account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('credit_account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('pending_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('reverses_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('timeout_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.CheckConstraint("(kind IN ('single', 'pending') AND pending_id IS NULL) OR (kind NOT IN ('single', 'pending') AND pending_id IS NOT NULL)", name=op.f('ck_ledger_transfers_pending_id_for_resolutions')),
    sa.CheckConstraint("kind IN ('single', 'pending', 'post_pending', 'void_pending', 'expire_pending')", name=op.f('ck_ledger_transfers_kind_known')),
    sa.CheckConstraint("kind NOT IN ('single', 'pending') OR amount > 0", name=op.f('ck_ledger_transfers_amount_positive')),
    sa.CheckConstraint("reverses_id IS NULL OR kind = 'single'", name=op.f('ck_ledger_transfers_reversal_is_single')),
    sa.CheckConstraint("timeout_at IS NULL OR kind = 'pending'", name=op.f('ck_ledger_transfers_timeout_only_on_holds')),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_ledger_transfers_amount_not_negative')),
    sa.CheckConstraint('debit_account_id <> credit_account_id', name=op.f('ck_ledger_transfers_accounts_differ')),
    sa.ForeignKeyConstraint(['credit_account_id'], ['ledger_accounts.id'], name=op.f('fk_ledger_transfers_credit_account_id_ledger_accounts')),
    sa.ForeignKeyConstraint(['debit_account_id'], ['ledger_accounts.id'], name=op.f('fk_ledger_transfers_debit_account_id_ledger_accounts')),
    sa.ForeignKeyConstraint(['pending_id'], ['ledger_transfers.id'], name=op.f('fk_ledger_transfers_pending_id_ledger_transfers')),
    sa.ForeignKeyConstraint(['reverses_id'], ['ledger_transfers.id'], name=op.f('fk_ledger_transfers_reverses_id_ledger_transfers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_transfers')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_ledger_transfers_idempotency_key')),
    sa.UniqueConstraint('pending_id', name=op.f('uq_ledger_transfers_pending_id'))
    )
    with op.batch_alter_table('ledger_transfers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_transfers_credit_account_id'), ['credit_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_transfers_debit_account_id'), ['debit_account_id'], unique=False)
        batch_op.create_index('ix_ledger_transfers_open_timeouts', ['timeout_at'], unique=False, postgresql_where=sa.text("kind = 'pending' AND timeout_at IS NOT NULL"), sqlite_where=sa.text("kind = 'pending' AND timeout_at IS NOT NULL"))
        batch_op.create_index(batch_op.f('ix_ledger_transfers_reverses_id'), ['reverses_id'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        for statement in _POSTGRESQL_TRIGGERS:
            op.execute(statement)
    else:
        for statement in _sqlite_triggers():
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS ledger_transfers_no_truncate ON ledger_transfers")
        op.execute("DROP TRIGGER IF EXISTS ledger_transfers_no_update_or_delete ON ledger_transfers")
        op.execute("DROP TRIGGER IF EXISTS ledger_accounts_identity_fixed ON ledger_accounts")
        op.execute("DROP FUNCTION IF EXISTS ledger_transfers_append_only()")
        op.execute("DROP FUNCTION IF EXISTS ledger_accounts_identity_fixed()")
    else:
        for name in ("ledger_transfers_no_update", "ledger_transfers_no_delete", "ledger_accounts_identity_fixed"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table('ledger_transfers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_transfers_reverses_id'))
        batch_op.drop_index('ix_ledger_transfers_open_timeouts', postgresql_where=sa.text("kind = 'pending' AND timeout_at IS NOT NULL"), sqlite_where=sa.text("kind = 'pending' AND timeout_at IS NOT NULL"))
        batch_op.drop_index(batch_op.f('ix_ledger_transfers_debit_account_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_transfers_credit_account_id'))

    op.drop_table('ledger_transfers')
    op.drop_table('ledger_accounts')


_IDENTITY_COLUMNS = (
    "id", "code", "type", "currency", "debits_must_not_exceed_credits", "credits_must_not_exceed_debits",
    "keeps_balance",
)

_POSTGRESQL_TRIGGERS = (
    """
    CREATE FUNCTION ledger_transfers_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'ledger_transfers is append-only: % refused', TG_OP
            USING ERRCODE = 'integrity_constraint_violation',
                  HINT = 'correct a transfer with a reversing transfer';
    END
    $$
    """,
    """
    CREATE TRIGGER ledger_transfers_no_update_or_delete BEFORE UPDATE OR DELETE ON ledger_transfers
    FOR EACH ROW EXECUTE FUNCTION ledger_transfers_append_only()
    """,
    """
    CREATE TRIGGER ledger_transfers_no_truncate BEFORE TRUNCATE ON ledger_transfers
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_transfers_append_only()
    """,
    """
    CREATE FUNCTION ledger_accounts_identity_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'only the cached balances of a ledger account may change'
            USING ERRCODE = 'integrity_constraint_violation';
    END
    $$
    """,
    f"""
    CREATE TRIGGER ledger_accounts_identity_fixed BEFORE UPDATE ON ledger_accounts FOR EACH ROW
    WHEN ({" OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in _IDENTITY_COLUMNS)})
    EXECUTE FUNCTION ledger_accounts_identity_fixed()
    """,
)


def _sqlite_triggers() -> list[str]:
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in _IDENTITY_COLUMNS)
    return [
        """
        CREATE TRIGGER ledger_transfers_no_update BEFORE UPDATE ON ledger_transfers
        BEGIN SELECT RAISE(ABORT, 'ledger_transfers is append-only: UPDATE refused'); END
        """,
        """
        CREATE TRIGGER ledger_transfers_no_delete BEFORE DELETE ON ledger_transfers
        BEGIN SELECT RAISE(ABORT, 'ledger_transfers is append-only: DELETE refused'); END
        """,
        f"""
        CREATE TRIGGER ledger_accounts_identity_fixed BEFORE UPDATE ON ledger_accounts WHEN {changed}
        BEGIN SELECT RAISE(ABORT, 'only the cached balances of a ledger account may change'); END
        """,
    ]
