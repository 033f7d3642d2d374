"""status events indexed by the status they moved to

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08

The home screen counts the orders an operator (and the station) brought to picked, packed or
shipped today. It read every status event of theirs since midnight and looked for the status
in each event's JSON with a LIKE: where one operator imported a million orders today (two
status events an order), about a second at every refresh. Indexed by (who, the status moved to, when,
order), partial to status events, it is an index range of the three statuses. The expression
is each engine's own (``views.MOVED_TO``): SQLite's ``json_extract``, PostgreSQL's ``->>``.
"""
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

_TO = {"sqlite": "json_extract(data, '$.to')", "postgresql": "(data::json ->> 'to')"}


def upgrade() -> None:
    to = _TO[op.get_bind().dialect.name]
    for who in ("operator", "station"):
        op.execute(f"CREATE INDEX ix_events_{who}_moved_to ON events ({who}, {to}, at, order_id) "
                   "WHERE type = 'status'")


def downgrade() -> None:
    for who in ("operator", "station"):
        op.execute(f"DROP INDEX ix_events_{who}_moved_to")
