"""Box types: a standard set in every new warehouse, replaced by the seller's own file."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from warehouse_tui.channels.base import InputRejected
from warehouse_tui.domain.models import BoxType
from warehouse_tui.text import clean
from warehouse_tui.workflow.csvfile import parse_int, read_table

STANDARD_BOXES = [
    ("BOX-MAILER", "padded mailer", 300, 220, 30, 25, 1000),
    ("BOX-S", "small box", 200, 150, 100, 90, 5000),
    ("BOX-M", "medium box", 300, 250, 150, 180, 10000),
    ("BOX-L", "large box", 450, 350, 250, 320, 20000),
    ("BOX-XL", "extra large box", 600, 400, 400, 520, 30000),
]
COLUMNS = ("code", "name", "length_mm", "width_mm", "height_mm", "weight_g")


def add_standard_boxes(s: Session) -> None:
    if s.exec(select(BoxType.id).limit(1)).first() is None:
        for code, name, length, width, height, weight, max_weight in STANDARD_BOXES:
            s.add(BoxType(code=code, name=name, length_mm=length, width_mm=width, height_mm=height,
                          weight_g=weight, max_weight_g=max_weight))


def import_boxes(s: Session, path: Path) -> int:
    """Create or update box types from a CSV: code (BOX-...), name, inner dimensions, empty weight."""
    rows = []
    for line, r in read_table(path, COLUMNS, ("max_weight_g",)):
        r = {k: clean(v) for k, v in r.items()}  # control characters never stored
        code = r["code"].strip().upper()
        if not code.startswith("BOX-") or len(code) < 5:
            raise InputRejected(path, f"line {line}", f"box code {code!r} must start with BOX-")
        nums = {k: parse_int(r[k], path, line, k, minimum=0) for k in COLUMNS[2:]}
        mx = parse_int(r["max_weight_g"], path, line, "max_weight_g", minimum=1) if r["max_weight_g"].strip() else None
        rows.append((code, r["name"].strip(), nums, mx))
    for code, name, nums, mx in rows:
        box = s.exec(select(BoxType).where(BoxType.code == code)).first() or BoxType(code=code)
        box.name, box.max_weight_g = name, mx
        for k, v in nums.items():
            setattr(box, k, v)
        s.add(box)
    return len(rows)
