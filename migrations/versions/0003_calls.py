"""calls: people, schedules, accounts, blocks, calls, incidents

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 18:14:33.014418
"""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('accounts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('plan', sa.String(length=12), nullable=False),
    sa.Column('provider', sa.String(length=60), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('holder_name', sa.String(length=200), nullable=False),
    sa.Column('holder_email', sa.String(length=254), nullable=False),
    sa.Column('holder_address', sa.Text(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('credit_limit', sa.BigInteger(), nullable=True),
    sa.Column('ledger_account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('needs_review', sa.Boolean(), nullable=False),
    sa.Column('last_activity_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("plan = 'direct_bill' OR credit_limit IS NULL", name=op.f('ck_accounts_credit_limit_direct_bill_only')),
    sa.CheckConstraint("plan IN ('prepaid', 'direct_bill')", name=op.f('ck_accounts_plan_known')),
    sa.CheckConstraint("status IN ('active', 'suspended', 'closed')", name=op.f('ck_accounts_status_known')),
    sa.CheckConstraint('credit_limit IS NULL OR credit_limit >= 0', name=op.f('ck_accounts_credit_limit_not_negative')),
    sa.ForeignKeyConstraint(['ledger_account_id'], ['ledger_accounts.id'], name=op.f('fk_accounts_ledger_account_id_ledger_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('ledger_account_id', name=op.f('uq_accounts_ledger_account_id'))
    )
    op.create_table('living_units',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('facility_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['facility_id'], ['facilities.id'], name=op.f('fk_living_units_facility_id_facilities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_living_units')),
    sa.UniqueConstraint('facility_id', 'code', name=op.f('uq_living_units_facility_id_code'))
    )
    op.create_table('account_numbers',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('line_type', sa.String(length=10), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.Column('removed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("line_type IN ('mobile', 'landline', 'voip')", name=op.f('ck_account_numbers_line_type_known')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_account_numbers_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_numbers'))
    )
    with op.batch_alter_table('account_numbers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_numbers_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_account_numbers_active', ['number'], unique=True, postgresql_where=sa.text('removed_at IS NULL'), sqlite_where=sa.text('removed_at IS NULL'))

    op.create_table('calling_windows',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('unit_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.CheckConstraint('start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440', name=op.f('ck_calling_windows_window_range')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_calling_windows_weekday_range')),
    sa.ForeignKeyConstraint(['unit_id'], ['living_units.id'], name=op.f('fk_calling_windows_unit_id_living_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calling_windows'))
    )
    with op.batch_alter_table('calling_windows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calling_windows_unit_id'), ['unit_id'], unique=False)

    op.create_table('persons',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('id_number', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('facility_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('unit_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('active', 'restricted', 'released')", name=op.f('ck_persons_status_known')),
    sa.ForeignKeyConstraint(['facility_id'], ['facilities.id'], name=op.f('fk_persons_facility_id_facilities')),
    sa.ForeignKeyConstraint(['unit_id'], ['living_units.id'], name=op.f('fk_persons_unit_id_living_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_persons')),
    sa.UniqueConstraint('id_number', name=op.f('uq_persons_id_number'))
    )
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_persons_facility_id'), ['facility_id'], unique=False)

    op.create_table('approved_numbers',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('person_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.Column('added_by', sa.String(length=100), nullable=False),
    sa.Column('removed_at', sa.DateTime(), nullable=True),
    sa.Column('removed_by', sa.String(length=100), nullable=True),
    sa.Column('privileged', sa.Boolean(), nullable=False),
    sa.Column('privileged_by', sa.String(length=100), nullable=True),
    sa.Column('privileged_at', sa.DateTime(), nullable=True),
    sa.Column('privileged_reason', sa.Text(), nullable=True),
    sa.CheckConstraint('NOT privileged OR (privileged_by IS NOT NULL AND privileged_at IS NOT NULL AND privileged_reason IS NOT NULL)', name=op.f('ck_approved_numbers_privilege_is_recorded')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_approved_numbers_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approved_numbers'))
    )
    with op.batch_alter_table('approved_numbers', schema=None) as batch_op:
        batch_op.create_index('ix_approved_numbers_active', ['person_id', 'number'], unique=True, postgresql_where=sa.text('removed_at IS NULL'), sqlite_where=sa.text('removed_at IS NULL'))

    op.create_table('calls',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('call_id', sa.String(length=100), nullable=False),
    sa.Column('facility_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('person_ref', sa.String(length=40), nullable=False),
    sa.Column('person_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('authorized', sa.Boolean(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('max_duration_seconds', sa.Integer(), nullable=False),
    sa.Column('monitored', sa.Boolean(), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('plan', sa.String(length=12), nullable=True),
    sa.Column('hold_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('hold_amount', sa.BigInteger(), nullable=True),
    sa.Column('jurisdiction', sa.String(length=16), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('per_minute', sa.Numeric(precision=12, scale=6), nullable=True),
    sa.Column('first_minute', sa.Numeric(precision=12, scale=6), nullable=True),
    sa.Column('increment_seconds', sa.Integer(), nullable=True),
    sa.Column('minimum_seconds', sa.Integer(), nullable=True),
    sa.Column('rounding', sa.String(length=10), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('end_reason', sa.String(length=20), nullable=True),
    sa.Column('billable_seconds', sa.Integer(), nullable=True),
    sa.Column('charge', sa.BigInteger(), nullable=True),
    sa.Column('charge_transfer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('charge_note', sa.Text(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("authorized OR state = 'rejected'", name=op.f('ck_calls_rejected_is_final')),
    sa.CheckConstraint("end_reason IS NULL OR end_reason IN ('hangup', 'time_limit', 'three_way_detected', 'dropped', 'not_accepted')", name=op.f('ck_calls_end_reason_known')),
    sa.CheckConstraint("state IN ('rejected', 'authorized', 'accepted', 'blocked', 'completed', 'expired')", name=op.f('ck_calls_state_known')),
    sa.CheckConstraint('charge IS NULL OR charge >= 0', name=op.f('ck_calls_charge_not_negative')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_calls_account_id_accounts')),
    sa.ForeignKeyConstraint(['charge_transfer_id'], ['ledger_transfers.id'], name=op.f('fk_calls_charge_transfer_id_ledger_transfers')),
    sa.ForeignKeyConstraint(['facility_id'], ['facilities.id'], name=op.f('fk_calls_facility_id_facilities')),
    sa.ForeignKeyConstraint(['hold_id'], ['ledger_transfers.id'], name=op.f('fk_calls_hold_id_ledger_transfers')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_calls_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calls')),
    sa.UniqueConstraint('call_id', name=op.f('uq_calls_call_id'))
    )
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calls_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_facility_id'), ['facility_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_number'), ['number'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_person_id'), ['person_id'], unique=False)

    op.create_table('blocks',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('facility_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('source', sa.String(length=14), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('call_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('lifted_at', sa.DateTime(), nullable=True),
    sa.Column('lifted_by', sa.String(length=100), nullable=True),
    sa.Column('lift_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("(scope = 'all') = (facility_id IS NULL)", name=op.f('ck_blocks_scope_matches_facility')),
    sa.CheckConstraint("scope IN ('all', 'facility')", name=op.f('ck_blocks_scope_known')),
    sa.CheckConstraint("source IN ('called_party', 'facility', 'provider')", name=op.f('ck_blocks_source_known')),
    sa.CheckConstraint('(lifted_at IS NULL) = (lifted_by IS NULL)', name=op.f('ck_blocks_lift_is_recorded')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_blocks_call_id_calls')),
    sa.ForeignKeyConstraint(['facility_id'], ['facilities.id'], name=op.f('fk_blocks_facility_id_facilities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blocks'))
    )
    with op.batch_alter_table('blocks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blocks_number'), ['number'], unique=False)

    op.create_table('incidents',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('call_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('facility_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('person_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('three_way_call')", name=op.f('ck_incidents_kind_known')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_incidents_call_id_calls')),
    sa.ForeignKeyConstraint(['facility_id'], ['facilities.id'], name=op.f('fk_incidents_facility_id_facilities')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_incidents_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents')),
    sa.UniqueConstraint('call_id', name=op.f('uq_incidents_call_id'))
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incidents_facility_id'), ['facility_id'], unique=False)



    # The ledger's house chart in USD, so the first call finds its revenue account.
    ledger_accounts = sa.table(
        "ledger_accounts", sa.column("code", sa.String), sa.column("type", sa.String),
        sa.column("currency", sa.String), sa.column("keeps_balance", sa.Boolean),
        sa.column("debits_must_not_exceed_credits", sa.Boolean), sa.column("credits_must_not_exceed_debits", sa.Boolean),
        sa.column("created_at", sa.DateTime),
    )
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    op.bulk_insert(ledger_accounts, [
        {"code": f"house:{name}:USD", "type": kind, "currency": "USD", "keeps_balance": False,
         "debits_must_not_exceed_credits": False, "credits_must_not_exceed_debits": False, "created_at": now}
        for name, kind in (("payment_clearing", "asset"), ("call_revenue", "revenue"),
                           ("refunds_payable", "liability"), ("dispute_losses", "expense"))
    ])


def downgrade() -> None:
    op.execute("DELETE FROM ledger_accounts WHERE code LIKE 'house:%:USD' AND id NOT IN "
               "(SELECT debit_account_id FROM ledger_transfers UNION SELECT credit_account_id FROM ledger_transfers)")
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incidents_facility_id'))

    op.drop_table('incidents')
    with op.batch_alter_table('blocks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blocks_number'))

    op.drop_table('blocks')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calls_person_id'))
        batch_op.drop_index(batch_op.f('ix_calls_number'))
        batch_op.drop_index(batch_op.f('ix_calls_facility_id'))
        batch_op.drop_index(batch_op.f('ix_calls_account_id'))

    op.drop_table('calls')
    with op.batch_alter_table('approved_numbers', schema=None) as batch_op:
        batch_op.drop_index('ix_approved_numbers_active', postgresql_where=sa.text('removed_at IS NULL'), sqlite_where=sa.text('removed_at IS NULL'))

    op.drop_table('approved_numbers')
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_persons_facility_id'))

    op.drop_table('persons')
    with op.batch_alter_table('calling_windows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calling_windows_unit_id'))

    op.drop_table('calling_windows')
    with op.batch_alter_table('account_numbers', schema=None) as batch_op:
        batch_op.drop_index('ix_account_numbers_active', postgresql_where=sa.text('removed_at IS NULL'), sqlite_where=sa.text('removed_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_account_numbers_account_id'))

    op.drop_table('account_numbers')
    op.drop_table('living_units')
    op.drop_table('accounts')
