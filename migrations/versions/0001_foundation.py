"""foundation: api keys, audit log, facilities, tariffs

Revision ID: 0001
Revises:
Create Date: 2026-11-25 17:51:01.694560
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_keys',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("role IN ('call_platform', 'staff', 'legal', 'admin')", name=op.f('ck_api_keys_role_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('subject_type', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.String(length=100), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_subject_id'), ['subject_id'], unique=False)

    op.create_table('facilities',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('facility_class', sa.String(length=10), nullable=False),
    sa.Column('average_daily_population', sa.Integer(), nullable=True),
    sa.Column('max_call_seconds', sa.Integer(), nullable=True),
    sa.Column('approved_list_size', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("facility_class = 'prison' OR average_daily_population IS NOT NULL", name=op.f('ck_facilities_jail_has_adp')),
    sa.CheckConstraint("facility_class IN ('prison', 'jail')", name=op.f('ck_facilities_class_known')),
    sa.CheckConstraint('approved_list_size IS NULL OR approved_list_size > 0', name=op.f('ck_facilities_list_size_positive')),
    sa.CheckConstraint('average_daily_population IS NULL OR average_daily_population >= 0', name=op.f('ck_facilities_adp_positive')),
    sa.CheckConstraint('max_call_seconds IS NULL OR max_call_seconds > 0', name=op.f('ck_facilities_max_call_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_facilities')),
    sa.UniqueConstraint('code', name=op.f('uq_facilities_code'))
    )
    op.create_table('rate_catalog_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_rate_catalog_version_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_catalog_version'))
    )
    op.create_table('tariffs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('facility_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('jurisdiction', sa.String(length=16), nullable=False),
    sa.Column('destination_prefix', sa.String(length=15), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('per_minute', sa.Numeric(precision=12, scale=6), nullable=False),
    sa.Column('first_minute', sa.Numeric(precision=12, scale=6), nullable=True),
    sa.Column('increment_seconds', sa.Integer(), nullable=False),
    sa.Column('minimum_seconds', sa.Integer(), nullable=False),
    sa.Column('rounding', sa.String(length=10), nullable=False),
    sa.Column('termination_allowance', sa.Numeric(precision=12, scale=6), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_to', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("jurisdiction IN ('intrastate', 'interstate', 'international')", name=op.f('ck_tariffs_jurisdiction_known')),
    sa.CheckConstraint("rounding IN ('half_up', 'half_even', 'up', 'down')", name=op.f('ck_tariffs_rounding_known')),
    sa.CheckConstraint('effective_to IS NULL OR effective_to >= effective_from', name=op.f('ck_tariffs_dates_ordered')),
    sa.CheckConstraint('first_minute IS NULL OR first_minute >= 0', name=op.f('ck_tariffs_first_minute_not_negative')),
    sa.CheckConstraint('increment_seconds BETWEEN 1 AND 3600', name=op.f('ck_tariffs_increment_range')),
    sa.CheckConstraint('minimum_seconds BETWEEN 0 AND 3600', name=op.f('ck_tariffs_minimum_range')),
    sa.CheckConstraint('per_minute >= 0', name=op.f('ck_tariffs_rate_not_negative')),
    sa.CheckConstraint('termination_allowance >= 0', name=op.f('ck_tariffs_allowance_not_negative')),
    sa.ForeignKeyConstraint(['facility_id'], ['facilities.id'], name=op.f('fk_tariffs_facility_id_facilities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tariffs'))
    )
    with op.batch_alter_table('tariffs', schema=None) as batch_op:
        batch_op.create_index('ix_tariffs_facility_jurisdiction', ['facility_id', 'jurisdiction'], unique=False)

    op.execute("INSERT INTO rate_catalog_version (id, version) VALUES (1, 1)")


def downgrade() -> None:
    with op.batch_alter_table('tariffs', schema=None) as batch_op:
        batch_op.drop_index('ix_tariffs_facility_jurisdiction')

    op.drop_table('tariffs')
    op.drop_table('rate_catalog_version')
    op.drop_table('facilities')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_subject_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_action'))

    op.drop_table('audit_log')
    op.drop_table('api_keys')
