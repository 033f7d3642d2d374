"""changes: PostgreSQL notifies listeners from the tables; events found by operator and day

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07

On PostgreSQL every statement that writes a table of the warehouse signals the channel the
consoles listen on (``warehouse_changes``), from a statement trigger: whatever code writes,
a committed change is heard, and a scan no longer sends a NOTIFY of its own (a round trip
each). Notifications are sent at commit, one per transaction however many statements fired.

Both engines: an index of events by operator and time, for the home screen's "today" of one
operator (the index by station and time was there already).
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

CHANNEL = "warehouse_changes"
NOTIFY_FUNCTION = f"""
CREATE OR REPLACE FUNCTION wt_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', '');
    RETURN NULL;
END
$$
"""


def notify_on(table: str) -> str:
    return (f'CREATE TRIGGER wt_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
            "FOR EACH STATEMENT EXECUTE FUNCTION wt_notify_change()")


def upgrade() -> None:
    op.create_index("ix_events_operator_at", "events", ["operator", "at"])
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute(NOTIFY_FUNCTION)
    for table in sa.inspect(bind).get_table_names():
        if table != "alembic_version":
            op.execute(f'DROP TRIGGER IF EXISTS wt_notify_change ON "{table}"')
            op.execute(notify_on(table))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in sa.inspect(bind).get_table_names():
            op.execute(f'DROP TRIGGER IF EXISTS wt_notify_change ON "{table}"')
        op.execute("DROP FUNCTION IF EXISTS wt_notify_change()")
    op.drop_index("ix_events_operator_at", "events")
