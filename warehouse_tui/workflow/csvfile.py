"""Reading the CSV files people make by hand: strict, and every error names its line."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterator

from warehouse_tui.channels.base import InputRejected

# an INTEGER column holds no more (PostgreSQL's is 32 bits)
INT_MAX = 2**31 - 1
# no order line asks for more units than this: a larger number is a mistake in the file
MAX_UNITS = 100_000


def decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputRejected(path, "", exc.strerror or str(exc)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputRejected(path, f"line {line}", f"not valid UTF-8 (byte 0x{data[exc.start]:02x})") from None


def read_table(path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows as dicts keyed by lower-cased header names, with their line numbers."""
    text = decode(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputRejected(path, "line 1", "the file is empty") from None
    except csv.Error as exc:
        raise InputRejected(path, "line 1", str(exc)) from None
    names = [h.strip().lower() for h in header]
    check_header(path, "line 1", names)
    missing = [c for c in required if c not in names]
    if missing:
        raise InputRejected(path, "line 1", f"missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}")
    index = {n: i for i, n in enumerate(names) if n}
    # a last record without its line end, and short of fields, was cut off in the middle
    last = None if text.endswith(("\n", "\r")) else text.count("\n") + 1
    end = reader.line_num
    try:
        for row in reader:
            # a record's line is where it starts (a quoted cell may hold line breaks)
            line, end = end + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if end == last and len(row) < len(names):
                raise InputRejected(path, f"line {line}", f"the file ends in the middle of this record "
                                    f"({len(row)} of {len(names)} fields): cut short? save it again")
            if len(row) > len(names) and any(c.strip() for c in row[len(names):]):
                raise InputRejected(path, f"line {line}", f"{len(row)} fields, the header has {len(names)}")
            rec = {n: (row[i] if i < len(row) else "") for n, i in index.items()}
            for c in required:
                rec.setdefault(c, "")
            for c in optional:
                rec.setdefault(c, "")
            yield line, rec
    except csv.Error as exc:
        raise InputRejected(path, f"line {reader.line_num}", str(exc)) from None


def check_header(path: Path, where: str, names: list[str]) -> None:
    """A column named twice would leave it to chance which one is read: refused."""
    seen: dict[str, int] = {}
    for i, name in enumerate(names, start=1):
        if not name:
            continue
        if name in seen:
            raise InputRejected(path, where, f"column {name!r} appears twice (columns {seen[name]} and {i})")
        seen[name] = i


def parse_int(value: str, path: Path, line: int, column: str, minimum: int | None = None,
              maximum: int = INT_MAX) -> int:
    text = value.strip()
    if len(text) > 20:
        raise InputRejected(path, f"line {line}", f"{column} {text[:20]!r}… is not a whole number in range")
    try:
        n = int(text)
    except ValueError:
        raise InputRejected(path, f"line {line}", f"{column} {text!r} is not a whole number") from None
    if minimum is not None and n < minimum:
        raise InputRejected(path, f"line {line}", f"{column} {n} is below {minimum}")
    if n > maximum:
        raise InputRejected(path, f"line {line}", f"{column} {n} is more than {maximum:,}")
    if n < -INT_MAX:
        raise InputRejected(path, f"line {line}", f"{column} {n} is out of range")
    return n
