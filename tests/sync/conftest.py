"""Fixtures for the sync: the four emulators, a stocked warehouse, settings pointing at them,
and shipping an order through the station sessions."""

from __future__ import annotations

import pytest

from tests.core.conftest import db, db_path, write  # noqa: F401  (fixtures)
from tests.core.test_station_cli import CONFIG as STATION_CONFIG
from tests.sync import amazon_emulator as amz, ebay_emulator as eb, etsy_emulator as et, shopify_emulator as sh
from warehouse_tui.channels.base import Address
from warehouse_tui.config import Settings
from warehouse_tui.workflow.inventory import apply_stock, read_stock_file
from warehouse_tui.workflow.lookup import find_order, order_detail
from warehouse_tui.workflow.stations import open_session

STOCK = """sku,title,barcode,bin,quantity,weight_g
MUG-BLUE,Blue mug,5012345000017,A-01-01,50,350
MUG-RED,Red mug,5012345000024,A-01-02,50,350
TEA-SENCHA,Sencha tea,5012345000031,A-02-01,50,120
PAN-12,Frying pan 12 in,5012345000048,B-01-01,50,1500
"""

# the station CLI tests' config, with retries kept short
CONFIG = STATION_CONFIG.replace('label_format = "zpl"\n', 'label_format = "zpl"\nsync_backoff_s = 0.01\n'
                                                       'sync_max_wait_s = 1.5\n')


def channels_toml(amazon=None, ebay=None, etsy=None, shopify=None) -> str:
    out = []
    if amazon:
        out.append(f"""[channels.amazon]
client_id = "{amz.CLIENT_ID}"
client_secret = "{amz.CLIENT_SECRET}"
refresh_token = "{amz.REFRESH_TOKEN}"
marketplace_ids = ["{amz.MARKETPLACE}"]
endpoint = "{amazon.url}"
token_url = "{amazon.url}/token"
""")
    if ebay:
        out.append(f"""[channels.ebay]
client_id = "{eb.CLIENT_ID}"
client_secret = "{eb.CLIENT_SECRET}"
refresh_token = "{eb.REFRESH_TOKEN}"
endpoint = "{ebay.url}"
token_url = "{ebay.url}{eb.TOKEN_PATH}"
""")
    if etsy:
        out.append(f"""[channels.etsy]
api_key = "{et.API_KEY}"
refresh_token = "{et.REFRESH_TOKEN}"
shop_id = {et.SHOP_ID}
endpoint = "{etsy.url}"
token_url = "{etsy.url}{et.TOKEN_PATH}"
""")
    if shopify:
        out.append(f"""[channels.shopify]
shop = "{sh.SHOP}"
access_token = "{sh.ACCESS_TOKEN}"
api_version = "{sh.API_VERSION}"
endpoint = "{shopify.url}"
""")
    return "\n".join(out)


SECRETS = [amz.CLIENT_SECRET, amz.REFRESH_TOKEN, eb.CLIENT_SECRET, eb.REFRESH_TOKEN, et.API_KEY, et.REFRESH_TOKEN,
           sh.ACCESS_TOKEN, "refresh-secret-etsy", "-secret"]


@pytest.fixture
def amazon():
    with amz.AmazonEmulator() as e:
        yield e


@pytest.fixture
def ebay():
    with eb.EbayEmulator() as e:
        yield e


@pytest.fixture
def etsy():
    with et.EtsyEmulator() as e:
        yield e


@pytest.fixture
def shopify():
    with sh.ShopifyEmulator() as e:
        yield e


@pytest.fixture
def shop(db, tmp_path):
    f = write(tmp_path / "stock.csv", STOCK)
    with db.write() as s:
        apply_stock(s, read_stock_file(f), path=f)
    return db


@pytest.fixture
def make_settings(db_path, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    for var in [v for v in __import__("os").environ if v.startswith(("WAREHOUSE_AMAZON", "WAREHOUSE_EBAY",
                                                                    "WAREHOUSE_ETSY", "WAREHOUSE_SHOPIFY"))]:
        monkeypatch.delenv(var)

    def make(**emulators) -> Settings:
        import tomllib

        s = Settings(db=str(db_path), station="PACK-1", operator="alice", printer=f"dir:{tmp_path / 'labels'}")
        s.carriers = {"usps": {"mailer_id": "902123456"}, "ups": {"shipper_number": "A1B2C3", "service": "03"}}
        s.ship_from = Address(name="Example Goods Ltd", address1="1 Dock Road", city="Leeds",
                              postal_code="LS1 1AA", country="GB")
        s.channels = tomllib.loads(channels_toml(**emulators)).get("channels", {})
        s.sync_backoff_s, s.sync_max_wait_s = 0.01, 1.5
        return s

    return make


def detail(db, ref):
    with db.session() as s:
        return order_detail(s, find_order(s, ref)[0])


def ship(db, settings, ref: str, boxes: int = 1) -> list[str]:
    """Pick, pack (into ``boxes`` parcels when there are units enough), label and verify."""
    p = open_session("pick", db, settings)
    fb = p.handle(ref)
    assert fb.ok, fb.message
    while fb.expect in ("bin", "item"):
        fb = p.handle(fb.bin if fb.expect == "bin" else fb.sku)
        assert fb.ok, fb.message
    assert p.handle(f"TOTE-{ref[-6:]}").ok
    units = [ln["sku"] for ln in detail(db, ref)["lines"] for _ in range(ln["picked"])]
    k = open_session("pack", db, settings)
    assert k.handle(f"TOTE-{ref[-6:]}").ok
    for i, sku in enumerate(units):
        assert k.handle(sku).ok
        if boxes > 1 and i == 0 and len(units) > 1:
            assert k.handle("BOX-S").ok
    assert k.handle("%DONE").ok
    lb = open_session("label", db, settings)
    fb = lb.handle(ref)
    assert fb.ok, fb.message
    numbers = fb.tracking_numbers or [fb.tracking_number]
    for n in numbers:
        assert lb.handle(n).ok
    assert detail(db, ref)["status"] == "shipped"
    return numbers
