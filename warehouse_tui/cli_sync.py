"""``warehouse-tui sync [--channel C] [--every SECONDS]``: orders in and tracking out over the
marketplaces' own APIs. Exit 0 when every channel synced; 1 when one could not; 3 when some
parcels could not be confirmed. ``--every`` runs until SIGTERM or ctrl+c (exit 0)."""

from __future__ import annotations

import signal
import sys
import threading

COMMANDS: dict = {}


def add_parsers(sub) -> None:
    from warehouse_tui.cli import action

    x = action(sub, "sync", "orders in and tracking out over the marketplaces' APIs")
    x.add_argument("--channel", choices=("amazon", "ebay", "etsy", "shopify"), help="this channel alone")
    x.add_argument("--every", type=float, metavar="SECONDS", help="keep syncing at this interval until stopped")


class _Stop(BaseException):
    pass


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def cmd_sync(args, settings) -> int:
    from warehouse_tui.db import open_for
    from warehouse_tui.errors import Usage
    from warehouse_tui.sync.channels import configured
    from warehouse_tui.sync.service import exit_status, report, sync_all

    if args.every is not None and args.every <= 0:
        raise Usage("--every must be a positive number of seconds")
    configs = configured(settings, args.channel)
    if not configs:
        raise Usage("no marketplace has credentials: add [channels.amazon], [channels.ebay], [channels.etsy] "
                    "or [channels.shopify] to the config file (see the README)")
    db = open_for(settings)
    clients: dict = {}
    if args.every is None:
        try:
            results = sync_all(db, settings, configs, clients)
        finally:
            for c in clients.values():
                c.close()
        report(results, _out, _err)
        return exit_status(results)

    stop = threading.Event()

    def on_signal(_signum, _frame):
        stop.set()
        raise _Stop

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not stop.is_set():
            results = sync_all(db, settings, configs, clients)
            report(results, _out, _err)
            stop.wait(args.every)
    except _Stop:
        pass
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        for c in clients.values():
            c.close()
    _err("sync stopped")
    return 0


COMMANDS["sync"] = cmd_sync
