"""check refunds mailed

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 04:38:54.876512
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

_STATUSES = ("status IN ('pending', 'requires_action', 'succeeded', 'failed', 'canceled', 'unknown', "
             "'check_pending'{})")


def upgrade() -> None:
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('check_number', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('mailed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('payout_transfer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_refunds_payout_transfer_id_ledger_transfers'), 'ledger_transfers', ['payout_transfer_id'], ['id'])
        # Alembic does not compare CHECK constraints: the refund statuses and the check rule by hand.
        batch_op.drop_constraint(batch_op.f('ck_refunds_status_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_refunds_status_known'), _STATUSES.format(", 'check_mailed'"))
        batch_op.drop_constraint(batch_op.f('ck_refunds_check_status'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_refunds_check_status'), "(method = 'check') = (status IN ('check_pending', 'check_mailed'))")
        batch_op.create_check_constraint(batch_op.f('ck_refunds_mailed_when_mailed'),
                                         "(status = 'check_mailed') = (mailed_at IS NOT NULL)")



def downgrade() -> None:
    mailed = op.get_bind().execute(sa.text("SELECT count(*) FROM refunds WHERE status = 'check_mailed'")).scalar()
    if mailed:
        raise RuntimeError(f"{mailed} check refund(s) are marked mailed: 0007 has no such state, so the "
                           "downgrade would lose it. Not downgrading.")
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_refunds_mailed_when_mailed'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_refunds_check_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_refunds_check_status'),
                                         "(method = 'check') = (status = 'check_pending')")
        batch_op.drop_constraint(batch_op.f('ck_refunds_status_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_refunds_status_known'), _STATUSES.format(""))
        batch_op.drop_constraint(batch_op.f('fk_refunds_payout_transfer_id_ledger_transfers'), type_='foreignkey')
        batch_op.drop_column('payout_transfer_id')
        batch_op.drop_column('mailed_at')
        batch_op.drop_column('check_number')

