"""``order find TEXT [--limit N] [--json]``: the console's lookup as a command."""

from __future__ import annotations

import json
import sys

from warehouse_tui.errors import Usage


def add_parser(osub) -> None:
    from warehouse_tui.cli import action

    x = action(osub, "find", "orders by id, name, title, SKU, barcode or tracking number (best first)")
    x.add_argument("text", metavar="TEXT", help="a whole id, or any part of a name or product title")
    x.add_argument("--limit", type=int, default=50, metavar="N", help="at most N orders (default 50)")
    x.add_argument("--json", action="store_true")


def _printable(text: str) -> str:
    # names come from marketplaces: never a control character to the terminal
    return "".join(c if c.isprintable() else "?" for c in text)


def cmd_find(args, settings) -> int:
    from warehouse_tui.db import open_for
    from warehouse_tui.workflow.search import find

    if args.limit < 1:
        raise Usage("--limit must be at least 1")
    if not args.text.strip():
        raise Usage("order find: TEXT is empty")
    db = open_for(settings)
    try:
        with db.session() as s:
            found = [f.as_json() for f in find(s, args.text, args.limit)]
    finally:
        db.dispose()
    if args.json:
        sys.stdout.write(json.dumps(found, ensure_ascii=False) + "\n")
        return 0
    for f in found:
        line = (f"{f['display_name']:<24} {f['channel']:<8} {f['status']:<12} {f['ship_by'] or '-':<21} "
                f"{f['ship_to_name']}")
        sys.stdout.write(_printable(line) + "\n")
    if not found:
        sys.stderr.write(f"no order matches {args.text!r}\n")
    return 0
