"""Reading marketplace files: strict decoding, JSON, CSV tables found by column name, times, money.

Every failure here is an ``InputRejected`` naming the file and the line or record, so that a
file that cannot be read is refused as a whole and the operator knows where to look.
"""

from __future__ import annotations

import csv
import functools
import inspect
import io
import json
import re
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation, localcontext
from pathlib import Path
from typing import Any

from warehouse_tui.channels.base import ImportedOrder, InputRejected

# no order line asks for more units than this: a larger number is a mistake in the file
MAX_UNITS = 100_000

BOM = b"\xef\xbb\xbf"


def read_bytes(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as e:
        raise InputRejected(path, "", f"cannot be read: {e.strerror or e}") from None


def read_head(path: Path, size: int = 65536) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(size)
    except OSError as e:
        raise InputRejected(path, "", f"cannot be read: {e.strerror or e}") from None


def decode(path: Path, data: bytes) -> str:
    """UTF-8 (a BOM allowed), strictly: a bad byte names its line."""
    if data.startswith(BOM):
        data = data[len(BOM):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise InputRejected(
            path, f"line {line}",
            f"not valid UTF-8 (byte 0x{data[e.start]:02x} at column {column}); save the file as UTF-8",
        ) from None
    if not text.strip():
        raise InputRejected(path, "", "the file is empty")
    return text


def head_text(head: bytes) -> str:
    """The first bytes of a file as text, for sniffing only (never strict)."""
    if head.startswith(BOM):
        head = head[len(BOM):]
    return head.decode("utf-8", errors="replace")


def load_json(path: Path) -> Any:
    text = decode(path, read_bytes(path))
    try:
        return json.loads(text)
    except RecursionError:
        raise InputRejected(path, "", "not valid JSON: nested too deeply") from None
    except json.JSONDecodeError as e:
        message = f"not valid JSON: {e.msg}"
        end = len(text.rstrip())
        if e.pos >= end or e.msg.startswith("Unterminated string") or not text.rstrip().endswith(("}", "]")):
            message += " (the file ends early: truncated?)"
        raise InputRejected(path, f"line {e.lineno} column {e.colno}", message) from None
    except ValueError as e:  # a number of thousands of digits
        raise InputRejected(path, "", f"not usable JSON: {str(e)[:80]}") from None


def shaped(fn: Callable) -> Callable:
    """For a reader of one JSON record (a function with ``path`` and ``where`` parameters): a
    record of another shape than the API's (a list or a number where an object belongs) is
    refused naming the file and the record, never a traceback."""
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def read_record(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (AttributeError, TypeError, KeyError, IndexError, ValueError, OverflowError) as e:
            given = signature.bind(*args, **kwargs).arguments
            raise InputRejected(given["path"], given["where"], "not the shape of record this file should hold "
                                f"({type(e).__name__}: {str(e)[:80]})") from None

    return read_record


def json_keys(head: bytes, *keys: str) -> bool:
    """Whether any of these JSON keys appears in the head of a file."""
    text = head_text(head)
    return any(re.search(r'"%s"\s*:' % re.escape(k), text) for k in keys)


def looks_like_json(head: bytes) -> bool:
    return head_text(head).lstrip()[:1] in ("{", "[")


# --- CSV and TSV tables -------------------------------------------------------------------

def column_name(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).lower()


class Table:
    """Rows of a CSV file, with columns looked up by name (case-insensitive, trimmed)."""

    def __init__(self, path: Path, header: list[str], header_line: int, rows: list[tuple[int, list[str]]]):
        self.path = path
        self.header_line = header_line
        self.rows = rows  # (line number where the record starts, cells)
        self.columns: dict[str, int] = {}
        for i, name in enumerate(header):
            name = column_name(name)
            if name and name in self.columns:
                # which of the two would be read is chance: refused
                raise InputRejected(path, f"line {header_line}", f"column {header[i].strip()!r} appears twice "
                                    f"(columns {self.columns[name] + 1} and {i + 1})")
            self.columns[name] = i
        self.width = len(header)

    def has(self, *names: str) -> bool:
        return any(column_name(n) in self.columns for n in names)

    def get(self, row: list[str], *names: str) -> str:
        """The first of these columns that the file has, trimmed ('' when absent)."""
        for n in names:
            i = self.columns.get(column_name(n))
            if i is not None:
                return row[i].strip() if i < len(row) else ""
        return ""

    def require(self, *groups: tuple[str, ...]) -> None:
        missing = [g[0] for g in groups if not self.has(*g)]
        if missing:
            raise InputRejected(self.path, f"line {self.header_line}", "missing columns: " + ", ".join(missing))


def _records(path: Path, text: str, delimiter: str, quoting: int) -> Iterable[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting,
                        strict=quoting != csv.QUOTE_NONE)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise InputRejected(path, f"line {start}", f"not a readable CSV record: {e}") from None
        yield start, row
        start = reader.line_num + 1


def read_table(path: Path, is_header: Callable[[set[str]], bool], *, delimiter: str = ",",
               quoting: int = csv.QUOTE_MINIMAL, preamble: int = 30, what: str = "order",
               cut_check: bool = True) -> Table:
    """A table whose header is the first row that ``is_header`` accepts (preamble lines before
    it, as some marketplaces write, are passed over; so is a ``sep=`` line). A last record cut
    short is refused (``cut_check``; a reader whose files end in footers checks them itself)."""
    text = decode(path, read_bytes(path))
    first = text.split("\n", 1)[0].strip().strip('"')
    if first.lower().startswith("sep=") and len(first) == 5:
        delimiter = first[4]
        text = text.split("\n", 1)[1] if "\n" in text else ""
        offset = 1
    else:
        offset = 0
    header: list[str] | None = None
    header_line = 0
    rows: list[tuple[int, list[str]]] = []
    record: tuple[int, list[str]] | None = None
    for n, (line, row) in enumerate(_records(path, text, delimiter, quoting)):
        line += offset
        record = (line, row)
        if header is None:
            if is_header({column_name(c) for c in row}):
                header, header_line = row, line
            elif n >= preamble:
                break
            continue
        if any(c.strip() for c in row):
            rows.append(record)
    if header is None:
        raise InputRejected(path, "", f"no {what} header row found (is this the right kind of file?)")
    # the file's last record, without its line end and short of fields, was cut off
    if (cut_check and rows and record is rows[-1] and not text.endswith(("\n", "\r"))
            and len(record[1]) < len(header)):
        raise InputRejected(path, f"line {record[0]}", f"the file ends in the middle of this record "
                            f"({len(record[1])} of {len(header)} fields): cut short? download it again")
    return Table(path, header, header_line, rows)


def head_headers(head: bytes, delimiter: str = ",", lines: int = 30) -> list[set[str]]:
    """The column-name sets of the first lines of a file, for sniffing."""
    text = head_text(head)
    out = []
    for raw in text.splitlines()[:lines]:
        try:
            cells = next(csv.reader([raw], delimiter=delimiter))
        except (csv.Error, StopIteration):
            continue
        out.append({column_name(c) for c in cells})
    return out


# --- values -------------------------------------------------------------------------------

def utc_naive(t: datetime) -> datetime:
    return t.astimezone(timezone.utc).replace(tzinfo=None) if t.tzinfo else t


def parse_time(value: Any) -> datetime | None:
    """ISO 8601 with Z, an offset or none (taken as UTC) -> naive UTC; ValueError if not a time."""
    if value is None:
        return None
    s = str(value).strip()
    if not s:
        return None
    iso = s[:-1] + "+00:00" if s[-1] in "Zz" else s
    try:
        return utc_naive(datetime.fromisoformat(iso))
    except (ValueError, OverflowError):
        pass
    for fmt in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z", "%Y-%m-%d %H:%M:%S %Z"):
        try:
            return utc_naive(datetime.strptime(s, fmt))
        except (ValueError, OverflowError):
            continue
    raise ValueError(f"not a date and time: {s[:40]!r}")


def parse_loose(value: str, formats: tuple[str, ...] = ()) -> datetime | None:
    """A date from a report meant for people: ISO 8601 or one of ``formats``; None if neither."""
    try:
        return parse_time(value)
    except ValueError:
        pass
    s = " ".join(value.split())
    # "Aug-02-23 10:12:33 PDT": the zone names of reports are not portable; the date is enough
    s = re.sub(r"\s+[A-Z]{2,5}$", "", s)
    for fmt in formats:
        try:
            return datetime.strptime(s, fmt)
        except ValueError:
            continue
    return None


def report_time(value: str, formats: tuple[str, ...], path: Path, where: str, what: str) -> datetime | None:
    """A date cell of a report: empty is None; a date that is not one (``Febtober-99-26``) is refused."""
    if not value.strip():
        return None
    t = parse_loose(value, formats)
    if t is None:
        raise InputRejected(path, where, f"{what} {value.strip()[:40]!r} is not a date")
    return t


def end_of_day(t: datetime | None, raw: str) -> datetime | None:
    """A ship-by date without a time means by the end of that day."""
    if t is not None and ":" not in raw and t.time() == datetime.min.time():
        return t.replace(hour=23, minute=59, second=59)
    return t


def epoch(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"not a time in epoch seconds: {value!r}")
    try:
        return datetime.fromtimestamp(value, timezone.utc).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"not a time in epoch seconds: {value!r:.40}") from None


def whole(value: Any, what: str, path: Path, where: str) -> int:
    """A count of units (0 or more) from a JSON number or a CSV cell."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, str):
        s = value.strip()
        if re.fullmatch(r"\d{21,}", s):
            raise InputRejected(path, where, f"{what} {s[:12]}… ({len(s)} digits) is more than {MAX_UNITS:,} units")
        value = int(s) if re.fullmatch(r"\d+", s) else (s[:40] or None)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or value < 0:
        raise InputRejected(path, where, f"{what} {value!r:.60} is not a whole number of units")
    if value > MAX_UNITS:
        shown = f"{value:,}" if value < 10**20 else "(a number of 20 digits or more)"
        raise InputRejected(path, where, f"{what} {shown} is more than {MAX_UNITS:,} units")
    return value


def decimal_text(value: Any) -> str | None:
    """Money as decimal text ('199.00'), or None when absent or not a number. Report cells may
    carry a currency ("US $12.99", "£12.99") or a decimal comma ("12,99")."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    s = str(value).strip()
    m = re.search(r"-?\d[\d,.]*", s)
    if not m:
        return None
    number = m.group(0).rstrip(".,")
    if "," in number and "." in number:  # the last of the two separates the decimals
        thousands = "," if number.rfind(",") < number.rfind(".") else "."
        number = number.replace(thousands, "").replace(",", ".")
    elif "," in number:  # "12,99" is a decimal comma, "1,234" a thousands separator
        number = number.replace(",", "." if re.search(r",\d{1,2}$", number) else "")
    try:
        d = Decimal(number)
    except InvalidOperation:
        return None
    return str(d) if d.is_finite() else None


def unit_price(total: str | None, quantity: int) -> str | None:
    """A line's unit price from its total for ``quantity`` units, to the total's precision."""
    if total is None or quantity <= 1:
        return total
    d = Decimal(total)
    exponent = min(d.as_tuple().exponent, 0)
    with localcontext() as ctx:  # a total of more digits than the default precision still divides
        ctx.prec = max(ctx.prec, d.adjusted() + 3 - exponent)
        return str((d / quantity).quantize(Decimal(1).scaleb(exponent)))


def text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def join(*parts: Any, sep: str = ", ") -> str:
    return sep.join(p for p in (text(x) for x in parts) if p)


def hold_without_address(order: ImportedOrder, reason: str = "no shipping address") -> None:
    """An order with something to send and nowhere to send it waits for a person."""
    if order.lines and not order.cancelled and not order.skip_reason and not order.ship_to.address1 \
            and reason not in order.hold_reasons:
        order.hold_reasons.append(reason)


def keep_latest(orders: Iterable[tuple[ImportedOrder, Any]]) -> list[ImportedOrder]:
    """One order per ref: the one with the latest update stamp (the later file on a tie),
    in the place where the ref first appeared; pages and files may overlap."""
    kept: dict[str, tuple[Any, ImportedOrder]] = {}
    for order, stamp in orders:
        old = kept.get(order.ref)
        if old is None or old[0] is None or (stamp is not None and stamp >= old[0]):
            kept[order.ref] = (stamp, order)
    return [o for _, o in kept.values()]
