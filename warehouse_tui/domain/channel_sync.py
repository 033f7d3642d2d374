"""What the marketplace sync remembers: each channel's last run, and each parcel's confirmation
intent (recorded before the request is sent, so a run killed in between never sends twice)."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:  # as models.utcnow; models imports this module, not the other way round
    return datetime.now(timezone.utc)


class ChannelSync(SQLModel, table=True):
    __tablename__ = "channel_sync"
    channel: str = Field(primary_key=True, max_length=40)
    # orders are asked for from here on: the start of the last run that synced in full
    synced_from: datetime | None = None
    last_success_at: datetime | None = None
    last_attempt_at: datetime | None = None
    # what the last run brought
    orders_new: int = 0
    orders_updated: int = 0
    orders_cancelled: int = 0
    parcels_confirmed: int = 0
    parcels_failed: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text))


class ConfirmationIntent(SQLModel, table=True):
    """A confirmation about to be sent; ``result`` stays empty until its answer is recorded."""

    __tablename__ = "confirmation_intents"
    __table_args__ = (UniqueConstraint("parcel_id", "channel", name="uq_intent_parcel_channel"),)
    id: int | None = Field(default=None, primary_key=True)
    parcel_id: int = Field(foreign_key="parcels.id", index=True)
    channel: str = Field(max_length=40)
    created_at: datetime = Field(default_factory=utcnow)
    attempts: int = 0
    result: str | None = Field(default=None, max_length=20)  # sent | found | refused
    answered_at: datetime | None = None
    reason: str | None = Field(default=None, sa_column=Column(Text))
