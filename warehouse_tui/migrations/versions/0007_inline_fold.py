"""search: PostgreSQL's wt_fold inlined, with a short way for ASCII text

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

The same folding, faster: ``wt_fold`` becomes one expression PostgreSQL inlines into the
triggers that index names and titles, and text that is all ASCII skips the long character
list. An import of orders spent most of the server's time in it. Results are unchanged, so
nothing is indexed again. SQLite registers its own ``wt_fold`` on each connection: nothing to do.
"""
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        from warehouse_tui.domain.folding import pg_fold_function

        op.execute(pg_fold_function())


def downgrade() -> None:
    pass  # the function folds as before; the faster form can stay
