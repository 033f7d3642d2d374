"""The benchmark: every figure of issue 9 beside its floor, on SQLite or PostgreSQL.

    .venv/bin/python benchmarks/run.py                      # 1,000,000 orders, docs/benchmarks.md
    .venv/bin/python benchmarks/run.py --quick --out /tmp/bench.md
    .venv/bin/python benchmarks/run.py --db postgresql://postgres@127.0.0.1:55432/bench_1m

Generates the warehouse through the import users take (benchmarks/warehouse.py), then measures
each figure as p50, p99 and max over ``--runs`` runs, each beside its floor measured in the same
run, and writes one table per engine into the output file (the other engine's table is kept).
It measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from figures import Figure, Timer, write_report  # noqa: E402
from warehouse import generate  # noqa: E402

FULL = dict(orders=1_000_000, lines=3_000_000, products=50_000, bins=20_000)
QUICK = dict(orders=500, lines=1_500, products=200, bins=100)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="an SQLAlchemy URL (PostgreSQL: an empty database) or an SQLite path; "
                                 "default: a new SQLite file in a temporary folder")
    ap.add_argument("--quick", action="store_true", help="a small warehouse and fewer runs (CI)")
    ap.add_argument("--orders", type=int)
    ap.add_argument("--runs", type=int, help="runs of each figure (default 1,000; --quick 100)")
    ap.add_argument("--reuse", action="store_true", help="the database already holds the warehouse "
                    "(generated with --work DIR: its import figure is read from DIR/generated.json)")
    ap.add_argument("--generate-only", action="store_true", help="generate the warehouse, measure nothing")
    ap.add_argument("--work", type=Path, help="folder of the generated files and labels (default: a new temporary one)")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md")
    args = ap.parse_args(argv)
    size = dict(QUICK if args.quick else FULL)
    if args.orders:
        size.update(orders=args.orders, lines=args.orders * 3)
    runs = args.runs or (50 if args.quick else 1000)
    work = args.work or Path(tempfile.mkdtemp(prefix="warehouse-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    db = args.db or str(work / "warehouse.db")
    print(f"benchmark database: {db}", flush=True)
    record = work / "generated.json"
    if not args.reuse:
        took = generate(db, work, **size)
        record.write_text(json.dumps(dict(size=size, seconds=took, load=os.getloadavg(),
                                          at=f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")))
        if args.generate_only:
            print(f"generated; measure with --reuse --work {work} --db {db}")
            return 0
    figures: list[Figure] = []
    if record.exists():
        made = json.loads(record.read_text())
        size = made["size"]
        lines_per_s = size["lines"] / made["seconds"]["import"]
        when = f" (when generated, {made['at']})" if args.reuse else ""
        figures.append(Figure.single(f"import, generic CSV, `warehouse-tui import`{when}", lines_per_s,
                                     unit="lines/s", target=">= 50,000 lines/s", met=lines_per_s >= 50_000))
    from scans import scan_figures
    from console import console_figures
    from reads import read_figures

    timer = Timer(runs)
    figures += scan_figures(db, work, timer, size)
    figures += read_figures(db, timer, size)
    figures += console_figures(db, work, timer, quick=args.quick)
    from warehouse_tui.db import open_database

    engine = open_database(db, migrate=False)
    note = "**A quick run (`--quick`): a small warehouse, few runs; not the figures of the targets.** " \
        if args.quick else ""
    write_report(args.out, engine, figures, size, runs, note)
    engine.dispose()
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
