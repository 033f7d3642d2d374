"""The headless station: scans in (standard input or serial scanners), JSON lines out.

Standard output carries one JSON object per scan and nothing else; everything else goes to
standard error. Scans from several sources go through one queue, so they are answered one at
a time in the order they arrived.
"""

from __future__ import annotations

import gc
import logging
import os
import queue
import signal
import sys
import threading

from warehouse_tui.config import Settings
from warehouse_tui.text import json_text
from warehouse_tui.workflow.stations import open_session
from warehouse_tui.workflow.stations.base import _printable

log = logging.getLogger("warehouse_tui.station")
EOF_MARK = object()


def _stdin_reader(q: queue.Queue, ends_station: bool) -> None:
    for line in sys.stdin.buffer:
        if line.endswith(b"\n"):
            line = line[:-1]
        if line.endswith(b"\r"):
            line = line[:-1]
        if line.strip():
            q.put(("stdin", line))
    if ends_station:
        q.put(EOF_MARK)


def _open_devices(settings: Settings):
    printer = scale = None
    if settings.printer:
        from warehouse_tui.documents.printers import open_printer

        try:
            printer = open_printer(settings.printer)
        except ValueError as exc:
            from warehouse_tui.errors import Usage

            raise Usage(str(exc)) from None
    if settings.scale:
        from warehouse_tui.scanning.scale import Scale

        scale = Scale(settings.scale)
    return printer, scale


def run_station(db, settings: Settings, mode: str) -> int:
    printer, scale = _open_devices(settings)
    if mode != "pack":
        scale = None
    session = open_session(mode, db, settings, printer=printer, scale=scale)
    first = session.prompt()
    log.info("station %s, %s: %s", session.station, mode, first.instruction)
    # what start-up loaded stays for the whole shift: the cycle collector leaves it be, and
    # its full collections look only at what the shift makes (as in the console)
    gc.freeze()

    q: queue.Queue = queue.Queue()
    stop = threading.Event()
    serial_specs = [sc for sc in settings.scanners if sc != "keyboard"]
    threads = []
    for spec in serial_specs:
        from warehouse_tui.scanning.serial_reader import SerialScanner

        reader = SerialScanner(spec, on_scan=lambda src, data: q.put((src, data)),
                               on_state=lambda src, state, why="": log.info("scanner %s %s %s", src, state, why))
        t = threading.Thread(target=reader.run, args=(stop,), daemon=True, name=f"scanner {spec}")
        t.start()
        threads.append(t)
    # standard input ends the station at its end only when it is the only source: a station
    # with serial scanners runs (as a service, stdin /dev/null) until it is stopped
    use_stdin = not sys.stdin.isatty() or "keyboard" in settings.scanners or not serial_specs
    reader = None
    if use_stdin:
        reader = threading.Thread(target=_stdin_reader, args=(q, not serial_specs), daemon=True, name="stdin")
        reader.start()
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: q.put(EOF_MARK))
    try:
        while True:
            item = q.get()
            if item is EOF_MARK:
                break
            _source, data = item
            try:
                answer = session.handle(data).as_json()
            except Exception as exc:  # never die on a scan: say so, log it, take the next one
                log.exception("station %s: scan failed", session.station)
                answer = {"scan": _printable(data), "ok": False, "expect": "none", "order": None,
                          "status": None, "message": f"the scan failed ({type(exc).__name__}); "
                                                     "nothing was recorded: scan it again"}
            sys.stdout.write(json_text(answer) + "\n")
            sys.stdout.flush()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=1)
        db.dispose()
    if reader is not None and reader.is_alive():
        # a thread still blocked reading standard input would make interpreter shutdown abort
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    return 0
