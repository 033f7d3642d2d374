"""The warehouse's tables.

Every table is a SQLModel class; the schema itself is made by the Alembic migrations in
``warehouse_tui/migrations``. Keep the SQL portable: plain SQLAlchemy types only, anything
SQLite-specific lives in ``warehouse_tui.db``.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import Column, Index, LargeBinary, Text, UniqueConstraint, false, text
from sqlmodel import Field, SQLModel


FAR_FUTURE = datetime(9999, 12, 31, tzinfo=timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Product(SQLModel, table=True):
    __tablename__ = "products"
    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(index=True, unique=True, max_length=100)
    title: str = Field(default="", sa_column_kwargs={"nullable": False})
    weight_g: int | None = None
    length_mm: int | None = None
    width_mm: int | None = None
    height_mm: int | None = None
    # a lot-tracked product is picked only by a scan that carries its lot (GS1 AI 10)
    lot_tracked: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class Barcode(SQLModel, table=True):
    """A product's barcode, stored normalised (a GTIN as 14 digits)."""

    __tablename__ = "barcodes"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True, max_length=200)
    product_id: int = Field(foreign_key="products.id", index=True)


class Bin(SQLModel, table=True):
    __tablename__ = "bins"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True, max_length=100)
    # walking order: pickers visit bins by ascending sequence
    sequence: int = Field(default=0, index=True)


class Stock(SQLModel, table=True):
    __tablename__ = "stock"
    __table_args__ = (UniqueConstraint("product_id", "bin_id", name="uq_stock_product_bin"),)
    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="products.id", index=True)
    bin_id: int = Field(foreign_key="bins.id", index=True)
    on_hand: int = 0
    reserved: int = 0
    quarantine: int = 0


class Operator(SQLModel, table=True):
    __tablename__ = "operators"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=100)
    role: str = Field(default="operator", max_length=20)  # operator | supervisor
    # "scrypt$n$r$p$salt$hash" (hex): the PIN itself is never stored
    pin_hash: str | None = Field(default=None, max_length=300)
    # wrong PINs in a row, and the end of the lockout they caused
    pin_failures: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    pin_locked_until: datetime | None = None


class Station(SQLModel, table=True):
    """A station and the work it has in hand, so a restarted session resumes."""

    __tablename__ = "stations"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=100)
    mode: str | None = Field(default=None, max_length=20)
    operator: str | None = Field(default=None, max_length=100)
    state: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    updated_at: datetime = Field(default_factory=utcnow)


class Order(SQLModel, table=True):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("channel", "ref", name="uq_orders_channel_ref"),
        Index("ix_orders_status_ship_by", "status", "ship_by"),
        # the queues: priority first, then the earliest ship-by (no ship-by last), then ref
        Index("ix_orders_queue", "status", text("priority DESC"), "due", "ref"),
    )
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    ref: str = Field(index=True, max_length=100)  # the channel's order id
    display_name: str = Field(index=True, max_length=100)
    status: str = Field(default="new", max_length=20)
    held_from: str | None = Field(default=None, max_length=20)
    hold_reason: str | None = Field(default=None, sa_column=Column(Text))
    placed_at: datetime | None = None
    ship_by: datetime | None = Field(default=None, index=True)
    priority: int = 0  # higher first, then earliest ship-by
    # ship_by, or the far future when there is none: the queues sort on it with an index
    due: datetime = Field(default_factory=lambda: FAR_FUTURE)
    ship_name: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    ship_address1: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    ship_address2: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    ship_city: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    ship_region: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    ship_postal_code: str = Field(default="", max_length=40)
    ship_country: str = Field(default="", max_length=10)
    ship_phone: str = Field(default="", max_length=60)
    ship_email: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    buyer_name: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    station: str | None = Field(default=None, index=True, max_length=100)  # who holds it
    tote: str | None = Field(default=None, index=True, max_length=100)
    extra: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class OrderLine(SQLModel, table=True):
    __tablename__ = "order_lines"
    # the orders of a SKU or a product, newest first, from the index alone (search by SKU)
    __table_args__ = (Index("ix_order_lines_sku_order", "sku", "order_id"),
                      Index("ix_order_lines_product_order", "product_id", "order_id"))
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    line_id: str = Field(default="", max_length=100)  # the channel's line id
    sku: str = Field(default="", max_length=100)
    product_id: int | None = Field(default=None, foreign_key="products.id")
    title: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    quantity: int = 1
    picked: int = 0
    short: int = 0
    packed: int = 0
    unit_price: str | None = Field(default=None, max_length=40)
    currency: str | None = Field(default=None, max_length=10)
    extra: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))


class Allocation(SQLModel, table=True):
    """Units of an order line reserved in one bin, and how many were picked from it."""

    __tablename__ = "allocations"
    id: int | None = Field(default=None, primary_key=True)
    order_line_id: int = Field(foreign_key="order_lines.id", index=True)
    bin_id: int = Field(foreign_key="bins.id", index=True)
    quantity: int = 0
    picked: int = 0


class PickedLot(SQLModel, table=True):
    """Units of an order line picked from one lot (GS1 AI 10) and expiry date (AI 17)."""

    __tablename__ = "picked_lots"
    id: int | None = Field(default=None, primary_key=True)
    order_line_id: int = Field(foreign_key="order_lines.id", index=True)
    lot: str | None = Field(default=None, max_length=40)
    expiry: date | None = None
    quantity: int = 0


class Tote(SQLModel, table=True):
    __tablename__ = "totes"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True, max_length=100)
    order_id: int | None = Field(default=None, foreign_key="orders.id", index=True)


class BoxType(SQLModel, table=True):
    __tablename__ = "box_types"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True, max_length=100)  # BOX-...
    name: str = ""
    length_mm: int = 0
    width_mm: int = 0
    height_mm: int = 0
    weight_g: int = 0  # the empty box
    max_weight_g: int | None = None


class Manifest(SQLModel, table=True):
    __tablename__ = "manifests"
    id: int | None = Field(default=None, primary_key=True)
    carrier: str = Field(max_length=40)
    closed_at: datetime = Field(default_factory=utcnow)
    station: str | None = Field(default=None, max_length=100)
    operator: str | None = Field(default=None, max_length=100)


class Parcel(SQLModel, table=True):
    __tablename__ = "parcels"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    seq: int = 1
    # open (being packed) | packed | labeled | verified | void
    status: str = Field(default="open", max_length=20)
    box_code: str | None = Field(default=None, max_length=100)
    weight_g: int | None = None
    weight_source: str | None = Field(default=None, max_length=20)  # scale | computed
    carrier: str | None = Field(default=None, max_length=40)
    service: str | None = Field(default=None, max_length=40)
    tracking_number: str | None = Field(default=None, index=True, unique=True, max_length=60)
    labeled_at: datetime | None = None
    verified_at: datetime | None = None
    confirmed_at: datetime | None = None
    manifest_id: int | None = Field(default=None, foreign_key="manifests.id", index=True)


class ParcelItem(SQLModel, table=True):
    __tablename__ = "parcel_items"
    id: int | None = Field(default=None, primary_key=True)
    parcel_id: int = Field(foreign_key="parcels.id", index=True)
    order_line_id: int = Field(foreign_key="order_lines.id", index=True)
    quantity: int = 0


class ParcelLot(SQLModel, table=True):
    """The lots of a parcel item, so a returned unit can be traced to its lot."""

    __tablename__ = "parcel_lots"
    id: int | None = Field(default=None, primary_key=True)
    parcel_item_id: int = Field(foreign_key="parcel_items.id", index=True)
    lot: str | None = Field(default=None, max_length=40)
    expiry: date | None = None
    quantity: int = 0


class Return(SQLModel, table=True):
    __tablename__ = "returns"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    status: str = Field(default="open", max_length=20)  # open | closed
    station: str | None = Field(default=None, max_length=100)
    operator: str | None = Field(default=None, max_length=100)
    opened_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class ReturnLine(SQLModel, table=True):
    __tablename__ = "return_lines"
    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="returns.id", index=True)
    order_line_id: int = Field(foreign_key="order_lines.id", index=True)
    product_id: int | None = Field(default=None, foreign_key="products.id")
    quantity: int = 1
    disposition: str | None = Field(default=None, max_length=20)  # restock | quarantine | dispose


class Document(SQLModel, table=True):
    """Every document sent to a printer, so it can be printed again."""

    __tablename__ = "documents"
    id: int | None = Field(default=None, primary_key=True)
    station: str | None = Field(default=None, index=True, max_length=100)
    order_id: int | None = Field(default=None, foreign_key="orders.id", index=True)
    parcel_id: int | None = Field(default=None, foreign_key="parcels.id")
    kind: str = Field(max_length=40)  # label | packing_slip | pick_list | manifest | ...
    format: str = Field(max_length=10)  # zpl | pdf | csv
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class Counter(SQLModel, table=True):
    """Sequences shared by all stations (tracking number serials)."""

    __tablename__ = "counters"
    name: str = Field(primary_key=True, max_length=100)
    value: int = 0


class Event(SQLModel, table=True):
    """The append-only ledger: every scan and every change of state."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_station_type_at", "station", "type", "at"),
                      Index("ix_events_operator_type_at", "operator", "type", "at"))
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    order_id: int | None = Field(default=None, foreign_key="orders.id", index=True)
    type: str = Field(max_length=40)  # scan | status | import | stock | print | note | ...
    station: str | None = Field(default=None, max_length=100)
    operator: str | None = Field(default=None, max_length=100)
    scan: str | None = Field(default=None, sa_column=Column(Text))
    ok: bool | None = None
    message: str | None = Field(default=None, sa_column=Column(Text))
    data: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))


class OrderSearch(SQLModel, table=True):
    """The folded names an order is found by: one row for its ship-to and buyer names.

    Kept by SQL triggers on ``orders`` whatever code writes them (see migration 0004);
    indexed by FTS5 (trigram) on SQLite and pg_trgm on PostgreSQL. ``line_id`` is left over
    from before migration 0006 (when each line's title had a row here too) and is always empty.
    """

    __tablename__ = "order_search"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(index=True)
    line_id: int | None = Field(default=None, index=True)
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class SearchText(SQLModel, table=True):
    """A folded line title, once however many lines carry it (most titles are a product's
    listing title, repeated on every order of it): indexed once for parts of words (FTS5
    trigram on SQLite, pg_trgm on PostgreSQL; both outside the models, migration 0006), unique
    by an engine-specific index. A title no line carries any more stays and finds nothing."""

    __tablename__ = "search_texts"
    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(sa_column=Column(Text, nullable=False))


class LineSearch(SQLModel, table=True):
    """Which folded title each order line carries: kept by SQL triggers on ``order_lines``
    (migration 0006), so a search finds the orders of a matching title by a join."""

    __tablename__ = "line_search"
    __table_args__ = (Index("ix_line_search_text_order", "text_id", "order_id"),)
    line_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    order_id: int
    text_id: int


from warehouse_tui.domain import channel_sync  # noqa: E402,F401  (the sync's tables, in the same metadata)
