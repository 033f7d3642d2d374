"""The command line: the commands of the contract.

Exit status: 0 done; 1 input rejected (the message names the file and the line or record);
2 usage error. The common options may stand before or after the command.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from warehouse_tui import __version__
from warehouse_tui.channels.base import InputRejected
from warehouse_tui.config import ConfigError, Settings, load_settings
from warehouse_tui.errors import Refusal, Usage
from warehouse_tui.text import safe, safe_logging

log = logging.getLogger("warehouse_tui")

COMMON = ("config", "db", "station", "operator", "scanner", "printer", "label_format", "label_dpi", "scale")


def _common(parser: argparse.ArgumentParser, top: bool) -> None:
    d = None if top else argparse.SUPPRESS
    g = parser.add_argument_group("options (also WAREHOUSE_<NAME> or the config file)")
    g.add_argument("--config", metavar="PATH", default=d, help="TOML config file")
    g.add_argument("--db", metavar="PATH_OR_URL", default=d, help="SQLite file or SQLAlchemy URL")
    g.add_argument("--station", metavar="NAME", default=d, help="this station's name")
    g.add_argument("--operator", metavar="NAME", default=d, help="the operator (else a badge scan)")
    g.add_argument("--scanner", metavar="SPEC", action="append", default=d,
                   help="keyboard, a serial device or a pyserial URL (?baud=N); repeatable")
    g.add_argument("--printer", metavar="SPEC", default=d, help="tcp://HOST:PORT, cups:QUEUE or dir:PATH")
    g.add_argument("--label-format", dest="label_format", choices=("zpl", "pdf"), default=d)
    g.add_argument("--label-dpi", dest="label_dpi", type=int, choices=(203, 300), default=d)
    g.add_argument("--scale", metavar="SPEC", default=d, help="serial scale (?protocol=mt-sics|nci)")


def action(parent, name: str, help: str) -> argparse.ArgumentParser:
    """A sub-command's parser, with the common options."""
    x = parent.add_parser(name, help=help, description=help)
    _common(x, top=False)
    return x


class _NotTheConsole(Exception):
    pass


class _ConsoleParser(argparse.ArgumentParser):
    """The common options alone: any other word, or a mistake, is the whole parser's to read."""

    def error(self, message: str):
        raise _NotTheConsole(message)


def _top(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("--version", action="version", version=f"warehouse-tui {__version__}")
    _common(p, top=True)
    return p


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line read. The console (no command) is read by the common options alone,
    which saves building the parsers of some forty commands before its first screen."""
    words = sys.argv[1:] if argv is None else list(argv)
    if not {"-h", "--help"} & set(words):
        try:
            args, rest = _top(_ConsoleParser(prog="warehouse-tui", add_help=False)).parse_known_args(words)
        except _NotTheConsole:
            rest = ["?"]
        if not rest:
            args.command = None
            return args
    return build_parser().parse_args(words)


def build_parser() -> argparse.ArgumentParser:
    p = _top(argparse.ArgumentParser(prog="warehouse-tui", description="A terminal warehouse console."))
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def cmd(name: str, help: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help, description=help)
        _common(sp, top=False)
        return sp

    sp = cmd("demo", "seed a demo database when it is empty, then open the console")
    sp.add_argument("--orders", type=int, default=200, help="orders to create (default 200)")
    sp.add_argument("--reset", action="store_true", help="throw the demo database away and seed it again")
    sp.add_argument("--no-console", action="store_true", help="seed only; do not open the console")

    sp = cmd("stock", "products, barcodes, bins and quantities")
    ssub = sp.add_subparsers(dest="stock_command", metavar="ACTION", required=True)
    x = action(ssub, "import", "load a stock CSV (sets quantities)")
    x.add_argument("file", type=Path)
    x = action(ssub, "show", "what a product has where")
    x.add_argument("sku")
    x.add_argument("--json", action="store_true")

    sp = cmd("boxes", "box types")
    bsub = sp.add_subparsers(dest="boxes_command", metavar="ACTION", required=True)
    x = action(bsub, "import", "create or update box types from a CSV")
    x.add_argument("file", type=Path)
    x = action(bsub, "list", "the box types")

    sp = cmd("import", "import order files")
    sp.add_argument("--channel", choices=("amazon", "ebay", "etsy", "shopify", "csv"))
    sp.add_argument("files", nargs="+", type=Path, metavar="FILE")

    sp = cmd("export", "export files for the marketplaces")
    esub = sp.add_subparsers(dest="export_command", metavar="WHAT", required=True)
    x = action(esub, "confirmations", "shipped and not yet confirmed parcels")
    x.add_argument("--channel", required=True, choices=("amazon", "ebay", "etsy", "shopify"))
    x.add_argument("--out", type=Path, help="file to write (default: standard output)")
    x.add_argument("--again", action="store_true", help="repeat parcels confirmed before")
    x.add_argument("--format", dest="fmt", help="amazon: flat (default) or api; shopify: rest or graphql")

    sp = cmd("order", "look at orders")
    osub = sp.add_subparsers(dest="order_command", metavar="ACTION", required=True)
    x = action(osub, "show", "one order: channel id, display name or tracking number")
    x.add_argument("ref")
    x.add_argument("--json", action="store_true")
    x.add_argument("--all", action="store_true", help="every event (without it: the last 20)")
    x = action(osub, "list", "orders by ship-by")
    x.add_argument("--status")
    x.add_argument("--channel")
    x.add_argument("--json", action="store_true")
    from warehouse_tui import cli_search

    cli_search.add_parser(osub)
    x = action(osub, "hold", "put an order on hold")
    x.add_argument("ref")
    x.add_argument("--reason", default="held by a supervisor")
    x = action(osub, "release", "release an order from hold (or a short order to packing)")
    x.add_argument("ref")
    x.add_argument("--repick", action="store_true", help="short order: pick the missing units again")
    x = action(osub, "cancel", "cancel an order (picked units go back to their bins); "
                               "once picking has begun, a supervisor's override")
    x.add_argument("ref")
    x.add_argument("--reason")

    sp = cmd("operator", "operators and their badges")
    opsub = sp.add_subparsers(dest="operator_command", metavar="ACTION", required=True)
    x = action(opsub, "add", "add an operator (or change their role); the badge is OP-<name>")
    x.add_argument("name")
    x.add_argument("--role", choices=("operator", "supervisor"), default="operator")
    x = action(opsub, "pin", "set or change NAME's PIN (4 to 12 digits; from standard input when it is "
                             "not a terminal)")
    x.add_argument("name")
    x = action(opsub, "list", "the operators")

    sp = cmd("station", "a headless station: scans in, one JSON line per scan out")
    sp.add_argument("--mode", required=True, choices=("pick", "pack", "label", "returns"))

    sp = cmd("inbox", "import each file dropped into DIR")
    sp.add_argument("dir", type=Path)
    sp.add_argument("--once", action="store_true", help="import what is there now, then stop")
    sp.add_argument("--interval", type=float, default=2.0, help="seconds between looks (default 2)")

    sp = cmd("db", "schema migrations and backups")
    dsub = sp.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    x = action(dsub, "upgrade", "bring the schema up to this release")
    x = action(dsub, "backup", "an online backup (SQLite)")
    x.add_argument("path", type=Path)

    from warehouse_tui import cli_documents

    cli_documents.add_parsers(sub, _common)
    from warehouse_tui import cli_sync

    cli_sync.add_parsers(sub)

    sp = cmd("serve", "the console in a browser")
    sp.add_argument("--host", default="127.0.0.1")
    sp.add_argument("--port", type=int, default=8000)
    return p


def settings_from(args: argparse.Namespace) -> Settings:
    given = {k: getattr(args, k) for k in COMMON if getattr(args, k, None) is not None}
    return load_settings(given)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    for handler in logging.getLogger().handlers:
        safe_logging(handler)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    args = parse_args(argv)
    try:
        settings = settings_from(args)
        code = run(args, settings)
        sys.stdout.flush()  # a reader that went away shows here, not at exit
        return code
    except BrokenPipeError:
        return _reader_gone()
    except ConfigError as exc:
        print(f"warehouse-tui: {safe(str(exc))}", file=sys.stderr)
        return 2
    except Usage as exc:
        print(f"warehouse-tui: {safe(str(exc))}", file=sys.stderr)
        return 2
    except InputRejected as exc:
        print(f"warehouse-tui: rejected {safe(str(exc))}; nothing was written", file=sys.stderr)
        return 1
    except Refusal as exc:
        print(f"warehouse-tui: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _reader_gone() -> int:
    """Standard output was closed by its reader (``| head``): stop quietly, as a shell tool
    killed by SIGPIPE would, with nothing left to flush into the closed pipe."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 141  # 128 + SIGPIPE, what a shell reports for such a tool


def run(args: argparse.Namespace, settings: Settings) -> int:
    from warehouse_tui import commands

    name = args.command
    if name not in (None, "operator", "demo", "db"):  # the console checks behind its first screen
        from warehouse_tui.cli_operators import check_operator

        check_operator(settings)  # only `operator add` makes operators
    if name is None:
        return commands.console(settings)
    from warehouse_tui import cli_documents, cli_sync

    handler = cli_documents.COMMANDS.get(name) or cli_sync.COMMANDS.get(name) or getattr(commands, f"cmd_{name}")
    return handler(args, settings)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
