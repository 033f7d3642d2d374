"""One sync of one channel: the orders changed since its last good sync, stored as an import of
the same data would store them; then a confirmation for each parcel shipped and not yet
confirmed, once.

Once is kept across crashes by the intent recorded before each request: a parcel whose intent
has no answer recorded may have reached the marketplace, so the marketplace is asked first."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from warehouse_tui.channels.base import ShipmentConfirmation
from warehouse_tui.domain.channel_sync import ChannelSync, ConfirmationIntent
from warehouse_tui.domain.models import utcnow
from warehouse_tui.sync.base import Marketplace
from warehouse_tui.sync.errors import NotTheApi, Refused, SyncError, clean
from warehouse_tui.workflow.confirmations import ConfirmationError, mark_confirmed, pending_shipments, writable
from warehouse_tui.workflow.importing import import_parsed

log = logging.getLogger("warehouse_tui.sync")

FIRST_LOOK_BACK = timedelta(days=30)
# orders changed while the last sync ran, or stamped by a marketplace clock a little behind ours
OVERLAP = timedelta(minutes=5)


@dataclass
class ChannelResult:
    channel: str
    new: int = 0
    updated: int = 0
    cancelled: int = 0
    confirmed: int = 0
    failed: int = 0
    error: str | None = None
    failures: list[str] = field(default_factory=list)  # "order X parcel N (tracking): reason"

    def line(self) -> str:
        return (f"{self.channel}: {self.new} new, {self.updated} updated, {self.cancelled} cancelled; "
                f"{self.confirmed} parcels confirmed, {self.failed} failed")


def _parcel(sh: ShipmentConfirmation) -> str:
    return f"order {sh.display_name or sh.order_ref} parcel {sh.parcel_seq} ({sh.tracking_number})"


def sync_channel(db, market: Marketplace, *, station: str | None = None, operator: str | None = None,
                 now: datetime | None = None) -> ChannelResult:
    channel = market.name
    result = ChannelResult(channel)
    started = now or utcnow()
    with db.session() as s:
        state = s.get(ChannelSync, channel)
        since = state.synced_from if state and state.synced_from else None
    if since is not None and since.tzinfo is None:  # stored as UTC
        since = since.replace(tzinfo=timezone.utc)
    since = (since - OVERLAP) if since else started - FIRST_LOOK_BACK
    fetched = False
    try:
        orders = market.fetch(since)
        report = import_parsed(db, channel, orders, station=station, operator=operator)
        result.new, result.updated, result.cancelled = len(report.created), len(report.updated), len(report.cancelled)
        for name, reason in report.held:
            log.info("%s: %s on hold: %s", channel, clean(name), clean(reason))
        fetched = True
        _confirm_all(db, market, result, station=station, operator=operator)
    except Refused as exc:  # a request of ours the marketplace would not take
        result.error = f"the marketplace refused a request: {exc}"
    except SyncError as exc:
        result.error = str(exc)
    _record(db, result, started if fetched else None)
    return result


def _confirm_all(db, market: Marketplace, result: ChannelResult, **who) -> None:
    channel = market.name
    with db.session() as s:
        shipments = pending_shipments(s, channel)
        intents = {i.parcel_id: i for i in s.exec(select(ConfirmationIntent).where(
            ConfirmationIntent.channel == channel,
            ConfirmationIntent.parcel_id.in_([sh.parcel_id for sh in shipments])))} if shipments else {}
    if not shipments:
        return
    try:
        text, good, bad = writable(channel, shipments, market.confirm_format, **market.confirmation_options())
    except ConfirmationError as exc:
        raise NotTheApi(str(exc)) from None
    requests = [json.loads(line) for line in text.splitlines() if line.strip()]
    if len(requests) != len(good):  # one request per parcel: tracking numbers are unique
        raise NotTheApi(f"{len(good)} parcels made {len(requests)} requests")
    for sh, reason in bad:
        result.failed += 1
        result.failures.append(f"{_parcel(sh)}: {reason}")
    for n, (sh, request) in enumerate(zip(good, requests)):
        intent = intents.get(sh.parcel_id)
        try:
            try:
                found = intent is not None and intent.result is None and market.already_confirmed(sh)
            except Refused as exc:
                result.failed += 1
                result.failures.append(f"{_parcel(sh)}: could not ask whether it arrived before: {exc}")
                continue
            if found:
                _answer(db, channel, sh, intent.id, "found", None, **who)
                result.confirmed += 1
                continue
            intent_id = _claim(db, channel, sh, intent)
            if intent_id is None:
                continue  # another sync holds it
            try:
                market.confirm(sh, request)
            except Refused as exc:
                _answer(db, channel, sh, intent_id, "refused", str(exc), **who)
                result.failed += 1
                result.failures.append(f"{_parcel(sh)}: {exc}")
                continue
            _answer(db, channel, sh, intent_id, "sent", None, **who)
            result.confirmed += 1
        except SyncError:
            # whether it arrived is unknown: the intent stays unanswered and is checked next time
            result.failed += len(good) - n
            raise


def _claim(db, channel: str, sh: ShipmentConfirmation, intent: ConfirmationIntent | None) -> int | None:
    """Record the intent before sending; None when another sync claimed the parcel meanwhile."""
    if intent is None:
        try:
            with db.write() as s:
                row = ConfirmationIntent(parcel_id=sh.parcel_id, channel=channel, attempts=1)
                s.add(row)
                s.flush()
                return row.id
        except IntegrityError:  # one parcel, one intent: another sync recorded it first
            return None
    with db.write() as s:
        done = s.exec(update(ConfirmationIntent)
                      .where(ConfirmationIntent.id == intent.id, ConfirmationIntent.attempts == intent.attempts)
                      .values(attempts=ConfirmationIntent.attempts + 1, result=None, reason=None,
                              created_at=utcnow(), answered_at=None))
        return intent.id if done.rowcount == 1 else None


def _answer(db, channel: str, sh: ShipmentConfirmation, intent_id: int, outcome: str, reason: str | None,
            station: str | None = None, operator: str | None = None) -> None:
    with db.write() as s:
        intent = s.get(ConfirmationIntent, intent_id)
        intent.result, intent.reason, intent.answered_at = outcome, reason, utcnow()
        s.add(intent)
        if outcome == "refused":
            from warehouse_tui.domain.models import Parcel
            from warehouse_tui.workflow.ledger import record

            parcel = s.get(Parcel, sh.parcel_id)
            record(s, "note", order=parcel.order_id, station=station, operator=operator,
                   message=f"{channel} refused the confirmation of {sh.tracking_number}: {reason}")
        else:
            how = " over its API" if outcome == "sent" else " (found at the marketplace)"
            mark_confirmed(s, channel, [sh], how=how, fmt="api", station=station, operator=operator)


def _record(db, result: ChannelResult, synced_from: datetime | None) -> None:
    now = utcnow()
    with db.write() as s:
        state = s.get(ChannelSync, result.channel) or ChannelSync(channel=result.channel)
        state.last_attempt_at = now
        if synced_from is not None:
            state.synced_from = synced_from
        if result.error is None:
            state.last_success_at = now
        state.orders_new, state.orders_updated, state.orders_cancelled = result.new, result.updated, result.cancelled
        state.parcels_confirmed, state.parcels_failed = result.confirmed, result.failed
        state.last_error = result.error or (result.failures[0] if result.failures else None)
        s.add(state)


def sync_state(s) -> dict[str, ChannelSync]:
    return {row.channel: row for row in s.exec(select(ChannelSync))}
