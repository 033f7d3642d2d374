"""A station session: what a station expects next, and the answer to every scan.

The console's screens and the headless ``station`` command are two faces of these sessions.
Each scan is one write transaction: a refused scan rolls back whatever it touched and only
its refusal is written to the ledger. The station's progress lives in its ``stations`` row, so
a session started again with the same station name resumes where it was.
"""

from __future__ import annotations

import copy
import json
import logging
import time
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from sqlalchemy import bindparam, insert, update
from sqlalchemy import select as core_select
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from warehouse_tui.config import Settings
from warehouse_tui.db import Database, storage_problem, worth_retrying
from warehouse_tui.domain.lifecycle import Status
from warehouse_tui.domain.models import Document, Operator, Order, Station, utcnow
from warehouse_tui.errors import UnknownOperator
from warehouse_tui.scanning.grammar import ScanRefused, parse_scan
from warehouse_tui.workflow.ledger import record, update_with_events
from warehouse_tui.workflow.resolve import NAMED, NOT_READ, Meaning, What, lookup_params, resolve, shorten
from warehouse_tui.workflow.stations.rows import OrderRow, order_row

log = logging.getLogger("warehouse_tui.station")

SCREEN_CODES = {"HOME", "PICK", "PACK", "LABEL", "RETURNS", "LOOKUP", "SCANCHECK"}

# the station's row, read and written by every scan: statements built once
_stations = Station.__table__
_READ_ROW = core_select(_stations.c.id, _stations.c.state, _stations.c.operator).where(
    _stations.c.name == bindparam("name"))
_WRITE_ROW = update(_stations).where(_stations.c.id == bindparam("row_id")).values(
    state=bindparam("new_state"), operator=bindparam("new_operator"), updated_at=bindparam("now"))
# a plain code: the station's row and what the code names, in one round trip (no row yet: NULLs)
_named = core_select(NAMED.label("named")).subquery()
_READ_ROW_NAMED = core_select(_stations.c.id, _stations.c.state, _stations.c.operator, _named.c.named).select_from(
    _named.outerjoin(_stations, _stations.c.name == bindparam("station_name")))
_WRITE_ROW_SQL = "UPDATE stations SET state = :new_state, operator = :new_operator, updated_at = :now WHERE id = :row_id"


class Refused(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass
class Expect:
    """What the station waits for, and what the screen would show for it."""

    expect: str = "order"  # order|bin|item|tote|box|label|condition|none
    instruction: str = "scan an order"
    order: Order | None = None
    bin: str | None = None
    sku: str | None = None
    title: str | None = None
    quantity: int | None = None
    tote: str | None = None
    batch_order: Order | None = None  # in a batch pick: the order the next unit is for


@dataclass
class Feedback:
    scan: str
    ok: bool
    message: str
    order: str | None = None
    status: str | None = None
    expect: str = "order"
    bin: str | None = None
    sku: str | None = None
    quantity: int | None = None
    tote: str | None = None
    tracking_number: str | None = None
    tracking_numbers: list[str] | None = None
    title: str | None = None
    instruction: str = ""
    screen: str | None = None  # a console screen code (%PICK ...) to switch to
    order_id: int | None = None  # the order's own id (refs may repeat across channels)
    # what the scan finished (the order picked, packed, shipped, released): the screen keeps
    # it in the large instruction until the next scan
    result: str | None = None

    def as_json(self) -> dict[str, Any]:
        d = asdict(self)
        for key in ("tracking_numbers", "result"):
            if d[key] is None:
                d.pop(key)
        return d


@dataclass
class Outcome:
    message: str
    tracking_number: str | None = None
    tracking_numbers: list[str] | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class StationRow:
    """The station's row as a scan needs it: its id and its state's text (read by one statement)."""

    id: int
    state: str
    operator: str | None = None


class StationSession:
    mode: ClassVar[str] = ""

    def __init__(self, db: Database, settings: Settings, *, station: str | None = None,
                 operator: str | None = None, printer=None, scale=None):
        self.db = db
        self.settings = settings
        self.station = station or settings.station
        self.operator = operator or settings.operator
        self.printer = printer
        self.scale = scale
        self.state: dict[str, Any] = {}
        # state a refused scan still keeps (e.g. "the same scan again accepts it")
        self.sticky: dict[str, Any] = {}
        # the scans' commits are not news to this process's listener: a console sets it, as
        # its screen shows what each of its scans changed (see Database.write)
        self.quiet_commits = False
        self._named_order: int | None = None
        # the row of the order a scan finished, as the scan wrote it (see ``finished_row``)
        self._done_row: OrderRow | None = None
        # the state as last read or written, and its text: parsed again only when it changed
        self._state_text: str | None = None
        self._state_whole: dict[str, Any] = {}
        try:
            with db.write() as s:
                row = self._station_row(s)
                values: dict[str, Any] = {"mode": self.mode}
                if self.operator:
                    if s.exec(select(Operator).where(Operator.name == self.operator)).first() is None:
                        raise UnknownOperator(self.operator)  # only `operator add` makes operators
                    values["operator"] = self.operator
                s.execute(update(Station).where(Station.id == row.id).values(**values))
        except DBAPIError as exc:
            why = storage_problem(exc)
            if why is None:
                raise
            # the station still starts: each scan says why it cannot be recorded until it clears
            log.error("station %s: %s (%s)", self.station, why, exc.orig)

    # -- the one entry point -------------------------------------------------------------

    def handle(self, raw: str | bytes) -> Feedback:
        """Answer one scan. A database that cannot take the write (full, read-only, busy,
        away) gets ``ok: false`` with the reason; nothing of the scan is kept, the order in
        hand stays in hand, and the same scan works again once the fault clears."""
        for attempt in range(4):
            try:
                return self._handle(raw)
            except DBAPIError as exc:
                why = storage_problem(exc)
                if why is None:
                    raise
                if worth_retrying(exc) and attempt < 3:
                    time.sleep(0.02 * (attempt + 1))
                    continue
                log.error("station %s: scan not recorded: %s (%s)", self.station, why, exc.orig)
                # connections opened while it failed (read-only, dropped) are not reused
                self.db.write_engine.dispose()
                return self._unrecorded(raw, why)
        raise AssertionError("unreachable")  # pragma: no cover

    def _unrecorded(self, raw: str | bytes, why: str) -> Feedback:
        scan = _printable(raw)
        self.forget_view()
        try:
            with self.db.session() as s:
                row = self._read_row(s)
                self.state = self._load(row) if row else {}
                exp = self.expectation(s)
        except DBAPIError:
            self.db.read_engine.dispose()
            exp = Expect("none", "wait until the database can be reached")
        return self._feedback(scan, False, f"{why}: the scan was not recorded; scan it again when "
                                           f"this clears; {exp.instruction}", exp)

    def _handle(self, raw: str | bytes) -> Feedback:
        self.sticky = {}
        self._named_order: int | None = None
        self._done_row = None
        self.forget_view()
        if isinstance(raw, str):
            try:
                raw.encode("utf-8")
            except UnicodeEncodeError:  # undecodable bytes kept by a serial reader
                try:
                    raw = raw.encode("utf-8", "surrogateescape")
                except UnicodeEncodeError:  # a lone surrogate from elsewhere: refused as not UTF-8
                    raw = raw.encode("utf-8", "surrogatepass")
        try:
            parsed = parse_scan(raw)
        except ScanRefused as exc:
            return self._refuse(_printable(raw), exc.message)
        try:
            with self.db.write(quiet=self.quiet_commits) as s:
                row, named = self._station_row_and_named(s, parsed)
                self.state = self._load(row)
                before = self.current_order_id()
                busy = bool(self.state)  # an order, a batch or a return in hand
                try:
                    meaning = resolve(s, parsed, named)
                except ScanRefused as exc:
                    # a code that names nothing here: the scan has changed nothing yet, so its
                    # refusal is recorded in this same transaction (and committed with it)
                    return self._refused(s, parsed.raw, exc.message)
                self._named_order = meaning.order.id if meaning.order is not None else before
                outcome = self._dispatch(s, meaning)
                record(s, "scan", order=self.current_order_id() or meaning.order or before, station=self.station,
                       operator=self.operator,
                       scan=parsed.raw, ok=True, message=outcome.message, mode=self.mode, **outcome.data)
                was = (row.state, row.operator)
                self._save(row)
                row.operator = self.operator
                if (row.state, row.operator) != was:  # a scan that changed nothing here writes nothing
                    self._write_row(s, row, with_events=True)
                s.flush()
                exp = self.expectation(s)
                if exp.order is None and exp.batch_order is None and before:
                    # the scan finished the order in hand: say what became of it
                    done = self._done_row
                    exp.order = done if done is not None and done.id == before else order_row(s, before)
                fb = self._feedback(parsed.raw, True, outcome.message, exp)
                if busy and not self.state:
                    fb.result = outcome.message
        except (ScanRefused, Refused) as exc:
            return self._refuse(parsed.raw, exc.message)
        fb.tracking_number = outcome.tracking_number
        fb.tracking_numbers = outcome.tracking_numbers
        if meaning.what is What.COMMAND and meaning.command in SCREEN_CODES:
            fb.screen = meaning.command.lower()
        return fb

    def prompt(self) -> Feedback:
        """What the station expects now, before any scan (on start and on resume)."""
        try:
            return self._prompt()
        except DBAPIError as exc:
            why = storage_problem(exc)
            if why is None:
                raise
            self.db.read_engine.dispose()
            return self._feedback("", False, why, Expect("order", f"{why}: scans are refused until it clears"))

    def _prompt(self) -> Feedback:
        self.forget_view()
        with self.db.session() as s:
            row = self._read_row(s)
            self.state = self._load(row) if row else {}
            exp = self.expectation(s)
            return self._feedback("", True, exp.instruction, exp)

    # -- for subclasses -----------------------------------------------------------------

    def expectation(self, s: Session) -> Expect:
        raise NotImplementedError

    def forget_view(self) -> None:
        """Drop what a scan learnt for the expectation after it (see the pick flow)."""

    def on_scan(self, s: Session, m: Meaning) -> Outcome:
        raise NotImplementedError

    def current_order_id(self) -> int | None:
        return self.state.get("order_id")

    def finished_row(self, order, **now) -> None:
        """The scan finished this order and wrote its row in this transaction: the feedback says
        what became of it from these values, with no statement to read them back. ``now``:
        the columns the scan changed, where ``order`` does not hold them yet."""
        values = {k: getattr(order, k) for k in ("id", "ref", "display_name", "status", "station", "tote")}
        values.update(now)
        values["status"] = Status(values["status"]).value
        self._done_row = OrderRow(**values)

    # -- shared ---------------------------------------------------------------------------

    def _dispatch(self, s: Session, m: Meaning) -> Outcome:
        if m.what is What.BADGE:
            self.operator = m.operator
            record(s, "login", station=self.station, operator=m.operator, message=f"{m.operator} logged in")
            return Outcome(f"operator {m.operator}")
        if not self.operator:
            raise Refused("log in first: scan your badge (OP-...)")
        if m.what is What.COMMAND:
            if m.command in SCREEN_CODES:
                return Outcome(f"screen {m.command.lower()}")
            if m.command == "REPRINT":
                return self._reprint(s)
        return self.on_scan(s, m)

    def _reprint(self, s: Session) -> Outcome:
        doc = s.exec(select(Document).where(Document.station == self.station)
                     .order_by(Document.id.desc())).first()
        if doc is None:
            raise Refused("nothing printed at this station yet")
        if self.printer is None:
            raise Refused("no printer configured")
        from warehouse_tui.documents.base import Document as Doc, PrintError

        try:
            where = self.printer.send(Doc(kind=doc.kind, format=doc.format, data=doc.data,
                                          name=f"{doc.kind}-{doc.id}-reprint"))
        except PrintError as exc:
            raise Refused(f"reprint failed: {exc}") from None
        record(s, "print", order=doc.order_id, station=self.station, operator=self.operator,
               message=f"reprinted {doc.kind} to {where}", document=doc.id)
        return Outcome(f"reprinted {doc.kind.replace('_', ' ')}")

    def _load(self, row: StationRow) -> dict[str, Any]:
        """This flow's part of the station's state: one station may run every flow in turn.

        Kept between scans; the text is read with every scan all the same (in the scan's own
        statement), so a change made by another process is never missed."""
        text = row.state or "{}"
        if text != self._state_text:
            self._state_whole = json.loads(text)
            self._state_text = text
        return copy.deepcopy(self._state_whole.get(self.mode, {}))  # a refused scan changes no cache

    def _save(self, row: StationRow) -> None:
        whole = dict(self._state_whole) if row.state == self._state_text else json.loads(row.state or "{}")
        whole[self.mode] = copy.deepcopy(self.state)
        row.state = json.dumps(whole)
        self._state_whole, self._state_text = whole, row.state

    def _read_row(self, s: Session) -> StationRow | None:
        found = s.connection().execute(_READ_ROW, {"name": self.station}).first()
        return StationRow(*found) if found else None

    def _station_row_and_named(self, s: Session, parsed) -> tuple[StationRow, Any]:
        """The station's row and, for a plain code, what it names (``resolve``'s lookup), read
        by one statement; other scans: the row alone, and NOT_READ."""
        params = lookup_params(parsed)
        if params is None:
            return self._station_row(s), NOT_READ
        row_id, state, operator, named = s.connection().execute(
            _READ_ROW_NAMED, {"station_name": self.station, **params}).one()
        return (StationRow(row_id, state, operator) if row_id is not None else self._station_row(s)), named

    def _station_row(self, s: Session) -> StationRow:
        row = self._read_row(s)
        if row is None:
            new = s.execute(insert(Station).values(name=self.station, mode=self.mode, state="{}",
                                                   updated_at=utcnow()).returning(Station.id)).scalar_one()
            row = StationRow(new, "{}")
        return row

    def _write_row(self, s: Session, row: StationRow, with_events: bool = False) -> None:
        """One UPDATE statement: the station's row needs no unit of work. ``with_events``: on
        PostgreSQL it goes with the scan's events at commit, one round trip for both (nothing
        reads the row after it in the scan)."""
        params = {"row_id": row.id, "new_state": row.state, "new_operator": row.operator, "now": utcnow()}
        if with_events and not self.db.is_sqlite:
            update_with_events(s, _WRITE_ROW_SQL, params)
        else:
            s.connection().execute(_WRITE_ROW, params)

    def _feedback(self, scan: str, ok: bool, message: str, exp: Expect) -> Feedback:
        order = exp.batch_order or exp.order
        return Feedback(
            scan=scan, ok=ok, message=message,
            order=order.ref if order else None, status=order.status if order else None,
            order_id=order.id if order else None,
            expect=exp.expect, bin=exp.bin, sku=exp.sku, quantity=exp.quantity, tote=exp.tote,
            title=exp.title, instruction=exp.instruction,
        )

    def _refuse(self, scan: str, reason: str) -> Feedback:
        """A refused scan, after what it tried was rolled back: the refusal in a transaction
        of its own."""
        self.forget_view()
        with self.db.write(quiet=self.quiet_commits) as s:
            row = self._station_row(s)
            self.state = self._load(row)
            if self.sticky:
                self.state.update(self.sticky)
                self._save(row)
                self._write_row(s, row)
            return self._refused(s, scan, reason)

    def _refused(self, s: Session, scan: str, reason: str) -> Feedback:
        """The refusal recorded and answered, with the station's state as loaded."""
        exp = self.expectation(s)
        order = exp.batch_order or exp.order
        # a refused scan belongs to the order in hand, or else to the order it named
        record(s, "scan", order=order or getattr(self, "_named_order", None), station=self.station,
               operator=self.operator, scan=scan, ok=False, message=reason, mode=self.mode)
        return self._feedback(scan, False, f"{reason}; {exp.instruction}", exp)


def _printable(raw: str | bytes) -> str:
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    return shorten("".join(ch if ch.isprintable() or ch == "\x1d" else f"\\x{ord(ch):02x}" for ch in raw[:200]), 200)
