"""order lines indexed by SKU and order, and by product and order

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

A search by SKU or product barcode lists the newest orders holding the product. Indexed by
SKU alone, it read every line of the product from the table to learn its order (a page
each, scattered over a table of millions); indexed by (SKU, order), the index answers alone,
newest first. The same for the product: the index by (product, order) serves every lookup
the index by product did.
"""
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_order_lines_sku_order", "order_lines", ["sku", "order_id"])
    op.create_index("ix_order_lines_product_order", "order_lines", ["product_id", "order_id"])
    op.drop_index("ix_order_lines_sku", "order_lines")
    op.drop_index("ix_order_lines_product_id", "order_lines")


def downgrade() -> None:
    op.create_index("ix_order_lines_product_id", "order_lines", ["product_id"])
    op.create_index("ix_order_lines_sku", "order_lines", ["sku"])
    op.drop_index("ix_order_lines_product_order", "order_lines")
    op.drop_index("ix_order_lines_sku_order", "order_lines")
