"""events found by operator or station, type and day

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

The home screen's "today" counts one operator's and one station's scans and status changes
since midnight. The indexes by (operator, time) and (station, time) read every event of the
day, an import's one per order included, to keep the few that are scans: an operator who
imported a million orders today made the panel read a million rows. The type comes between:
each count reads the events of its type alone.
"""
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_operator_type_at", "events", ["operator", "type", "at"])
    op.create_index("ix_events_station_type_at", "events", ["station", "type", "at"])
    op.drop_index("ix_events_operator_at", "events")
    op.drop_index("ix_events_station_at", "events")


def downgrade() -> None:
    op.create_index("ix_events_station_at", "events", ["station", "at"])
    op.create_index("ix_events_operator_at", "events", ["operator", "at"])
    op.drop_index("ix_events_station_type_at", "events")
    op.drop_index("ix_events_operator_type_at", "events")
