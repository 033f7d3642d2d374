"""marketplace sync: each channel's last run, confirmation intents

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0005'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('channel_sync',
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('synced_from', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_success_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_attempt_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('orders_new', sa.Integer(), nullable=False),
    sa.Column('orders_updated', sa.Integer(), nullable=False),
    sa.Column('orders_cancelled', sa.Integer(), nullable=False),
    sa.Column('parcels_confirmed', sa.Integer(), nullable=False),
    sa.Column('parcels_failed', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('channel')
    )
    op.create_table('confirmation_intents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parcel_id', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('result', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('answered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['parcel_id'], ['parcels.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('parcel_id', 'channel', name='uq_intent_parcel_channel')
    )
    with op.batch_alter_table('confirmation_intents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_confirmation_intents_parcel_id'), ['parcel_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('confirmation_intents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_confirmation_intents_parcel_id'))
    op.drop_table('confirmation_intents')
    op.drop_table('channel_sync')
