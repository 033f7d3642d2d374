"""The inbox: a folder where order files are dropped; each is imported and moved to ``done/``
or ``failed/`` with the reason beside it.

A file is taken once it has stopped growing between two looks, so a file still being copied in
is left alone. Files of one marketplace dropped together are imported together, since some
formats come in pairs (Amazon orders and their items, Etsy's Sold Orders and Sold Order Items).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Callable

from warehouse_tui.channels.base import InputRejected
from warehouse_tui.workflow.importing import import_files


def _free_name(folder: Path, name: str) -> Path:
    target = folder / name
    n = 2
    while target.exists():
        stem, dot, ext = name.partition(".")
        target = folder / f"{stem}-{n}{dot}{ext}"
        n += 1
    return target


def _move(path: Path, folder: Path, note: str) -> Path:
    folder.mkdir(exist_ok=True)
    target = _free_name(folder, path.name)
    shutil.move(str(path), target)
    target.with_name(target.name + ".txt").write_text(note + "\n", encoding="utf-8")
    return target


def _groups(files: list[Path]) -> list[list[Path]]:
    """Files of one channel dropped together go in together (Amazon orders with their items,
    Etsy's two CSVs, Shopify orders with their fulfillment orders); the generic CSV and files
    no reader knows go one by one."""
    from warehouse_tui.channels.registry import detect_channel

    by_channel: dict[str, list[Path]] = {}
    alone = []
    for f in files:
        try:
            channel = detect_channel([f])
        except InputRejected:
            alone.append(f)
            continue
        if channel == "csv":
            alone.append(f)
        else:
            by_channel.setdefault(channel, []).append(f)
    return list(by_channel.values()) + [[f] for f in alone]


def import_ready(db, folder: Path, seen: dict[Path, tuple[int, float]], *, log: Callable[[str], None],
                 settle: bool = True, **who) -> int:
    """Import the files that have settled; returns how many files were handled."""
    ready = []
    for f in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        stat = f.stat()
        sig = (stat.st_size, stat.st_mtime)
        if settle and seen.get(f) != sig:
            seen[f] = sig
            continue
        ready.append(f)
    handled = 0
    for group in _groups(ready):
        names = ", ".join(f.name for f in group)
        try:
            report = import_files(db, group, None, **who)
        except (InputRejected, ValueError) as exc:
            for f in group:
                _move(f, folder / "failed", f"rejected: {exc}; nothing was imported")
            log(f"inbox: {names} failed: {exc}")
        else:
            lines = [report.summary()] + [f"on hold {n}: {r}" for n, r in report.held] + \
                    [f"not queued {n}: {r}" for n, r in report.skipped]
            for f in group:
                _move(f, folder / "done", "\n".join(lines))
            log(f"inbox: {names}: {report.summary()}")
        for f in group:
            seen.pop(f, None)
        handled += len(group)
    return handled


def watch(db, folder: Path, *, once: bool = False, interval: float = 2.0, settings=None,
          log: Callable[[str], None] = print) -> int:
    folder = Path(folder)
    if not folder.is_dir():
        from warehouse_tui.errors import Usage

        raise Usage(f"{folder} is not a folder")
    (folder / "done").mkdir(exist_ok=True)
    (folder / "failed").mkdir(exist_ok=True)
    who = {"station": settings.station if settings else None, "operator": settings.operator if settings else None}
    seen: dict[Path, tuple[int, float]] = {}
    if once:
        import_ready(db, folder, seen, log=log, settle=False, **who)
        return 0
    log(f"inbox: watching {folder} (ctrl+c to stop)")
    while True:
        import_ready(db, folder, seen, log=log, **who)
        time.sleep(interval)
