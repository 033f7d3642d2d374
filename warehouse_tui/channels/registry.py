"""Which reader takes a file, and which writer a channel's confirmations.

Files are read all at once because they belong together: Amazon getOrders answers are matched
with getOrderItems answers, Etsy Sold Orders with Sold Order Items, Shopify orders with their
fulfillment orders.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from warehouse_tui.channels import amazon, ebay, etsy, shopify
from warehouse_tui.channels._common import read_head
from warehouse_tui.channels.base import ChannelReader, ImportedOrder, InputRejected, ShipmentConfirmation

MARKETPLACES: dict[str, ChannelReader] = {r.name: r for r in (amazon.READER, ebay.READER, etsy.READER,
                                                               shopify.READER)}


class _Readers(Mapping):
    """The marketplace readers, then the generic CSV reader, imported when first asked for."""

    def _all(self) -> dict[str, ChannelReader]:
        readers = dict(MARKETPLACES)
        try:
            from warehouse_tui.channels.csv_generic import READER as csv_reader
        except ImportError:
            return readers
        readers[csv_reader.name] = csv_reader
        return readers

    def __getitem__(self, name: str) -> ChannelReader:
        return self._all()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


READERS: Mapping[str, ChannelReader] = _Readers()

WRITERS: dict[str, Callable[..., str]] = {
    "amazon": amazon.write_confirmations,
    "ebay": ebay.write_confirmations,
    "etsy": etsy.write_confirmations,
    "shopify": shopify.write_confirmations,
}


def reader(channel: str) -> ChannelReader:
    try:
        return READERS[channel.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown channel {channel!r} (known: {', '.join(READERS)})") from None


def _claimant(path: Path) -> str | None:
    head = read_head(path)
    if not head.strip():
        raise InputRejected(path, "", "the file is empty")
    for name, r in READERS.items():  # marketplaces first: the generic CSV is the fallback
        if r.sniff(path, head):
            return name
    return None


def detect_channel(paths: list[Path]) -> str:
    """The one channel all these files are in; InputRejected naming a file no reader takes, or
    the first file of another channel than the files before it."""
    if not paths:
        raise ValueError("no files given")
    first: tuple[str, Path] | None = None
    for path in map(Path, paths):
        name = _claimant(path)
        if name is None:
            raise InputRejected(path, "", "not an order file of a known kind (Amazon, eBay, Etsy, Shopify "
                                          "or the generic order CSV)")
        if first is None:
            first = (name, path)
        elif name != first[0]:
            raise InputRejected(path, "", f"a {name} file, but {first[1].name} is {first[0]}: "
                                          "import each channel's files apart")
    return first[0]


def read_orders(paths: list[Path], channel: str | None = None) -> list[ImportedOrder]:
    """All the orders in these files; with ``channel`` given, each file must be of that channel."""
    paths = [Path(p) for p in paths]
    if channel is None:
        channel = detect_channel(paths)
    r = reader(channel)
    for path in paths:
        head = read_head(path)
        if not head.strip():
            raise InputRejected(path, "", "the file is empty")
        if not r.sniff(path, head):
            raise InputRejected(path, "", f"not a {r.name} order file in any format this reader knows")
    return r.read(paths)


def write_confirmations(channel: str, shipments: list[ShipmentConfirmation], fmt: str | None = None,
                        **options) -> str:
    """The confirmation file's text. Options (a channel takes those it knows): etsy ``shop_id``,
    ``send_bcc``; shopify ``notify_customer``. Raises ``confirm.CannotConfirm`` (a ValueError)
    naming a parcel that cannot be confirmed; nothing is written then."""
    try:
        writer = WRITERS[channel.strip().lower()]
    except KeyError:
        raise ValueError(f"no confirmations for channel {channel!r} (known: {', '.join(WRITERS)})") from None
    known = inspect.signature(writer).parameters
    return writer(shipments, fmt, **{k: v for k, v in options.items() if k in known and v is not None})
