"""dunning notices

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 04:33:52.954378
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dunning_notices',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('statement_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('outstanding', sa.BigInteger(), nullable=False),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("action IN ('suspended', 'none')", name=op.f('ck_dunning_notices_action_known')),
    sa.CheckConstraint('outstanding > 0', name=op.f('ck_dunning_notices_outstanding_positive')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_dunning_notices_account_id_accounts')),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_dunning_notices_statement_id_statements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dunning_notices')),
    sa.UniqueConstraint('statement_id', name=op.f('uq_dunning_notices_statement_id'))
    )
    with op.batch_alter_table('dunning_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dunning_notices_account_id'), ['account_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('dunning_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dunning_notices_account_id'))

    op.drop_table('dunning_notices')
