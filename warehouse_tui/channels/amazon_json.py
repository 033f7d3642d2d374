"""Amazon SP-API JSON: getOrders, getOrder, getOrderItems, getOrderAddress, getOrderBuyerInfo
responses of Orders v0 (alone, in a list of pages, or orders with their items embedded), and
searchOrders / getOrder of Orders 2026-01-01, whose orders carry their items.

getOrders answers carry no items: they are matched with getOrderItems answers by AmazonOrderId
across all the files given at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warehouse_tui.channels import amazon_status as status
from warehouse_tui.channels._common import decimal_text, join, parse_time, shaped, text, unit_price, whole
from warehouse_tui.channels.base import Address, ImportedLine, ImportedOrder, InputRejected


@dataclass
class Seen:
    """An order as a file gives it, before its items are matched."""

    order: ImportedOrder
    stamp: Any  # when Amazon last changed it: the latest of several copies wins
    path: Path
    where: str
    embedded: list | None = None  # items given inside the order
    done: bool = False  # complete already (Orders 2026-01-01 orders carry their items)


@dataclass
class Found:
    """What the files hold, by AmazonOrderId."""

    orders: list[Seen] = field(default_factory=list)
    items: dict[str, list[tuple[Any, Path, str]]] = field(default_factory=dict)
    addresses: dict[str, dict] = field(default_factory=dict)
    buyers: dict[str, dict] = field(default_factory=dict)


def collect(path: Path, doc: Any, found: Found) -> None:
    docs = doc if isinstance(doc, list) else [doc]
    for n, d in enumerate(docs, start=1):
        where = f"record {n}" if isinstance(doc, list) else "record 1"
        if not isinstance(d, dict):
            raise InputRejected(path, where, "not an SP-API response object")
        _one(path, d, where, found)


@shaped
def _one(path: Path, d: dict, where: str, found: Found) -> None:
    if not d.get("payload") and d.get("errors"):
        raise InputRejected(path, where, f"the response holds errors, not orders: {_errors(d['errors'])}")
    p = d.get("payload", d)
    if not isinstance(p, dict):
        raise InputRejected(path, where, "payload is not an object")
    if isinstance(p.get("Orders"), list):
        for i, o in enumerate(p["Orders"]):
            _order(path, o, f"{where}, Orders[{i}]", found)
    elif isinstance(p.get("OrderItems"), list):
        ref = _ref(path, p.get("AmazonOrderId"), where)
        for i, item in enumerate(p["OrderItems"]):
            found.items.setdefault(ref, []).append((item, path, f"{where}, OrderItems[{i}]"))
    elif "OrderStatus" in p or "PurchaseDate" in p:
        _order(path, p, where, found)
    elif "ShippingAddress" in p:
        a = p["ShippingAddress"]
        found.addresses[_ref(path, p.get("AmazonOrderId"), where)] = a if isinstance(a, dict) else {}
    elif "BuyerEmail" in p or "BuyerName" in p:
        found.buyers[_ref(path, p.get("AmazonOrderId"), where)] = p
    elif isinstance(d.get("orders"), list):
        for i, o in enumerate(d["orders"]):
            _order_2026(path, o, f"{where}, orders[{i}]", found)
    elif isinstance(d.get("order"), dict):
        _order_2026(path, d["order"], f"{where}, order", found)
    elif "orderId" in d and "orderItems" in d:
        _order_2026(path, d, where, found)
    else:
        raise InputRejected(path, where, "not a getOrders, getOrderItems or searchOrders response")


def _errors(errors: Any) -> str:
    if isinstance(errors, list):
        return "; ".join(f"{text(e.get('code'))} {text(e.get('message'))}".strip()
                         for e in errors if isinstance(e, dict)) or "unknown"
    return text(errors)


def _ref(path: Path, value: Any, where: str) -> str:
    ref = text(value)
    if not ref:
        raise InputRejected(path, where, "AmazonOrderId is missing")
    return ref


def _time(path: Path, value: Any, where: str, what: str):
    try:
        return parse_time(value)
    except ValueError as e:
        raise InputRejected(path, where, f"{what}: {e}") from None


def _order(path: Path, o: Any, where: str, found: Found) -> None:
    if not isinstance(o, dict):
        raise InputRejected(path, where, "an order is not an object")
    ref = _ref(path, o.get("AmazonOrderId"), where)
    where = f"{where} ({ref})"
    a = o.get("ShippingAddress") or {}
    buyer = o.get("BuyerInfo") or {}
    order = ImportedOrder(
        channel="amazon", ref=ref, display_name=ref,
        placed_at=_time(path, o.get("PurchaseDate"), where, "PurchaseDate"),
        ship_by=_time(path, o.get("LatestShipDate"), where, "LatestShipDate"),
        ship_to=address_v0(a, buyer.get("BuyerEmail")),
        buyer_name=text(buyer.get("BuyerName")),
        extra={k: v for k, v in (("format", "sp-api-orders-v0"), ("marketplace_id", text(o.get("MarketplaceId"))),
                                 ("fulfillment_channel", text(o.get("FulfillmentChannel")) or "MFN"),
                                 ("order_status", text(o.get("OrderStatus")))) if v},
        source=f"{path.name}:{where}",
    )
    status.apply_v0(order, o)
    embedded = o.get("OrderItems") if isinstance(o.get("OrderItems"), list) else None
    stamp = _time(path, o.get("LastUpdateDate"), where, "LastUpdateDate")
    found.orders.append(Seen(order, stamp, path, where, embedded))


def address_v0(a: dict, email: Any = None) -> Address:
    return Address(
        name=text(a.get("Name")), address1=text(a.get("AddressLine1")),
        address2=join(a.get("AddressLine2"), a.get("AddressLine3")),
        city=text(a.get("City")), region=text(a.get("StateOrRegion")),
        postal_code=text(a.get("PostalCode")), country=text(a.get("CountryCode")).upper(),
        phone=text(a.get("Phone")), email=text(email),
    )


def lines_v0(entries: list[tuple[Any, Path, str]]) -> tuple[list[ImportedLine], bool]:
    """The lines still to ship (an item given twice, as overlapping pages do, counts once) and
    whether the buyer asked to cancel."""
    by_id: dict[str, ImportedLine | None] = {}
    asked = False
    for item, path, where in entries:
        line, cancel = line_v0(path, item, where)
        asked = asked or cancel
        by_id[text(item.get("OrderItemId"))] = line
    return [ln for ln in by_id.values() if ln is not None], asked


def merge_address(order: ImportedOrder, found: Found) -> None:
    """Restricted data fetched apart (getOrderAddress, getOrderBuyerInfo) fills the order in."""
    a = found.addresses.get(order.ref)
    if a and text(a.get("AddressLine1")):
        order.ship_to = address_v0(a, order.ship_to.email)
    b = found.buyers.get(order.ref)
    if b:
        order.buyer_name = order.buyer_name or text(b.get("BuyerName"))
        order.ship_to.email = order.ship_to.email or text(b.get("BuyerEmail"))


@shaped
def line_v0(path: Path, item: Any, where: str) -> tuple[ImportedLine | None, bool]:
    """The line still to ship (None when nothing is left) and whether the buyer asked to cancel."""
    if not isinstance(item, dict):
        raise InputRejected(path, where, "an order item is not an object")
    item_id = text(item.get("OrderItemId"))
    if not item_id:
        raise InputRejected(path, where, "OrderItemId is missing")
    where = f"{where} ({item_id})"
    ordered = whole(item.get("QuantityOrdered"), "QuantityOrdered", path, where)
    shipped = whole(item.get("QuantityShipped") or 0, "QuantityShipped", path, where)
    asked = text((item.get("BuyerRequestedCancel") or {}).get("IsBuyerRequestedCancel")).lower() == "true"
    left = ordered - shipped
    if left <= 0:
        return None, asked
    price = item.get("ItemPrice") or {}
    # ItemPrice is the price of the item times the quantity ordered
    line = ImportedLine(
        line_id=item_id, sku=text(item.get("SellerSKU")), title=text(item.get("Title")), quantity=left,
        unit_price=unit_price(decimal_text(price.get("Amount")), ordered),
        currency=text(price.get("CurrencyCode")) or None,
        extra={"asin": text(item.get("ASIN"))} if item.get("ASIN") else {},
    )
    return line, asked


def _order_2026(path: Path, o: Any, where: str, found: Found) -> None:
    if not isinstance(o, dict):
        raise InputRejected(path, where, "an order is not an object")
    ref = text(o.get("orderId"))
    if not ref:
        raise InputRejected(path, where, "orderId is missing")
    where = f"{where} ({ref})"
    f = o.get("fulfillment") or {}
    a = (o.get("recipient") or {}).get("deliveryAddress") or {}
    buyer = o.get("buyer") or {}
    channel = o.get("salesChannel") or {}
    order = ImportedOrder(
        channel="amazon", ref=ref, display_name=ref,
        placed_at=_time(path, o.get("createdTime"), where, "createdTime"),
        ship_by=_time(path, (f.get("shipByWindow") or {}).get("latestDateTime"), where, "shipByWindow"),
        ship_to=Address(
            name=text(a.get("name")), address1=text(a.get("addressLine1")),
            address2=join(a.get("addressLine2"), a.get("addressLine3")),
            city=text(a.get("city")), region=text(a.get("stateOrRegion")),
            postal_code=text(a.get("postalCode")), country=text(a.get("countryCode")).upper(),
            phone=text(a.get("phone")), email=text(buyer.get("buyerEmail")),
        ),
        buyer_name=text(buyer.get("buyerName")),
        extra={k: v for k, v in (("format", "sp-api-orders-2026"),
                                 ("marketplace_id", text(channel.get("marketplaceId"))),
                                 ("fulfillment_channel", "AFN" if text(f.get("fulfilledBy")).upper() == "AMAZON"
                                  else "MFN"),
                                 ("order_status", text(f.get("fulfillmentStatus")))) if v},
        source=f"{path.name}:{where}",
    )
    status.apply_2026(order, f)
    lines, asked = [], False
    for i, item in enumerate(o.get("orderItems") or []):
        line, cancel = _line_2026(path, item, f"{where}, orderItems[{i}]")
        asked = asked or cancel
        if line:
            lines.append(line)
    status.finish(order, lines, asked, items_given=True)
    stamp = _time(path, o.get("lastUpdatedTime"), where, "lastUpdatedTime")
    found.orders.append(Seen(order, stamp, path, where, done=True))


def _line_2026(path: Path, item: Any, where: str) -> tuple[ImportedLine | None, bool]:
    if not isinstance(item, dict):
        raise InputRejected(path, where, "an order item is not an object")
    item_id = text(item.get("orderItemId"))
    if not item_id:
        raise InputRejected(path, where, "orderItemId is missing")
    where = f"{where} ({item_id})"
    ordered = whole(item.get("quantityOrdered"), "quantityOrdered", path, where)
    f = item.get("fulfillment") or {}
    if f.get("quantityUnfulfilled") is not None:
        left = whole(f["quantityUnfulfilled"], "quantityUnfulfilled", path, where)
    else:
        left = ordered - whole(f.get("quantityFulfilled") or 0, "quantityFulfilled", path, where)
    c = item.get("cancellation") or {}
    asked = bool(c.get("cancellationRequest")) and not c.get("cancellationExecution")
    if left <= 0:
        return None, asked
    product = item.get("product") or {}
    price = (product.get("price") or {}).get("unitPrice") or {}
    line = ImportedLine(
        line_id=item_id, sku=text(product.get("sellerSku")), title=text(product.get("title")),
        quantity=left, unit_price=decimal_text(price.get("amount")),
        currency=text(price.get("currencyCode")) or None,
        extra={"asin": text(product.get("asin"))} if product.get("asin") else {},
    )
    return line, asked
