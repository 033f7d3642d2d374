"""Every scan kind on its own, through the station sessions the console and the headless
station share, beside the floor: SELECT + INSERT + COMMIT on the same database."""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path

from figures import Figure, Timer

TARGET = 5.0  # ms, p99 of every scan kind


def _floor(db, runs: int) -> list[float]:
    """One indexed read, one insert, one commit: the least a recorded scan can cost."""
    raw = db.write_engine.raw_connection()
    try:
        mark = "?" if db.is_sqlite else "%s"
        cur = raw.cursor()
        cur.execute("CREATE TABLE IF NOT EXISTS bench_floor (id INTEGER PRIMARY KEY, order_id INTEGER, scan VARCHAR(64))")
        raw.commit()
        cur.execute("SELECT max(id) FROM orders")
        top = cur.fetchone()[0] or 1
        out = []
        for i in range(runs):
            t = time.perf_counter()
            cur.execute(f"SELECT id, status FROM orders WHERE id = {mark}", (i % top + 1,))
            cur.fetchone()
            cur.execute(f"INSERT INTO bench_floor (id, order_id, scan) VALUES ({mark}, {mark}, {mark})",
                        (i + 1, i % top + 1, "B-00-001"))
            raw.commit()
            out.append((time.perf_counter() - t) * 1000)
        cur.execute("DROP TABLE bench_floor")
        raw.commit()
        return out
    finally:
        raw.close()


def _timed(session, scan: str, into: list[float], want_ok: bool = True):
    t = time.perf_counter()
    fb = session.handle(scan)
    into.append((time.perf_counter() - t) * 1000)
    if fb.ok != want_ok:
        raise SystemExit(f"benchmark scan {scan!r} answered {fb.ok}: {fb.message}")
    return fb


def scan_figures(url: str, work: Path, timer: Timer, size: dict) -> list[Figure]:
    from warehouse_tui.config import Settings
    from warehouse_tui.db import open_database
    from warehouse_tui.documents.printers import open_printer
    from warehouse_tui.workflow.stations import open_session

    db = open_database(url, migrate=False)
    settings = Settings(db=url, station="BENCH-PICK", operator="bench", printer=f"dir:{work / 'labels'}")
    settings.carriers = {"ups": {"shipper_number": "A1B2C3", "service": "03"}}
    runs = timer.runs
    t: dict[str, list[float]] = defaultdict(list)
    pick = open_session("pick", db, settings, station="BENCH-PICK")
    pack = open_session("pack", db, settings, station="BENCH-PACK")
    label = open_session("label", db, settings, station="BENCH-LABEL", printer=open_printer(settings.printer))
    for session in (pick, pack):
        session.handle("%CANCEL")  # what an earlier run left in hand goes back (refused when nothing is)
    print(f"scans: {runs} orders picked, packed, labelled and verified", flush=True)
    for n in range(runs):
        fb = _timed(pick, "%NEXT", t["claim (%NEXT)"])
        while fb.expect in ("bin", "item"):
            fb = _timed(pick, fb.bin, t["bin"]) if fb.expect == "bin" else _timed(pick, fb.sku, t["item"])
        tote = f"TOTE-B{n:06d}"
        fb = _timed(pick, tote, t["tote"])
        fb = _timed(pack, tote, t["pack: tote (claim)"])
        while fb.expect == "item":
            fb = _timed(pack, fb.sku, t["pack item"])
        fb = _timed(pack, "BOX-M", t["box"])
        fb = _timed(label, fb.order, t["label: order (prints)"])
        _timed(label, fb.tracking_number, t["label verify"])
    _timed_many = t["refused (unknown code)"]
    for _ in range(runs):
        _timed(pick, "NO-SUCH-CODE", _timed_many, want_ok=False)
    floor = _floor(db, runs)
    db.dispose()
    figures = [Figure.of(f"scan: {kind}", ms, floor, "SELECT+INSERT+COMMIT", TARGET) for kind, ms in t.items()]
    return figures
