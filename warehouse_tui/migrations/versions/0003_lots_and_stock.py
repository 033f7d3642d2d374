"""lots and expiry: lot-tracked products, the lots of units picked and of parcel items

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lot_tracked', sa.Boolean(), server_default=sa.false(), nullable=False))

    op.create_table('picked_lots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_line_id', sa.Integer(), nullable=False),
    sa.Column('lot', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('expiry', sa.Date(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_lines.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('picked_lots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_picked_lots_order_line_id'), ['order_line_id'], unique=False)

    op.create_table('parcel_lots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parcel_item_id', sa.Integer(), nullable=False),
    sa.Column('lot', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('expiry', sa.Date(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['parcel_item_id'], ['parcel_items.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('parcel_lots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parcel_lots_parcel_item_id'), ['parcel_item_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('parcel_lots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parcel_lots_parcel_item_id'))
    op.drop_table('parcel_lots')
    with op.batch_alter_table('picked_lots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_picked_lots_order_line_id'))
    op.drop_table('picked_lots')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_column('lot_tracked')
