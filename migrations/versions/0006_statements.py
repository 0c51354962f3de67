"""statements: one per account and period, with their lines

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 03:56:47.379474
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('statements',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('ledger_account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('plan', sa.String(length=12), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('holder_name', sa.String(length=200), nullable=False),
    sa.Column('holder_address', sa.Text(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('opening_balance', sa.BigInteger(), nullable=False),
    sa.Column('charges', sa.BigInteger(), nullable=False),
    sa.Column('payments', sa.BigInteger(), nullable=False),
    sa.Column('adjustments', sa.BigInteger(), nullable=False),
    sa.Column('closing_balance', sa.BigInteger(), nullable=False),
    sa.Column('amount_due', sa.BigInteger(), nullable=False),
    sa.Column('statement_date', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(plan = 'direct_bill') = (due_on IS NOT NULL)", name=op.f('ck_statements_due_date_direct_bill_only')),
    sa.CheckConstraint("plan IN ('prepaid', 'direct_bill')", name=op.f('ck_statements_plan_known')),
    sa.CheckConstraint('amount_due >= 0', name=op.f('ck_statements_amount_due_not_negative')),
    sa.CheckConstraint("closing_balance = opening_balance + adjustments + CASE WHEN plan = 'direct_bill' THEN charges - payments ELSE payments - charges END", name=op.f('ck_statements_summary_adds_up')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_statements_account_id_accounts')),
    sa.ForeignKeyConstraint(['ledger_account_id'], ['ledger_accounts.id'], name=op.f('fk_statements_ledger_account_id_ledger_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statements')),
    sa.UniqueConstraint('account_id', 'period_start', name=op.f('uq_statements_account_id_period_start')),
    sa.UniqueConstraint('number', name=op.f('uq_statements_number'))
    )
    op.create_table('statement_lines',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('statement_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('transfer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('posted_at', sa.DateTime(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('effect', sa.BigInteger(), nullable=False),
    sa.Column('call_ref', sa.String(length=100), nullable=True),
    sa.Column('number', sa.String(length=20), nullable=True),
    sa.Column('facility', sa.String(length=60), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('billable_seconds', sa.Integer(), nullable=True),
    sa.Column('per_minute', sa.Numeric(precision=12, scale=6), nullable=True),
    sa.Column('first_minute', sa.Numeric(precision=12, scale=6), nullable=True),
    sa.Column('increment_seconds', sa.Integer(), nullable=True),
    sa.Column('minimum_seconds', sa.Integer(), nullable=True),
    sa.Column('rounding', sa.String(length=10), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('call', 'payment', 'adjustment')", name=op.f('ck_statement_lines_kind_known')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_statement_lines_amount_positive')),
    sa.CheckConstraint('effect = amount OR effect = -amount', name=op.f('ck_statement_lines_effect_is_the_amount')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_statement_lines_account_id_accounts')),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_statement_lines_statement_id_statements')),
    sa.ForeignKeyConstraint(['transfer_id'], ['ledger_transfers.id'], name=op.f('fk_statement_lines_transfer_id_ledger_transfers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_lines')),
    sa.UniqueConstraint('account_id', 'transfer_id', name=op.f('uq_statement_lines_account_id_transfer_id')),
    sa.UniqueConstraint('statement_id', 'position', name=op.f('uq_statement_lines_statement_id_position'))
    )
    with op.batch_alter_table('statement_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_lines_statement_id'), ['statement_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('statement_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_lines_statement_id'))

    op.drop_table('statement_lines')
    op.drop_table('statements')
