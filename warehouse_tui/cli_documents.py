"""Commands for documents: manifests, voiding labels, slips, pick lists, the command sheet.

Documents go to ``--printer`` unless ``--out DIR`` is given (one file per document there).
"""

from __future__ import annotations

import sys
from pathlib import Path

from warehouse_tui.text import json_text, safe

COMMANDS: dict = {}  # command name -> handler(args, settings) -> exit code


def add_parsers(sub, common) -> None:
    """Add this module's commands to the top-level subparsers; ``common(parser, top=False)``
    adds the shared options to a parser."""

    from warehouse_tui.cli import action

    sp = sub.add_parser("manifest", help="end-of-day manifests per carrier",
                        description="end-of-day manifests per carrier")
    common(sp, top=False)
    msub = sp.add_subparsers(dest="manifest_command", metavar="ACTION", required=True)
    x = action(msub, "close", "close the day: every shipped parcel of the carrier not on a manifest yet")
    x.add_argument("--carrier", required=True, help="carrier code: ups, usps, ...")
    x.add_argument("--out", type=Path, metavar="DIR",
                   help="write the PDF and CSV to DIR instead of printing the PDF")
    x = action(msub, "list", "the manifests closed so far")
    x.add_argument("--json", action="store_true")

    sp = sub.add_parser("label", help="shipping labels", description="shipping labels")
    common(sp, top=False)
    lsub = sp.add_subparsers(dest="label_command", metavar="ACTION", required=True)
    x = action(lsub, "void", "void a label: its parcel waits for a new one (refused once on a manifest)")
    x.add_argument("tracking", metavar="TRACKING")

    sp = sub.add_parser("print", help="print documents", description="print documents")
    common(sp, top=False)
    psub = sp.add_subparsers(dest="print_command", metavar="DOCUMENT", required=True)
    x = action(psub, "slip", "an order's packing slip")
    x.add_argument("ref", metavar="REF", help="channel order id, display name or tracking number")
    x.add_argument("--page", choices=("a4", "letter", "4x6"), help="page size (default: slip_page, else a4)")
    x.add_argument("--out", type=Path, metavar="DIR", help="write the PDF to DIR instead of printing it")
    x = action(psub, "pick-list", "a pick list of the next ready orders, in walking order of bins")
    x.add_argument("--orders", type=int, metavar="N", default=None, help="how many orders (default: batch_size)")
    x.add_argument("--out", type=Path, metavar="DIR", help="write the PDF to DIR instead of printing it")
    x = action(psub, "commands", "the sheet of %%-command barcodes")
    x.add_argument("--badges", action="store_true", help="add every operator's badge")
    x.add_argument("--out", type=Path, metavar="DIR", help="write the PDF to DIR instead of printing it")
    x = action(psub, "scanner-test", "the scanner test sheet, for the scanner check (F11)")
    x.add_argument("--page", choices=("a4", "letter", "4x6"), default="a4", help="page size (default a4)")
    x.add_argument("--out", type=Path, metavar="DIR", help="write the PDF to DIR instead of printing it")



def _err(text: str) -> None:
    sys.stderr.write(safe(text) + "\n")
    sys.stderr.flush()


def _printer(args, settings):
    from warehouse_tui.errors import Usage
    from warehouse_tui.documents.printers import DirPrinter
    from warehouse_tui.workflow.printing import open_printer

    if getattr(args, "out", None) is not None:
        return DirPrinter(f"dir:{args.out}", args.out)
    try:
        return open_printer(settings.printer)
    except ValueError as exc:
        raise Usage(str(exc)) from None


def cmd_manifest(args, settings) -> int:
    from warehouse_tui.db import open_for as _db
    from warehouse_tui.workflow.manifests import (
        ManifestError,
        close_manifest,
        list_manifests,
    )

    db = _db(settings, create=args.manifest_command != "list")
    if args.manifest_command == "list":
        with db.session() as s:
            rows = list_manifests(s)
        if args.json:
            sys.stdout.write(json_text(rows) + "\n")
        else:
            for r in rows:
                sys.stdout.write(f"{r['id']:>5}  {r['carrier']:<6} {r['closed_at']}  {r['parcels']:>4} parcels"
                                 f"  {r['weight_g']:>7} g  {r['station'] or ''}\n")
        return 0
    printer = None if args.out is not None else _printer(args, settings)
    try:
        with db.write() as s:
            done = close_manifest(s, settings, args.carrier, printer=printer, out_dir=args.out,
                                  station=settings.station, operator=settings.operator)
    except ManifestError as exc:
        _err(f"warehouse-tui: {exc}")
        return 1
    where = f"; printed to {done.printed_to}" if done.printed_to else ""
    _err(f"manifest {done.manifest_id} ({done.carrier}): {done.parcels} parcel{'s' if done.parcels != 1 else ''}, "
         f"{done.weight_g} g{where}")
    for f in done.files:
        _err(f"  wrote {f}")
    sys.stdout.write(f"{done.manifest_id}\n")
    return 0


def cmd_label(args, settings) -> int:
    from warehouse_tui.db import open_for as _db
    from warehouse_tui.workflow.manifests import VoidError, void_label

    db = _db(settings)
    try:
        with db.write() as s:
            msg = void_label(s, args.tracking, station=settings.station, operator=settings.operator)
    except VoidError as exc:
        _err(f"warehouse-tui: {args.tracking}: {exc}")
        return 1
    _err(msg)
    return 0


def cmd_print(args, settings) -> int:
    from warehouse_tui.db import open_for as _db
    from warehouse_tui.errors import Usage
    from warehouse_tui.documents.base import PrintError
    from warehouse_tui.workflow import printing

    db = _db(settings)
    printer = _printer(args, settings)
    try:
        with db.write() as s:
            order_id = None
            if args.print_command == "slip":
                from warehouse_tui.workflow.lookup import find_order

                found = find_order(s, args.ref)
                if len(found) != 1:
                    _err(f"warehouse-tui: {args.ref!r} names {len(found)} orders" if found
                         else f"warehouse-tui: no order {args.ref!r}")
                    return 1
                order_id = found[0].id
                doc = printing.packing_slip(s, settings, found[0], args.page)
            elif args.print_command == "pick-list":
                n = settings.batch_size if args.orders is None else args.orders
                if n < 1:
                    raise Usage("--orders must be at least 1")
                orders = printing.next_ready_orders(s, n)
                if not orders:
                    _err("warehouse-tui: no order is waiting to be picked")
                    return 1
                doc = printing.pick_list(s, orders)
            elif args.print_command == "scanner-test":
                from warehouse_tui.documents.scanner_test import scanner_test_document

                doc = scanner_test_document(args.page)
            else:
                doc = printing.command_sheet(s, args.badges)
            where = printing.send(s, printer, doc, station=settings.station, operator=settings.operator,
                                  order_id=order_id)
    except PrintError as exc:
        _err(f"warehouse-tui: {exc}")
        return 1
    except ValueError as exc:  # a badge name a barcode cannot hold, a page size
        _err(f"warehouse-tui: {exc}")
        return 1
    _err(f"printed {doc.kind.replace('_', ' ')} to {where}")
    return 0


COMMANDS.update({"manifest": cmd_manifest, "label": cmd_label, "print": cmd_print})
