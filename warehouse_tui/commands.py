"""What each command does. Kept apart from argument parsing; nothing here imports Textual
until the console is asked for."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from warehouse_tui.channels.base import InputRejected
from warehouse_tui.errors import Usage
from warehouse_tui.config import Settings
from warehouse_tui.text import json_text, safe, safe_logging


def out(text: str = "") -> None:
    """One line of output; text from outside never brings a control character to the terminal."""
    sys.stdout.write(safe(text) + "\n")


def err(text: str) -> None:
    sys.stderr.write(safe(text) + "\n")
    sys.stderr.flush()


def _log_to_file() -> None:
    """While the console owns the terminal, log lines go to a file, not across the screen."""
    import logging

    from warehouse_tui.config import data_dir

    path = data_dir() / "warehouse-tui.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root.addHandler(safe_logging(handler))


def _db(settings: Settings, migrate: bool = True, *, create: bool = True):
    from warehouse_tui.db import open_for  # the database layer is a slow import: not at start

    return open_for(settings, migrate, create=create)


def console(settings: Settings) -> int:
    from warehouse_tui.ui.app import run_console

    _log_to_file()
    return run_console(lambda: _console_db(settings), settings)  # opened behind the first screen


def _console_db(settings: Settings):
    """The console's database, opened behind its first screen; an ``--operator`` that no
    ``operator add`` made is refused there, as every command refuses it."""
    db = _db(settings)
    if settings.operator:
        from warehouse_tui.workflow import pins

        try:
            pins.check_known(db, settings.operator)
        except BaseException:
            db.dispose()
            raise
    return db


def cmd_demo(args, settings: Settings) -> int:
    from warehouse_tui.demo import demo_settings, seed_demo

    if args.orders < 1:
        raise Usage("--orders must be at least 1")
    if args.reset:
        from sqlalchemy.engine import make_url
        from warehouse_tui.db import to_url

        url = make_url(to_url(settings.db))
        if url.get_backend_name() != "sqlite":
            raise Usage("--reset works on SQLite files only")
        for suffix in ("", "-wal", "-shm"):
            Path(url.database + suffix).unlink(missing_ok=True)
    db = _db(settings)
    seeded = seed_demo(db, orders=args.orders, progress=err, settings=demo_settings(settings))
    err(f"demo warehouse: {db.url}" + (" (seeded)" if seeded else " (already seeded)"))
    from warehouse_tui.demo import DEMO_PIN, DEMO_SUPERVISOR

    err(f"badges OP-alice (operator) and OP-{DEMO_SUPERVISOR} (supervisor, PIN {DEMO_PIN} for overrides)")
    from warehouse_tui.cli_operators import check_operator

    check_operator(settings)
    if args.no_console:
        return 0
    demo_settings(settings)
    from warehouse_tui.ui.app import run_console

    _log_to_file()
    return run_console(db, settings)


def cmd_stock(args, settings: Settings) -> int:
    from warehouse_tui.workflow.inventory import apply_stock, read_stock_file, stock_of

    db = _db(settings, create=args.stock_command == "import")
    if args.stock_command == "import":
        rows = read_stock_file(args.file)
        with db.write() as s:
            report = apply_stock(s, rows, path=args.file, station=settings.station, operator=settings.operator)
        err(f"{args.file}: {report.rows} rows, {report.products_added} new products, "
            f"{report.bins_added} new bins" + (f"; now ready: {', '.join(report.allocated)}" if report.allocated else ""))
        if report.moved:
            err(f"  {report.moved} reserved unit{'s' if report.moved != 1 else ''} moved to other bins")
        for name in report.backordered:
            err(f"  backordered {name}: not enough stock")
        for name in report.short:
            err(f"  short {name}: its bin was counted without the units")
        return 0
    with db.session() as s:
        info = stock_of(s, args.sku)
    if info is None:
        err(f"warehouse-tui: no product with SKU {args.sku!r}")
        return 1
    if args.json:
        out(json_text(info))
    else:
        out(f"{info['sku']}  {info['title']}")
        out(f"  barcodes: {', '.join(info['barcodes']) or '-'}")
        out(f"  on hand {info['on_hand']}, reserved {info['reserved']}, quarantine {info['quarantine']}")
        for b in info["bins"]:
            out(f"  {b['bin']:<12} on hand {b['on_hand']:>5}  reserved {b['reserved']:>5}")
    return 0


def cmd_boxes(args, settings: Settings) -> int:
    from sqlmodel import select

    from warehouse_tui.domain.models import BoxType
    from warehouse_tui.workflow.boxes import import_boxes

    db = _db(settings, create=args.boxes_command == "import")
    if args.boxes_command == "import":
        with db.write() as s:
            n = import_boxes(s, args.file)
        err(f"{args.file}: {n} box types")
        return 0
    with db.session() as s:
        for b in s.exec(select(BoxType).order_by(BoxType.code)):
            out(f"{b.code:<14} {b.length_mm}x{b.width_mm}x{b.height_mm} mm  {b.weight_g} g  {b.name}")
    return 0


def cmd_import(args, settings: Settings) -> int:
    from warehouse_tui.workflow.importing import import_files

    db = _db(settings)
    db.for_bulk_writes()
    for f in args.files:
        if f.is_dir():
            raise InputRejected(f, "", "is a folder, not a file (for a folder of files use: inbox DIR --once)")
        if not f.is_file():
            raise InputRejected(f, "", "no such file")
    try:
        report = import_files(db, args.files, args.channel, station=settings.station, operator=settings.operator,
                              progress=err)
    except ValueError as exc:
        raise Usage(str(exc)) from None
    err(f"imported {', '.join(map(str, args.files))}: {report.summary()}")
    for name, reason in report.held:
        err(f"  on hold {name}: {reason}")
    for name, reason in report.skipped:
        err(f"  not queued {name}: {reason}")
    for name in report.backordered:
        err(f"  backordered {name}: not enough stock")
    for name, note in report.notes:
        err(f"  note {name}: {note}")
    return 0


def cmd_export(args, settings: Settings) -> int:
    from warehouse_tui.workflow.confirmations import ConfirmationError, export_confirmations

    db = _db(settings, create=False)

    def write(text: str) -> None:
        if args.out:
            args.out.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
            sys.stdout.flush()

    refused: list = []
    try:
        options = {"shop_id": settings.etsy_shop_id} if args.channel == "etsy" else {}
        count = export_confirmations(db, args.channel, fmt=args.fmt, again=args.again, write=write,
                                     station=settings.station, operator=settings.operator,
                                     log=lambda m: err(f"warehouse-tui: {m}"), refused=refused, **options)
    except ConfirmationError as exc:
        err(f"warehouse-tui: {exc}; nothing was written")
        return 1
    where = f" to {args.out}" if args.out else ""
    err(f"{count} parcel{'s' if count != 1 else ''} confirmed{where}"
        + (f"; {len(refused)} not written, still unconfirmed" if refused else ""))
    return 3 if refused else 0


def _one_order(s, ref: str):
    from warehouse_tui.workflow.lookup import find_order

    found = find_order(s, ref)
    if not found:
        err(f"warehouse-tui: no order {ref!r}")
        return None
    if len(found) > 1:
        err(f"warehouse-tui: {ref!r} names {len(found)} orders: " + ", ".join(f"{o.channel} {o.ref}" for o in found))
        return None
    return found[0]


def cmd_order(args, settings: Settings) -> int:
    from warehouse_tui.workflow.lookup import order_detail, order_list

    if args.order_command == "find":
        from warehouse_tui.cli_search import cmd_find

        return cmd_find(args, settings)
    db = _db(settings, create=False)  # every order command needs orders already there
    if args.order_command == "list":
        from warehouse_tui.domain.lifecycle import Status

        if args.status and args.status not in {s.value for s in Status}:
            raise Usage(f"--status must be one of {', '.join(s.value for s in Status)}")
        if args.channel and args.channel not in ("amazon", "ebay", "etsy", "shopify", "csv"):
            raise Usage("--channel must be one of amazon, ebay, etsy, shopify, csv")
        with db.session() as s:
            rows = order_list(s, status=args.status, channel=args.channel)
        if args.json:
            out(json_text(rows))
        else:
            for r in rows:
                out(f"{r['display_name']:<24} {r['channel']:<8} {r['status']:<12} {r['ship_by'] or '-':<21} {r['ship_name']}")
        return 0
    if args.order_command in ("cancel", "release"):
        from warehouse_tui.cli_operators import cmd_order_override

        return cmd_order_override(args, settings, _one_order)
    if args.order_command == "hold":
        from warehouse_tui.workflow.supervisor import hold

        with db.write() as s:
            order = _one_order(s, args.ref)
            if order is None:
                return 1
            try:
                msg = hold(s, order, args.reason, station=settings.station, operator=settings.operator)
            except ValueError as exc:
                err(f"warehouse-tui: {exc}")
                return 1
        err(msg)
        return 0
    with db.session() as s:
        order = _one_order(s, args.ref)
        if order is None:
            return 1
        detail = order_detail(s, order)
    if args.json:
        out(json_text(detail))
        return 0
    from warehouse_tui.cli_order_show import order_show_lines

    for line in order_show_lines(detail, args.ref, every_event=args.all):
        out(line)
    return 0


def cmd_operator(args, settings: Settings) -> int:
    from warehouse_tui.cli_operators import cmd_operator

    return cmd_operator(args, settings)


def cmd_station(args, settings: Settings) -> int:
    from warehouse_tui.headless import run_station

    return run_station(_db(settings), settings, args.mode)


def cmd_inbox(args, settings: Settings) -> int:
    from warehouse_tui.workflow.inbox import watch

    return watch(_db(settings), args.dir, once=args.once, interval=args.interval, settings=settings, log=err)


def cmd_db(args, settings: Settings) -> int:
    from warehouse_tui import migrations
    from warehouse_tui.db import Database, to_url

    db = Database(to_url(settings.db))
    if args.db_command == "upgrade":
        before = migrations.current_revision(db)
        migrations.upgrade(db)
        err(f"{db.url}: schema {before or 'none'} -> {migrations.head_revision()}")
        return 0
    if not db.is_sqlite:
        raise Usage("db backup works on SQLite; for PostgreSQL use pg_dump")
    target = args.path
    if target.exists():
        raise Usage(f"{target} exists already")
    try:
        src = sqlite3.connect(f"file:{db.path}?mode=ro", uri=True)
        dst = sqlite3.connect(target)
        with dst:
            src.backup(dst)
        src.close()
        dst.close()
    except sqlite3.Error as exc:
        err(f"warehouse-tui: cannot back up to {target}: {exc}")
        return 1
    err(f"backed up {db.path} to {target}")
    return 0


def cmd_serve(args, settings: Settings) -> int:
    db = _db(settings)  # fail here, not in the browser, when the database cannot be opened
    db.dispose()
    from warehouse_tui.ui.serve import serve

    err(f"serving the console on http://{args.host}:{args.port}")
    if settings.operator:
        err(f"each browser session asks for a badge; the operator {settings.operator!r} is not logged in there")
    return serve(settings, args.host, args.port)
