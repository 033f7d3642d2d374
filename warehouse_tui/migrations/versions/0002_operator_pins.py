"""operator PINs and their lockout

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('operators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pin_hash', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True))
        batch_op.add_column(sa.Column('pin_failures', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('pin_locked_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('operators', schema=None) as batch_op:
        batch_op.drop_column('pin_locked_until')
        batch_op.drop_column('pin_failures')
        batch_op.drop_column('pin_hash')
