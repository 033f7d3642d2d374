"""Timings as figures: p50, p99 and max beside a floor, and the report's tables."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path


def pct(ms: list[float], p: float) -> float:
    s = sorted(ms)
    return s[min(len(s) - 1, max(0, int(round(p / 100 * len(s))) - 1))]


@dataclass
class Figure:
    name: str
    p50: float | None
    p99: float | None
    max: float | None
    floor: float | None = None  # the floor's p50, same unit
    floor_name: str = ""
    target: str = ""
    met: bool | None = None
    unit: str = "ms"
    n: int = 0

    @classmethod
    def of(cls, name: str, ms: list[float], floor: list[float] | None = None, floor_name: str = "",
           target_p99: float | None = None, target: str = "") -> Figure:
        p99 = pct(ms, 99)
        return cls(name, pct(ms, 50), p99, max(ms), pct(floor, 50) if floor else None, floor_name,
                   target or (f"p99 < {target_p99:g} ms" if target_p99 else ""),
                   (p99 < target_p99) if target_p99 else None, n=len(ms))

    @classmethod
    def single(cls, name: str, value: float, unit: str, floor: float | None = None, floor_name: str = "",
               target: str = "", met: bool | None = None) -> Figure:
        return cls(name, value, None, None, floor, floor_name, target, met, unit, 1)

    @property
    def ratio(self) -> float | None:
        if self.floor and self.p50 is not None:
            return self.p50 / self.floor
        return None

    def line(self) -> str:
        def f(v):
            if v is None:
                return ""
            if self.unit != "ms":
                return f"{v:,.0f}"
            return f"{v:.3f}" if v < 1 else f"{v:,.2f}"

        floor = f"{f(self.floor)} ({self.floor_name})" if self.floor is not None else ""
        ratio = f"{self.ratio:.1f}x" if self.ratio is not None else ""
        met = {True: "yes", False: "**no**", None: ""}[self.met]
        name = self.name if self.unit == "ms" else f"{self.name} [{self.unit}]"
        return f"| {name} | {f(self.p50)} | {f(self.p99)} | {f(self.max)} | {floor} | {ratio} | {self.target} | {met} |"


class Timer:
    def __init__(self, runs: int):
        self.runs = runs

    def time(self, fn, runs: int | None = None, setup=None) -> list[float]:
        """Milliseconds of each call of ``fn``; ``setup`` (untimed) runs before each."""
        out = []
        for i in range(runs or self.runs):
            arg = setup(i) if setup else None
            t = time.perf_counter()
            fn(arg) if setup else fn()
            out.append((time.perf_counter() - t) * 1000)
        return out


def write_report(path: Path, db, figures: list[Figure], size: dict, runs: int, note: str = "") -> None:
    engine = "SQLite" if db.is_sqlite else "PostgreSQL"
    head = (f"## {engine}\n\n{note}{size['orders']:,} orders, {size['lines']:,} lines, {size['products']:,} products, "
            f"{size['bins']:,} bins; {runs:,} runs of each figure; "
            f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC. Times in ms; ratio = p50 / floor p50.\n\n"
            "| figure | p50 | p99 | max | floor (p50) | ratio | target | met? |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n")
    table = head + "\n".join(fig.line() for fig in figures) + "\n"
    print(table)
    text = path.read_text(encoding="utf-8") if path.exists() else (
        "# Benchmarks\n\nWritten by `benchmarks/run.py` (see the README's speed section). "
        "Each figure beside its floor measured in the same run.\n\n")
    # keep the other engine's table; replace this engine's
    pattern = re.compile(rf"## {engine}\n.*?(?=\n## |\Z)", re.S)
    text = pattern.sub(lambda m: table, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + table
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
