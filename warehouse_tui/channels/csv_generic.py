"""The generic order CSV of the contract: one row per order line, rows with one order_id form an order."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from warehouse_tui.channels.base import Address, ImportedLine, ImportedOrder, InputRejected
from warehouse_tui.workflow.csvfile import MAX_UNITS, parse_int, read_table

REQUIRED = ("order_id", "ship_name", "address1", "city", "postal_code", "country", "sku", "quantity")
OPTIONAL = ("channel", "placed_at", "ship_by", "address2", "region", "phone", "email", "line_id",
            "title", "unit_price", "currency", "priority")
CHANNELS = {"csv", "amazon", "ebay", "etsy", "shopify"}


def parse_time(value: str, path: Path, line: int, column: str) -> datetime | None:
    text = value.strip()
    if not text:
        return None
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise InputRejected(path, f"line {line}", f"{column} {text[:40]!r} is not an ISO 8601 time") from None


class GenericCsvReader:
    name = "csv"

    def sniff(self, path: Path, head: bytes) -> bool:
        first = head.decode("utf-8-sig", errors="replace").splitlines()[:1]
        if not first:
            return False
        cols = {c.strip().strip('"').lower() for c in first[0].split(",")}
        return {"order_id", "sku"} <= cols  # then a missing column is named, not "unknown format"

    def read(self, paths: list[Path]) -> list[ImportedOrder]:
        orders: list[ImportedOrder] = []
        for path in paths:
            orders.extend(self._read_one(Path(path)))
        return orders

    def _read_one(self, path: Path) -> list[ImportedOrder]:
        by_key: dict[tuple[str, str], ImportedOrder] = {}
        for line, r in read_table(path, REQUIRED, OPTIONAL):
            ref = r["order_id"].strip()
            if not ref:
                raise InputRejected(path, f"line {line}", "order_id is empty")
            channel = (r["channel"].strip().lower() or "csv")
            if channel not in CHANNELS:
                raise InputRejected(path, f"line {line}", f"unknown channel {channel!r}")
            sku = r["sku"].strip()
            if not sku:
                raise InputRejected(path, f"line {line}", "sku is empty")
            qty = parse_int(r["quantity"], path, line, "quantity", minimum=1, maximum=MAX_UNITS)
            order = by_key.get((channel, ref))
            if order is None:
                for col in ("ship_name", "address1", "city", "country"):
                    if not r[col].strip():
                        raise InputRejected(path, f"line {line}", f"{col} is empty")
                order = ImportedOrder(
                    channel=channel, ref=ref, display_name=ref,
                    placed_at=parse_time(r["placed_at"], path, line, "placed_at"),
                    ship_by=parse_time(r["ship_by"], path, line, "ship_by"),
                    ship_to=Address(
                        name=r["ship_name"].strip(), address1=r["address1"].strip(),
                        address2=r["address2"].strip(), city=r["city"].strip(),
                        region=r["region"].strip(), postal_code=r["postal_code"].strip(),
                        country=r["country"].strip().upper(), phone=r["phone"].strip(),
                        email=r["email"].strip(),
                    ),
                    buyer_name=r["ship_name"].strip(),
                    priority=parse_int(r["priority"], path, line, "priority") if r["priority"].strip() else 0,
                    source=f"{path}:{line}",
                )
                by_key[(channel, ref)] = order
            line_id = r["line_id"].strip() or str(len(order.lines) + 1)
            if any(existing.line_id == line_id for existing in order.lines):
                raise InputRejected(path, f"line {line}", f"line_id {line_id} appears twice in order {ref}")
            order.lines.append(ImportedLine(
                line_id=line_id, sku=sku, title=r["title"].strip(), quantity=qty,
                unit_price=r["unit_price"].strip() or None, currency=r["currency"].strip() or None,
                source=f"{path}:{line}",
            ))
        return list(by_key.values())


READER = GenericCsvReader()
