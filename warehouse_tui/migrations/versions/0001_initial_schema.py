"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('bins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bins_code'), ['code'], unique=True)
        batch_op.create_index(batch_op.f('ix_bins_sequence'), ['sequence'], unique=False)

    op.create_table('box_types',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('length_mm', sa.Integer(), nullable=False),
    sa.Column('width_mm', sa.Integer(), nullable=False),
    sa.Column('height_mm', sa.Integer(), nullable=False),
    sa.Column('weight_g', sa.Integer(), nullable=False),
    sa.Column('max_weight_g', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('box_types', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_box_types_code'), ['code'], unique=True)

    op.create_table('counters',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('manifests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('carrier', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('station', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('operator', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('operators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('operators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operators_name'), ['name'], unique=True)

    op.create_table('orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('display_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('held_from', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('hold_reason', sa.Text(), nullable=True),
    sa.Column('placed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('ship_by', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('due', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('ship_name', sa.Text(), nullable=False),
    sa.Column('ship_address1', sa.Text(), nullable=False),
    sa.Column('ship_address2', sa.Text(), nullable=False),
    sa.Column('ship_city', sa.Text(), nullable=False),
    sa.Column('ship_region', sa.Text(), nullable=False),
    sa.Column('ship_postal_code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('ship_country', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('ship_phone', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('ship_email', sa.Text(), nullable=False),
    sa.Column('buyer_name', sa.Text(), nullable=False),
    sa.Column('station', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('tote', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('extra', sa.Text(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel', 'ref', name='uq_orders_channel_ref')
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_display_name'), ['display_name'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_ref'), ['ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_ship_by'), ['ship_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_station'), ['station'], unique=False)
        batch_op.create_index('ix_orders_status_ship_by', ['status', 'ship_by'], unique=False)
        batch_op.create_index('ix_orders_queue', ['status', sa.text('priority DESC'), 'due', 'ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_tote'), ['tote'], unique=False)

    op.create_table('products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sku', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('weight_g', sa.Integer(), nullable=True),
    sa.Column('length_mm', sa.Integer(), nullable=True),
    sa.Column('width_mm', sa.Integer(), nullable=True),
    sa.Column('height_mm', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_products_sku'), ['sku'], unique=True)

    op.create_table('stations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('mode', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('operator', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('state', sa.Text(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stations_name'), ['name'], unique=True)

    op.create_table('barcodes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('barcodes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_barcodes_code'), ['code'], unique=True)
        batch_op.create_index(batch_op.f('ix_barcodes_product_id'), ['product_id'], unique=False)

    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('station', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('operator', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('scan', sa.Text(), nullable=True),
    sa.Column('ok', sa.Boolean(), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('data', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_order_id'), ['order_id'], unique=False)
        batch_op.create_index('ix_events_station_at', ['station', 'at'], unique=False)

    op.create_table('order_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('line_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('sku', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('picked', sa.Integer(), nullable=False),
    sa.Column('short', sa.Integer(), nullable=False),
    sa.Column('packed', sa.Integer(), nullable=False),
    sa.Column('unit_price', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('extra', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_lines_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_lines_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_lines_sku'), ['sku'], unique=False)

    op.create_table('parcels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('box_code', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('weight_g', sa.Integer(), nullable=True),
    sa.Column('weight_source', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('carrier', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('service', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('tracking_number', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('labeled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('verified_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('confirmed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('manifest_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['manifest_id'], ['manifests.id'], ),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('parcels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parcels_manifest_id'), ['manifest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_parcels_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_parcels_tracking_number'), ['tracking_number'], unique=True)

    op.create_table('returns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('station', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('operator', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('opened_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('returns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_returns_order_id'), ['order_id'], unique=False)

    op.create_table('stock',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('bin_id', sa.Integer(), nullable=False),
    sa.Column('on_hand', sa.Integer(), nullable=False),
    sa.Column('reserved', sa.Integer(), nullable=False),
    sa.Column('quarantine', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['bin_id'], ['bins.id'], ),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('product_id', 'bin_id', name='uq_stock_product_bin')
    )
    with op.batch_alter_table('stock', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_bin_id'), ['bin_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_product_id'), ['product_id'], unique=False)

    op.create_table('totes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('totes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_totes_code'), ['code'], unique=True)
        batch_op.create_index(batch_op.f('ix_totes_order_id'), ['order_id'], unique=False)

    op.create_table('allocations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_line_id', sa.Integer(), nullable=False),
    sa.Column('bin_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('picked', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['bin_id'], ['bins.id'], ),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_lines.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('allocations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allocations_bin_id'), ['bin_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_allocations_order_line_id'), ['order_line_id'], unique=False)

    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('parcel_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('format', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ),
    sa.ForeignKeyConstraint(['parcel_id'], ['parcels.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_station'), ['station'], unique=False)

    op.create_table('parcel_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parcel_id', sa.Integer(), nullable=False),
    sa.Column('order_line_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_lines.id'], ),
    sa.ForeignKeyConstraint(['parcel_id'], ['parcels.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('parcel_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parcel_items_order_line_id'), ['order_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_parcel_items_parcel_id'), ['parcel_id'], unique=False)

    op.create_table('return_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('return_id', sa.Integer(), nullable=False),
    sa.Column('order_line_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('disposition', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_lines.id'], ),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], ),
    sa.ForeignKeyConstraint(['return_id'], ['returns.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('return_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_return_lines_order_line_id'), ['order_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_return_lines_return_id'), ['return_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('return_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_return_lines_return_id'))
        batch_op.drop_index(batch_op.f('ix_return_lines_order_line_id'))

    op.drop_table('return_lines')
    with op.batch_alter_table('parcel_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parcel_items_parcel_id'))
        batch_op.drop_index(batch_op.f('ix_parcel_items_order_line_id'))

    op.drop_table('parcel_items')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_station'))
        batch_op.drop_index(batch_op.f('ix_documents_order_id'))

    op.drop_table('documents')
    with op.batch_alter_table('allocations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allocations_order_line_id'))
        batch_op.drop_index(batch_op.f('ix_allocations_bin_id'))

    op.drop_table('allocations')
    with op.batch_alter_table('totes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_totes_order_id'))
        batch_op.drop_index(batch_op.f('ix_totes_code'))

    op.drop_table('totes')
    with op.batch_alter_table('stock', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_product_id'))
        batch_op.drop_index(batch_op.f('ix_stock_bin_id'))

    op.drop_table('stock')
    with op.batch_alter_table('returns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_returns_order_id'))

    op.drop_table('returns')
    with op.batch_alter_table('parcels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parcels_tracking_number'))
        batch_op.drop_index(batch_op.f('ix_parcels_order_id'))
        batch_op.drop_index(batch_op.f('ix_parcels_manifest_id'))

    op.drop_table('parcels')
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_lines_sku'))
        batch_op.drop_index(batch_op.f('ix_order_lines_product_id'))
        batch_op.drop_index(batch_op.f('ix_order_lines_order_id'))

    op.drop_table('order_lines')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_station_at')
        batch_op.drop_index(batch_op.f('ix_events_order_id'))
        batch_op.drop_index(batch_op.f('ix_events_at'))

    op.drop_table('events')
    with op.batch_alter_table('barcodes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_barcodes_product_id'))
        batch_op.drop_index(batch_op.f('ix_barcodes_code'))

    op.drop_table('barcodes')
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stations_name'))

    op.drop_table('stations')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_products_sku'))

    op.drop_table('products')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_tote'))
        batch_op.drop_index('ix_orders_status_ship_by')
        batch_op.drop_index('ix_orders_queue')
        batch_op.drop_index(batch_op.f('ix_orders_station'))
        batch_op.drop_index(batch_op.f('ix_orders_ship_by'))
        batch_op.drop_index(batch_op.f('ix_orders_ref'))
        batch_op.drop_index(batch_op.f('ix_orders_display_name'))

    op.drop_table('orders')
    with op.batch_alter_table('operators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_operators_name'))

    op.drop_table('operators')
    op.drop_table('manifests')
    op.drop_table('counters')
    with op.batch_alter_table('box_types', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_box_types_code'))

    op.drop_table('box_types')
    with op.batch_alter_table('bins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bins_sequence'))
        batch_op.drop_index(batch_op.f('ix_bins_code'))

    op.drop_table('bins')
