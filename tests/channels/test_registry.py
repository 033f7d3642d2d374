"""Which channel a file is in, files read together, and files refused as a whole."""

from __future__ import annotations

import pytest

from warehouse_tui.channels import registry
from warehouse_tui.channels.base import InputRejected

from .helpers import DATA

SAMPLES = {
    "amazon": sorted((DATA / "amazon").iterdir()),
    "ebay": sorted((DATA / "ebay").iterdir()),
    "etsy": sorted((DATA / "etsy").iterdir()),
    "shopify": sorted((DATA / "shopify").iterdir()),
}


@pytest.mark.parametrize("channel,path", [(c, p) for c, ps in SAMPLES.items() for p in ps],
                         ids=lambda v: getattr(v, "name", v))
def test_each_format_is_detected_from_its_content(channel, path, tmp_path):
    assert registry.detect_channel([path]) == channel
    renamed = tmp_path / "download.dat"  # the name plays no part
    renamed.write_bytes(path.read_bytes())
    assert registry.detect_channel([renamed]) == channel


def test_the_generic_csv_is_found_last(tmp_path):
    f = tmp_path / "orders.csv"
    f.write_text("order_id,ship_name,address1,city,postal_code,country,sku,quantity\n"
                 "A1,Ann,1 Road,Leeds,LS1 1AA,GB,MUG,1\n", encoding="utf-8")
    assert "csv" in registry.READERS
    assert registry.detect_channel([f]) == "csv"


@pytest.mark.parametrize("channel", sorted(SAMPLES))
def test_all_files_of_a_channel_are_read_at_once(channel):
    orders = registry.read_orders(SAMPLES[channel])
    assert orders and all(o.channel == channel for o in orders)
    assert registry.read_orders(SAMPLES[channel]) == orders
    assert registry.read_orders(SAMPLES[channel], channel) == orders


def test_files_of_different_channels_are_refused_together():
    ebay_file = SAMPLES["ebay"][0]
    with pytest.raises(InputRejected) as e:
        registry.read_orders([SAMPLES["amazon"][0], ebay_file])
    assert e.value.path == str(ebay_file) and "ebay" in e.value.message and "amazon" in e.value.message


def test_a_file_no_reader_takes_is_refused(tmp_path):
    f = tmp_path / "notes.txt"
    f.write_text("pick the blue mugs first\n", encoding="utf-8")
    with pytest.raises(InputRejected) as e:
        registry.read_orders([f])
    assert e.value.path == str(f) and "not an order file" in e.value.message


def test_a_file_of_another_channel_than_asked_is_refused():
    with pytest.raises(InputRejected) as e:
        registry.read_orders([DATA / "etsy" / "getShopReceipts.json"], "ebay")
    assert "not a ebay order file" in e.value.message


def test_an_unknown_channel_is_a_usage_error():
    with pytest.raises(ValueError):
        registry.read_orders([DATA / "etsy" / "getShopReceipts.json"], "walmart")


def test_an_empty_file_is_refused(tmp_path):
    f = tmp_path / "empty.json"
    f.write_bytes(b"")
    with pytest.raises(InputRejected) as e:
        registry.read_orders([f])
    assert "empty" in e.value.message


JSON_SAMPLES = [p for ps in SAMPLES.values() for p in ps if p.suffix == ".json"]
TABLE_SAMPLES = [p for ps in SAMPLES.values() for p in ps if p.suffix in (".csv", ".txt")]


@pytest.mark.parametrize("path", JSON_SAMPLES, ids=lambda p: p.name)
def test_truncated_json_is_refused_naming_where_it_broke(path, tmp_path):
    data = path.read_bytes()
    f = tmp_path / path.name
    f.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(InputRejected) as e:
        registry.read_orders([f])
    assert e.value.path == str(f)
    assert e.value.where.startswith("line ") and " column " in e.value.where
    assert "truncated" in e.value.message


@pytest.mark.parametrize("path", TABLE_SAMPLES + JSON_SAMPLES, ids=lambda p: p.name)
def test_broken_encoding_is_refused_naming_its_line(path, tmp_path):
    lines = path.read_bytes().split(b"\n")
    k = min(3, len(lines) - 2)
    lines[k] = lines[k] + b"\xff\xfe"
    f = tmp_path / path.name
    f.write_bytes(b"\n".join(lines))
    with pytest.raises(InputRejected) as e:
        registry.read_orders([f])
    assert e.value.where == f"line {k + 1}" and "UTF-8" in e.value.message


def test_latin_1_is_not_guessed(tmp_path):
    f = tmp_path / "report.csv"
    text = (DATA / "ebay" / "seller_hub_orders.csv").read_text(encoding="utf-8-sig")
    f.write_bytes(text.encode("latin-1", errors="replace"))
    with pytest.raises(InputRejected) as e:
        registry.read_orders([f])
    assert e.value.where == "line 4"  # Renée, in the first order's summary row


def test_json_of_the_wrong_shape_is_refused(tmp_path):
    f = tmp_path / "orders.json"
    f.write_text('{"payload": {"AmazonOrderId": "1", "Something": []}}', encoding="utf-8")
    with pytest.raises(InputRejected) as e:
        registry.read_orders([f])
    assert e.value.where == "record 1"


def test_a_csv_with_a_broken_quote_names_its_line(tmp_path):
    f = tmp_path / "report.csv"
    text = (DATA / "shopify" / "orders_export.csv").read_text(encoding="utf-8")
    f.write_text(text.replace("Enamel mug - red", 'Enamel "mug" - red').replace(',Enamel "mug"', ',"Enamel "mug"'),
                 encoding="utf-8")
    with pytest.raises(InputRejected) as e:
        registry.read_orders([f])
    assert e.value.where.startswith("line ")


def test_the_message_names_file_and_place():
    e = InputRejected("orders.json", "line 3 column 9", "not valid JSON")
    assert str(e) == "orders.json: line 3 column 9: not valid JSON"
