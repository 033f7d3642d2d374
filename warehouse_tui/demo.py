"""The demo warehouse: products, bins, stock, boxes, operators, and orders from every channel
in every status, made by driving the real station sessions so the data is what a day's work
leaves behind."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from typing import Callable

from biip.checksums import gs1_standard_check_digit
from sqlmodel import select

from warehouse_tui.channels.base import Address, ImportedLine, ImportedOrder
from warehouse_tui.config import Settings
from warehouse_tui.domain.lifecycle import Status
from warehouse_tui.domain.models import Operator, Order, Product
from warehouse_tui.workflow.pins import hash_pin
from warehouse_tui.workflow.boxes import add_standard_boxes
from warehouse_tui.workflow.importing import store_orders
from warehouse_tui.workflow.inventory import StockRow, apply_stock

DEMO_CARRIERS = {"usps": {"mailer_id": "902123456", "service_type_code": "001"},
                 "ups": {"shipper_number": "A1B2C3", "service": "03"}}
DEMO_SHIP_FROM = Address(name="Demo Goods Ltd", address1="1 Dock Road", city="Leeds",
                         postal_code="LS1 1AA", country="GB")

FAMILIES = [
    ("MUG", "enamel mug", ["BLU", "RED", "GRN", "WHT", "BLK"], 350, (120, 100, 100)),
    ("TEE-S", "cotton tee, small", ["BLK", "WHT", "NVY"], 180, (250, 200, 20)),
    ("TEE-M", "cotton tee, medium", ["BLK", "WHT", "NVY"], 200, (260, 210, 20)),
    ("TEE-L", "cotton tee, large", ["BLK", "WHT", "NVY"], 220, (270, 220, 20)),
    ("CANDLE", "soy candle", ["FIG", "CEDAR", "ROSE", "SEA", "AMBER"], 420, (90, 90, 110)),
    ("NOTE", "dot-grid notebook A5", ["KRAFT", "SAGE", "RUST", "INK"], 260, (210, 148, 15)),
    ("SOCK", "merino socks", ["GRY", "MUS", "TEAL"], 80, (200, 100, 20)),
    ("BAG", "canvas tote bag", ["NAT", "BLK"], 150, (380, 360, 10)),
    ("PRINT", "art print A4", ["WAVE", "FERN", "MOON", "CITY"], 60, (300, 220, 5)),
    ("SOAP", "olive oil soap", ["LAV", "MINT", "OAT"], 110, (80, 60, 30)),
    ("KEY", "brass key ring", ["STAR", "LEAF", "HEART"], 30, (60, 30, 5)),
    ("CARD", "greeting card", ["BDAY", "THANKS", "LOVE", "NEWHOME", "SORRY"], 25, (150, 110, 3)),
    ("PLANT", "ceramic planter", ["S", "M", "L"], 900, (160, 160, 140)),
    ("BOTTLE", "steel water bottle", ["BLU", "SLV", "PNK"], 380, (270, 75, 75)),
    ("PEN", "gel pen set", ["BLK", "CLR"], 70, (150, 60, 15)),
    ("SCARF", "wool scarf", ["OAT", "RED", "GRY"], 240, (300, 200, 40)),
    ("PUZZLE", "1000-piece puzzle", ["MAP", "CATS", "SPACE"], 650, (270, 200, 60)),
    ("BOOKEND", "oak bookend pair", ["NAT", "DARK"], 1100, (150, 120, 100)),
    ("APRON", "linen apron", ["NAT", "SAGE", "RUST"], 260, (300, 250, 20)),
    ("LAMP", "mini desk lamp", ["WHT", "BLK", "YEL"], 700, (200, 150, 150)),
    ("BOARD", "acacia cutting board", ["S", "L"], 850, (350, 250, 20)),
    ("JAR", "honey jar 340 g", ["WILD", "HEATH", "LIME"], 480, (80, 80, 100)),
    ("TEA", "loose leaf tea tin", ["EARL", "MINT", "CHAI", "GREEN"], 140, (80, 80, 120)),
]
COLOURS = {"BLU": "blue", "RED": "red", "GRN": "green", "WHT": "white", "BLK": "black", "NVY": "navy",
           "GRY": "grey", "MUS": "mustard", "SLV": "silver", "PNK": "pink", "YEL": "yellow", "NAT": "natural"}

PEOPLE = [
    ("Zoë Ångström-Łukasz", "12 Rue de Rivoli", "", "Paris", "", "75001", "FR"),
    ("Ada Obi", "221 Baker Street", "Flat B", "London", "", "NW1 6XE", "GB"),
    ("Ken Sato", "3-1 Marunouchi", "", "Chiyoda-ku", "Tokyo", "100-0005", "JP"),
    ("María José García", "Calle Mayor 5", "2º izq.", "Madrid", "", "28013", "ES"),
    ("John Doe", "1 Cross St.", "", "Canton", "MI", "48817", "US"),
    ("Priya Natarajan", "48 Elm Avenue", "Apt 3C", "Brooklyn", "NY", "11201", "US"),
    ("Liam O'Connor", "7 Harbour View", "", "Cork", "", "T12 X70A", "IE"),
    ("Sofia Rossi", "Via Roma 10", "", "Milano", "MI", "20121", "IT"),
    ("Jonas Müller", "Hauptstraße 77", "", "Berlin", "", "10115", "DE"),
    ("Chloé Dubois", "5 Place Bellecour", "", "Lyon", "", "69002", "FR"),
    ("Olivia Smith", "500 Market St", "Suite 400", "San Francisco", "CA", "94105", "US"),
    ("Noah Williams", "88 Pine Rd", "", "Austin", "TX", "73301", "US"),
    ("Emma Brown", "14 High Street", "", "Leeds", "", "LS1 4HT", "GB"),
    ("Mateus Silva", "Rua Augusta 200", "", "São Paulo", "SP", "01305-000", "BR"),
    ("Aisha Khan", "9 Queen St W", "", "Toronto", "ON", "M5H 2M9", "CA"),
    ("Oskar Nowak", "ul. Długa 3", "", "Gdańsk", "", "80-827", "PL"),
    ("Grace Lee", "77 Ocean Ave", "", "Santa Monica", "CA", "90402", "US"),
    ("Hamish McLeod", "2 Castle Wynd", "", "Edinburgh", "", "EH1 2NG", "GB"),
    ("[red]x", "1 Markup Lane", "", "Testville", "OH", "43004", "US"),
    ("Chen Wei", "18 Harbour Rd", "", "Wan Chai", "", "", "HK"),
]

OPERATORS = [("alice", "operator"), ("bob", "supervisor")]
# the demo's supervisor and the PIN his overrides take (a real warehouse sets its own)
DEMO_SUPERVISOR, DEMO_PIN = "bob", "1234"


def gtin13(n: int) -> str:
    body = f"501234{n:06d}"
    return body + str(gs1_standard_check_digit(body))


def demo_settings(settings: Settings) -> Settings:
    """The demo prints labels without a config file: two carriers and a ship-from address."""
    if not settings.carriers:
        settings.carriers = {k: dict(v) for k, v in DEMO_CARRIERS.items()}
    if not settings.ship_from.name:
        settings.ship_from = DEMO_SHIP_FROM
    return settings


def _products() -> list[StockRow]:
    rows, n = [], 0
    rng = random.Random(7)
    bins = [f"{aisle}-{bay:02d}-{level:02d}" for aisle in "ABCD" for bay in range(1, 9) for level in range(1, 5)]
    for fam, title, variants, weight, (length, width, height) in FAMILIES:
        for v in variants:
            n += 1
            sku = f"{fam}-{v}"
            name = f"{COLOURS.get(v, v.title())} {title}".capitalize()
            codes = [gtin13(n)]
            if n % 9 == 0:  # a second barcode: the case's GTIN-14
                body = "1" + gtin13(n)[:-1]
                codes.append(body + str(gs1_standard_check_digit(body)))
            places = rng.sample(bins, 2 if n % 4 == 0 else 1)
            for i, b in enumerate(places):
                qty = 0 if (n % 17 == 0 and i == 0) else rng.randint(8, 60)
                rows.append(StockRow(line=len(rows) + 2, sku=sku, title=name, barcodes=codes if i == 0 else [],
                                     bin=b, quantity=qty,
                                     dims={"weight_g": weight, "length_mm": length, "width_mm": width,
                                           "height_mm": height}))
    return rows


def _orders(count: int, skus: list[str], now: datetime) -> list[ImportedOrder]:
    rng = random.Random(42)
    channels = ["amazon", "ebay", "etsy", "shopify", "csv"]
    orders = []
    for i in range(count):
        ch = channels[i % len(channels)]
        person = PEOPLE[rng.randrange(len(PEOPLE))]
        name, a1, a2, city, region, postal, country = person
        if ch == "amazon":
            ref = f"{rng.choice(['112', '113', '114'])}-{rng.randint(1000000, 9999999)}-{rng.randint(1000000, 9999999)}"
            display, extra = ref, {"marketplace_id": "ATVPDKIKX0DER"}
        elif ch == "ebay":
            ref = f"{rng.randint(10, 27)}-{rng.randint(10000, 99999)}-{rng.randint(10000, 99999)}"
            display, extra = ref, {}
        elif ch == "etsy":
            ref = str(rng.randint(2_000_000_000, 3_999_999_999))
            display, extra = ref, {"shop_id": "31415926"}
        elif ch == "shopify":
            ref = str(5_500_000_000_000 + i * 7919)
            display, extra = f"#{1001 + i}", {}
        else:
            ref = f"BAR-{1001 + i}"
            display, extra = ref, {}
        placed = now - timedelta(hours=rng.randint(2, 72))
        ship_by = now + timedelta(hours=rng.randint(-20, 80))
        lines = []
        for j, sku in enumerate(rng.sample(skus, rng.choice([1, 1, 1, 2, 2, 3]))):
            qty = rng.choice([1, 1, 1, 2, 3])
            line_id = {"amazon": f"{rng.randint(10**13, 10**14 - 1)}", "ebay": f"{rng.randint(10**11, 10**12 - 1)}",
                       "etsy": f"{rng.randint(10**9, 10**10 - 1)}", "shopify": f"{13_000_000_000 + i * 100 + j}"}.get(ch, str(j + 1))
            line_extra = {"fulfillment_order_id": str(6_000_000_000 + i),
                          "fulfillment_order_line_item_id": str(14_000_000_000 + i * 100 + j)} if ch == "shopify" else {}
            lines.append(ImportedLine(line_id=line_id, sku=sku, title="", quantity=qty, extra=line_extra))
        orders.append(ImportedOrder(
            channel=ch, ref=ref, display_name=display, placed_at=placed, ship_by=ship_by,
            ship_to=Address(name=name, address1=a1, address2=a2, city=city, region=region, postal_code=postal,
                            country=country),
            buyer_name=name, lines=lines, extra=extra, source="demo",
        ))
    return orders


def seed_demo(db, *, orders: int = 200, progress: Callable[[str], None] = lambda _m: None,
              settings: Settings | None = None, now: datetime | None = None) -> bool:
    """Seed an empty database; a database that has products already is left as it is."""
    with db.session() as s:
        if s.exec(select(Product.id).limit(1)).first() is not None:
            return False
    now = (now or datetime.now(timezone.utc)).replace(minute=0, second=0, microsecond=0)
    progress("demo: products, bins and stock")
    rows = _products()
    with db.write() as s:
        for op, role in OPERATORS:
            s.add(Operator(name=op, role=role, pin_hash=hash_pin(DEMO_PIN) if op == DEMO_SUPERVISOR else None))
        add_standard_boxes(s)
        apply_stock(s, rows, path="demo")
    skus = sorted({r.sku for r in rows})
    progress(f"demo: {orders} orders from amazon, ebay, etsy, shopify and csv")
    batch = _orders(orders, skus, now)
    with db.write() as s:
        store_orders(s, batch, station="DEMO", operator="bob")
    _work(db, settings or Settings(), progress)
    progress("demo: ready")
    return True


def _work(db, settings: Settings, progress: Callable[[str], None]) -> None:
    """A day's work on the imported orders, through the real stations."""
    from warehouse_tui.workflow.stations import open_session
    from warehouse_tui.workflow.supervisor import hold

    settings = demo_settings(settings)

    class Discard:  # the demo's own labels go nowhere; the documents table keeps them
        def send(self, doc):
            return "demo"

    with db.session() as s:
        ready = [o.id for o in s.exec(select(Order).where(Order.status == Status.READY)
                                      .order_by(Order.ship_by))]
    n = len(ready)
    plan = {
        "shipped": ready[: int(n * 0.45)],
        "labeled": ready[int(n * 0.45): int(n * 0.50)],
        "packed": ready[int(n * 0.50): int(n * 0.56)],
        "picked": ready[int(n * 0.56): int(n * 0.64)],
        "short": ready[int(n * 0.64): int(n * 0.67)],
        "picking": ready[int(n * 0.67): int(n * 0.68)],
        "cancelled": ready[int(n * 0.68): int(n * 0.71)],
        "on_hold": ready[int(n * 0.71): int(n * 0.73)],
    }
    pick = open_session("pick", db, settings, station="PICK-2", operator="alice")
    pack = open_session("pack", db, settings, station="PACK-2", operator="alice")
    label = open_session("label", db, settings, station="PACK-2", operator="alice", printer=Discard())
    ret = open_session("returns", db, settings, station="RETURNS-1", operator="bob")
    to_pick = plan["shipped"] + plan["labeled"] + plan["packed"] + plan["picked"]
    progress(f"demo: picking {len(to_pick)} orders")
    for k, oid in enumerate(to_pick):
        _pick(pick, _ref(db, oid), f"TOTE-{k + 1:03d}")
    for oid in plan["short"]:
        fb = pick.handle(_ref(db, oid))
        if fb.expect == "bin":
            pick.handle(fb.bin)
        pick.handle("%SHORT")
        fb = pick.prompt()
        while fb.expect in ("bin", "item"):
            fb = pick.handle(fb.bin if fb.expect == "bin" else fb.sku)
        if fb.expect == "tote":
            pick.handle(f"TOTE-S{oid}")
    progress("demo: packing and labelling")
    for oid in plan["shipped"] + plan["labeled"] + plan["packed"]:
        fb = pack.handle(_ref(db, oid))
        while fb.expect == "item":
            fb = pack.handle(fb.sku)
        pack.handle("%DONE")
    for oid in plan["shipped"] + plan["labeled"]:
        fb = label.handle(_ref(db, oid))
        if oid in plan["shipped"]:
            for number in fb.tracking_numbers or [fb.tracking_number]:
                if number:
                    label.handle(number)
        else:
            label.handle("%CANCEL")
    if plan["picked"]:  # one order half packed at another bench
        bench = open_session("pack", db, settings, station="PACK-3", operator="bob")
        bench.handle(_ref(db, plan["picked"][-1]))
    if plan["picking"]:
        fb = pick.handle(_ref(db, plan["picking"][0]))
        if fb.expect == "bin":
            pick.handle(fb.bin)
    for oid in plan["shipped"][:: max(1, len(plan["shipped"]) // 4)][:4]:
        ret.handle(_ref(db, oid))
        with db.session() as s:
            from warehouse_tui.domain.models import OrderLine

            line = s.exec(select(OrderLine).where(OrderLine.order_id == oid).order_by(OrderLine.id)).first()
        ret.handle(line.sku)
        ret.handle("%RESTOCK" if oid % 2 else "%QUARANTINE")
        ret.handle("%DONE")
    with db.write() as s:
        from warehouse_tui.workflow.inventory import release_reservations
        from warehouse_tui.workflow.orders import move

        for oid in plan["cancelled"]:
            o = s.get(Order, oid)
            release_reservations(s, o)
            move(s, o, Status.CANCELLED, station="DEMO", operator="bob", reason="cancelled on the marketplace")
        for oid in plan["on_hold"]:
            hold(s, s.get(Order, oid), "address to check with the buyer", station="DEMO", operator="bob")
        # a few orders that arrived a moment ago and wait for allocation
        for o in s.exec(select(Order).where(Order.status == Status.READY).order_by(Order.id.desc()).limit(2)):
            release_reservations(s, o)
            o.status = Status.NEW
            s.add(o)


def _ref(db, oid: int) -> str:
    return f"ORD-{oid}"


def _pick(session, ref: str, tote: str) -> None:
    fb = session.handle(ref)
    while fb.ok and fb.expect in ("bin", "item"):
        fb = session.handle(fb.bin if fb.expect == "bin" else fb.sku)
    session.handle(tote)
