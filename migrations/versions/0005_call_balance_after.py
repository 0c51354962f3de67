"""calls: remember the balance after a completion

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 19:00:26.221585
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('balance_after', sa.BigInteger(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('balance_after')

