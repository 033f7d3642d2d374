"""``order find``, run as a user runs it, and the search index kept current by what changes names."""

from __future__ import annotations

import json

import pytest
from alembic import command
from alembic.script import ScriptDirectory

from tests.core.conftest import ORDERS, STOCK, write
from tests.core.test_station_cli import CONFIG, run, station
from tests.core.conftest import cli_environment
from warehouse_tui import migrations
from warehouse_tui.db import open_database
from warehouse_tui.domain.folding import fold, fold_padded
from warehouse_tui.workflow.importing import import_files
from warehouse_tui.workflow.search import find

MORE = """order_id,ship_name,address1,city,postal_code,country,sku,quantity,title
ETS-1,Chloé Dubois,3 Quai Voltaire,Paris,75007,FR,CANDLE-FIG,1,Hand-poured fig & cedar candle
ETS-2,Ann Lee,4 High St,Leeds,LS1 1AA,GB,MUG-BLU,1,
ETS-3,Annabel Smith,5 High St,Leeds,LS1 1AA,GB,MUG-BLU,1,
ETS-4,Joanne Ward,6 High St,Leeds,LS1 1AA,GB,TEE-M-BLK,1,
"""


@pytest.fixture
def env(tmp_path, db_path):
    e = cli_environment(tmp_path, db_path, CONFIG)
    run("stock", "import", write(tmp_path / "stock.csv", STOCK), env=e)
    run("import", write(tmp_path / "orders.csv", ORDERS), write(tmp_path / "more.csv", MORE), env=e)
    return e


def found(text, env, *extra):
    p = run("order", "find", text, "--json", *extra, env=env)
    return json.loads(p.stdout)


def refs(text, env, *extra):
    return [o["ref"] for o in found(text, env, *extra)]


def test_fold_case_accents_and_letters_nfkd_leaves_alone():
    assert fold("Chloé") == "chloe"
    assert fold("Zoë Ångström-Łukasz") == "zoe angstrom lukasz"
    assert fold("Søren Đorđević, Straße & Æbelø") == "soren dordevic strasse aebelo"
    assert fold("ＣＨＬＯＥ") == "chloe"  # full-width letters, as some marketplaces send them
    assert fold_padded("  O'Brien\t") == " o brien "
    assert fold_padded("\x1b[31m") == " 31m "  # control characters are separators, never kept


def test_part_of_a_name_with_accents_and_case_folded(env):
    assert refs("chloe", env) == ["ETS-1"]
    assert refs("CHLOÉ", env) == ["ETS-1"]
    assert refs("lukasz", env) == ["BAR-1001"]  # Ł is not decomposed by NFKD
    assert refs("ngstr", env) == ["BAR-1001"]  # any part of a word
    assert refs("zoe angstrom", env) == ["BAR-1001"]
    o = found("chloe", env)[0]
    assert {"ref", "channel", "status", "ship_by", "ship_to_name"} <= set(o)
    assert (o["channel"], o["status"], o["ship_to_name"], o["ship_by"]) == ("csv", "ready", "Chloé Dubois", None)


def test_part_of_a_product_title(env):
    assert refs("cedar", env) == ["ETS-1"]  # the line's own title
    # lines without a title take the product's: every order with the blue mug
    assert sorted(refs("enamel", env)) == ["BAR-1001", "ETS-2", "ETS-3"]


def test_best_matches_first_whole_word_then_start_then_part(env):
    assert refs("ann", env) == ["ETS-2", "ETS-3", "ETS-4"]
    assert [o["match"] for o in found("ann", env)] == ["word", "word start", "part"]


def test_each_kind_of_whole_id_finds_exactly(env, tmp_path):
    assert refs("BAR-1002", env) == ["BAR-1002"]  # channel id / display name
    assert refs("#BAR-1002", env) == ["BAR-1002"]  # display name with '#'
    barcode = found("BAR-1002", env)[0]["barcode"]
    assert barcode.startswith("ORD-") and refs(barcode, env) == ["BAR-1002"]
    assert refs("CANDLE-FIG", env) == ["ETS-1", "BAR-1002"]  # SKU, newest first
    assert refs("012345678905", env) == ["ETS-4", "BAR-1001"]  # UPC-A, normalised to the stored GTIN
    assert refs("5012345678900", env) == ["ETS-3", "ETS-2", "BAR-1001"]
    assert [o["match"] for o in found("MUG-BLU", env)] == ["id"] * 3
    assert refs("BAR-10", env) == ["BAR-1001", "BAR-1002"]  # the start of an order id


def test_tracking_number_found_once_the_label_prints(env, tmp_path):
    station("pick", ["BAR-1001", "A-01-03", "5012345678900", "5012345678900", "A-02-01", "012345678905",
                     "TOTE-9"], env)
    station("pack", ["TOTE-9", "5012345678900", "5012345678900", "TEE-M-BLK", "%DONE"], env)
    number = station("label", ["BAR-1001"], env)[0]["tracking_number"]
    assert number.startswith("1Z")
    o = found(number, env)
    assert [(x["ref"], x["status"], x["match"]) for x in o] == [("BAR-1001", "labeled", "id")]
    spaced = " ".join((number[:2], number[2:8], number[8:10], number[10:]))  # as printed under the bars
    assert refs(spaced, env) == ["BAR-1001"]


def test_limit_json_and_nothing_found(env):
    assert len(found("high", env)) == 0  # an address is not searched: names and titles are
    assert refs("leeds", env) == []
    assert len(found("enamel", env, "--limit", "2")) == 2
    p = run("order", "find", "nobody-like-this", "--json", env=env)
    assert p.returncode == 0 and json.loads(p.stdout) == []
    p = run("order", "find", "x", "--limit", "0", env=env, check=False)
    assert p.returncode == 2 and b"--limit" in p.stderr
    plain = run("order", "find", "chloe", env=env).stdout.decode()
    assert "ETS-1" in plain and "Chloé Dubois" in plain


def test_reimport_that_changes_a_name_is_found_by_the_new_name_only(env, tmp_path):
    changed = ORDERS.replace("John Doe", "Jöhn Née")
    run("import", write(tmp_path / "orders2.csv", changed), env=env)
    assert refs("john doe", env) == []
    assert refs("john nee", env) == ["BAR-1002"]


def test_index_follows_every_change_of_names_and_titles(warehouse, tmp_path):
    from sqlalchemy import delete, select, text, update

    from warehouse_tui.domain.models import Allocation, Order, OrderLine

    db = warehouse
    with db.write() as s:  # plain SQL, as a bulk import writes
        s.exec(update(Order).where(Order.ref == "BAR-1002").values(ship_name="Agnès Varda", buyer_name=""))
        s.exec(update(OrderLine).where(OrderLine.sku == "MUG-BLU").values(title="Speckled cup"))
    with db.session() as s:
        assert [f.ref for f in find(s, "agnes")] == ["BAR-1002"]
        assert find(s, "john") == []  # the old name is gone
        assert [f.ref for f in find(s, "speckled")] == ["BAR-1001"]
        assert find(s, "enamel") == []
    with db.write() as s:
        mug = select(OrderLine.id).where(OrderLine.sku == "MUG-BLU")
        s.exec(delete(Allocation).where(Allocation.order_line_id.in_(mug)))
        s.exec(delete(OrderLine).where(OrderLine.sku == "MUG-BLU"))
    with db.session() as s:
        assert find(s, "speckled") == []
        names = s.connection().execute(text("SELECT count(*) FROM order_search")).scalar()
        lines = s.connection().execute(text("SELECT count(*) FROM line_search")).scalar()
        if db.is_sqlite:
            indexed = s.connection().execute(text(
                "SELECT count(*) FROM search_texts_fts WHERE search_texts_fts MATCH '\"black tee\"'")).scalar()
        else:
            indexed = s.connection().execute(text(
                "SELECT count(*) FROM search_texts WHERE text LIKE '%black tee%'")).scalar()
    assert names == 2 and lines == 2 and indexed == 1  # two names; the tee and the candle; the tee once


def test_a_title_many_lines_carry_is_indexed_once(warehouse, tmp_path):
    """Most lines carry their product's title: it is folded and indexed once, and every order
    with a line of it is found, newest first."""
    from sqlalchemy import text

    db = warehouse
    import_files(db, [write(tmp_path / "more.csv", MORE)])
    with db.session() as s:
        assert [f.ref for f in find(s, "enamel")] == ["ETS-3", "ETS-2", "BAR-1001"]
        assert [f.ref for f in find(s, "cedar")] == ["ETS-1"]
        conn = s.connection()
        texts = conn.execute(text("SELECT text FROM search_texts ORDER BY id")).scalars().all()
        carriers = conn.execute(text("SELECT count(*) FROM line_search l JOIN search_texts t ON t.id = l.text_id"
                                     " WHERE t.text = ' blue enamel mug '")).scalar()
    assert texts.count(" blue enamel mug ") == 1 and len(texts) == len(set(texts))
    assert carriers == 3


def test_upgrade_indexes_the_orders_already_there(warehouse):
    """Migration 0004 builds the index for the orders of an older database; 0006 moves its
    titles into the index of distinct titles."""
    from sqlalchemy import inspect

    db = warehouse
    cfg = migrations._config(db)
    before = ScriptDirectory.from_config(cfg).get_revision("0004").down_revision
    command.downgrade(cfg, before)
    with db.write_engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
    assert not tables & {"order_search", "order_search_fts", "search_texts", "line_search"}
    command.upgrade(cfg, "0005")  # titles indexed line by line, as before
    with db.write_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM order_search WHERE line_id IS NOT NULL").scalar() == 3
    command.upgrade(cfg, "head")
    with db.session() as s:
        assert [f.ref for f in find(s, "lukasz")] == ["BAR-1001"]
        assert [f.ref for f in find(s, "candle")] == ["BAR-1002"]
        assert [f.ref for f in find(s, "enamel")] == ["BAR-1001"]
    with db.write() as s:  # and the titles stay current after the move
        s.connection().exec_driver_sql("UPDATE order_lines SET title = 'Oak spoon' WHERE sku = 'CANDLE-FIG'")
    with db.session() as s:
        assert find(s, "candle") == [] and [f.ref for f in find(s, "spoon")] == ["BAR-1002"]


def test_a_title_on_very_many_lines_is_found_along_the_newest_lines(warehouse, tmp_path, monkeypatch):
    """Past ``DENSE`` lines (as estimated) the orders of a title are read newest line first, a
    page at a time: the same orders in the same order as by the title's index."""
    from warehouse_tui.workflow import search

    db = warehouse
    import_files(db, [write(tmp_path / "more.csv", MORE)])
    with db.session() as s:
        by_index = [f.ref for f in find(s, "enamel")]
        monkeypatch.setattr(search, "DENSE", 0)
        assert [f.ref for f in find(s, "enamel")] == by_index == ["ETS-3", "ETS-2", "BAR-1001"]
        assert [f.ref for f in find(s, "enamel", limit=2)] == ["ETS-3", "ETS-2"]
        assert [f.ref for f in find(s, "cedar")] == ["ETS-1"]
