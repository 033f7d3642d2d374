"""Bad files are refused whole, with one line naming the file and the line or record: a
duplicate header, numbers out of range, impossible dates, files cut short."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.channels.helpers import DATA
from warehouse_tui.channels import registry
from warehouse_tui.channels.base import InputRejected
from warehouse_tui.workflow.inventory import read_stock_file

GENERIC = ("order_id,ship_name,address1,city,postal_code,country,sku,quantity\n"
           "A-1,Ann,1 Road,Leeds,LS1,GB,MUG-BLU,1\n"
           "A-2,Bob,2 Road,Leeds,LS1,GB,MUG-BLU,2\n")
STOCK = "sku,title,barcode,bin,quantity\nMUG-BLU,Blue mug,5012345678900,A-01-03,10\n"


def refused(paths, channel=None) -> InputRejected:
    paths = paths if isinstance(paths, list) else [paths]
    with pytest.raises(InputRejected) as info:
        registry.read_orders(paths, channel)
    message = str(info.value)
    assert "\n" not in message and str(info.value.path) in message
    return info.value


def copy(tmp_path: Path, name: str) -> Path:
    return Path(shutil.copy(DATA / name, tmp_path / Path(name).name))


def test_duplicate_headers(tmp_path):
    f = tmp_path / "orders.csv"
    f.write_text(GENERIC.replace("country,sku,", "country,SKU,").replace(",quantity\n", ",quantity,sku\n", 1),
                 encoding="utf-8")
    e = refused(f)
    assert e.where == "line 1" and "'sku' appears twice" in e.message
    stock = tmp_path / "stock.csv"
    stock.write_text(STOCK.replace("quantity\n", "quantity,Quantity\n", 1).replace(",10\n", ",10,3\n"), encoding="utf-8")
    with pytest.raises(InputRejected, match="'quantity' appears twice"):
        read_stock_file(stock)
    report = copy(tmp_path, "ebay/seller_hub_orders.csv")
    report.write_text(report.read_text(encoding="utf-8-sig").replace("Custom Label,", "Custom Label,Custom label,", 1),
                      encoding="utf-8")
    e = refused(report)
    assert e.where == "line 2" and "appears twice" in e.message and "Custom" in e.message


@pytest.mark.parametrize("value", ["100000000000000000000000", "100001", "99999999999999999999999999999999"])
def test_quantities_out_of_range(tmp_path, value):
    f = tmp_path / "orders.csv"
    f.write_text(GENERIC.replace("GB,MUG-BLU,2", f"GB,MUG-BLU,{value}"), encoding="utf-8")
    e = refused(f)
    assert e.where == "line 3" and "quantity" in e.message
    report = copy(tmp_path, "ebay/seller_hub_orders.csv")
    report.write_text(report.read_text(encoding="utf-8-sig").replace("TEA-SENCHA,,1,", f"TEA-SENCHA,,{value},"),
                      encoding="utf-8")
    e = refused(report)
    assert e.where == "line 6" and "Quantity" in e.message and "100,000" in e.message
    stock = tmp_path / "stock.csv"
    stock.write_text(STOCK.replace(",10\n", f",{value}0\n"), encoding="utf-8")
    with pytest.raises(InputRejected, match="line 2: quantity"):
        read_stock_file(stock)


def test_a_huge_number_in_json(tmp_path):
    items = json.loads((DATA / "amazon/getOrderItems_111-0000002-0000002.json").read_text())
    items["payload"]["OrderItems"][0]["QuantityOrdered"] = 10**23
    f = tmp_path / "items.json"
    f.write_text(json.dumps(items))
    orders = tmp_path / "orders.json"
    shutil.copy(DATA / "amazon/getOrders_page1.json", orders)
    e = refused([orders, f], "amazon")
    assert e.path == str(f) and "OrderItems[0]" in e.where and "QuantityOrdered" in e.message
    f.write_text('{"payload": {"AmazonOrderId": "1", "OrderItems": [{"QuantityOrdered": 1' + "0" * 5000 + "}]}}")
    e = refused([orders, f], "amazon")
    assert "JSON" in e.message
    f.write_text('{"payload": {"AmazonOrderId": "1", "OrderItems": ' + "[" * 100_000 + "]" * 100_000 + "}}")
    assert "nested" in refused([orders, f], "amazon").message


def test_impossible_dates(tmp_path):
    report = copy(tmp_path, "ebay/seller_hub_orders.csv")
    text = report.read_text(encoding="utf-8-sig")
    report.write_text(text.replace("eBay,Mar-01-26,,Mar-04-26", "eBay,Febtober-99-26,,Mar-04-26"), encoding="utf-8")
    e = refused(report)
    assert e.where == "line 7" and "Febtober-99-26" in e.message and "Sale Date" in e.message
    f = tmp_path / "orders.csv"
    f.write_text(GENERIC.replace(",quantity\n", ",quantity,ship_by\n").replace(",1\n", ",1,2026-02-30\n"),
                 encoding="utf-8")
    e = refused(f)
    assert e.where == "line 2" and "2026-02-30" in e.message
    etsy = copy(tmp_path, "etsy/getShopReceipts.json")
    doc = json.loads(etsy.read_text())
    doc["results"][0]["created_timestamp"] = 10**20
    etsy.write_text(json.dumps(doc))
    e = refused(etsy)
    assert "results[0]" in e.where and "created_timestamp" in e.message


def test_an_ebay_report_cut_off_in_a_record(tmp_path):
    report = copy(tmp_path, "ebay/seller_hub_orders.csv")
    text = report.read_text(encoding="utf-8-sig")
    cut = text.index("1002,21-10002-00002")
    report.write_text(text[: cut + 60], encoding="utf-8")  # in the middle of the second order's record
    e = refused(report)
    assert e.where == "line 7" and "cut short" in e.message
    report.write_text(text[:cut], encoding="utf-8")  # at a line end: the footer is missing
    e = refused(report)
    assert "record(s) downloaded" in e.message and "cut short" in e.message
    lines = text.splitlines(keepends=True)
    dropped = "".join(line for line in lines if not line.startswith("1003,"))
    report.write_text(dropped, encoding="utf-8")  # a record taken out: the count says so
    e = refused(report)
    assert "says 3 record(s) but holds 2" in e.message


def test_other_files_cut_short(tmp_path):
    f = tmp_path / "orders.csv"
    f.write_text(GENERIC[:-12], encoding="utf-8")  # "A-2,Bob,2 Road,Leeds," without a line end
    e = refused(f)
    assert e.where == "line 3" and "ends in the middle" in e.message
    amazon = copy(tmp_path, "amazon/unshipped_orders.txt")
    text = amazon.read_text(encoding="utf-8")
    amazon.write_text(text[: text.rindex("\t", 0, len(text) - 40)], encoding="utf-8")
    e = refused(amazon)
    assert "ends in the middle" in e.message
    shopify = copy(tmp_path, "shopify/orders.json")
    shopify.write_text(shopify.read_text(encoding="utf-8")[:-30], encoding="utf-8")
    e = refused(shopify)
    assert "truncated" in e.message

