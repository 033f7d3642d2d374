"""Text from outside never brings a control character to a terminal: not stored at import, and
made safe wherever it is shown (order show, order list, log lines), JSON staying valid."""

from __future__ import annotations

import json
import logging

import pytest

from tests import engines
from tests.dbrows import execute, query
from warehouse_tui.db import open_database
from tests.core.conftest import STOCK, cli_environment, write
from tests.core.test_station_cli import CONFIG, run
from warehouse_tui.text import clean, json_text, safe, safe_logging

ESC, BEL, NUL = "\x1b", "\x07", "\x00"
TITLE_PWN = f"{ESC}]0;pwn{BEL}"  # retitles the terminal
RED = f"{ESC}[31m"
CSI_C1 = "\x9b2J"  # C1 CSI: clears the screen on terminals that take 8-bit controls

HOSTILE_ORDERS = (
    "order_id,ship_name,address1,city,postal_code,country,sku,quantity,title\n"
    f'EVIL-1,"Eve{TITLE_PWN} Mallory","1 Road{RED} Lane",Leeds{NUL}ville,LS1 1AA,GB,MUG-BLU,1,'
    f'"Mug{RED}{CSI_C1}\tblue\nline two"\n'
)
UNSAFE = (ESC, BEL, NUL, "\x9b")


def no_controls(data: bytes | str) -> bool:
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    return not any(c in text for c in UNSAFE)


def test_clean_and_safe():
    assert clean(f"Eve{TITLE_PWN}\tMallory\r\n") == "Eve]0;pwn Mallory  "
    assert clean("Zoë Ångström-Łukasz") == "Zoë Ångström-Łukasz"
    assert clean("a\ud800b") == "ab"  # a lone surrogate (JSON can spell one) cannot be stored
    assert safe(f"Eve{TITLE_PWN}") == "Eve\\x1b]0;pwn\\x07"
    assert safe("x\x9by\nz") == "x\\x9by z"
    assert safe(None) == "" and safe(12) == "12"
    text = json_text({"name": f"a{ESC}b\x7f\x9b\u2028", "n": 1})
    assert no_controls(text) and "\u2028" not in text
    assert json.loads(text) == {"name": f"a{ESC}b\x7f\x9b\u2028", "n": 1}


def test_confirmation_files_stay_formula_safe_and_terminal_safe():
    from warehouse_tui.channels.confirm import json_lines, safe_cell

    assert safe_cell(f"{NUL}=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert safe_cell(f"{ESC}[31m+1\t2") == "[31m+1 2"
    assert safe_cell("-5") == "'-5" and safe_cell("5") == "5"
    line = json_lines([{"body": f"note{ESC}]0;x{BEL}\x9b"}])
    assert no_controls(line) and json.loads(line) == {"body": f"note{ESC}]0;x{BEL}\x9b"}


def test_log_lines_are_safe(tmp_path):
    path = tmp_path / "log.txt"
    handler = safe_logging(logging.FileHandler(path, encoding="utf-8"))
    log = logging.getLogger("test.hostile")
    log.addHandler(handler)
    try:
        log.warning("scan %r from %s", "x", f"Eve{TITLE_PWN}\nforged line")
    finally:
        log.removeHandler(handler)
        handler.close()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines == ["scan 'x' from Eve\\x1b]0;pwn\\x07 forged line"]


@pytest.fixture
def env(tmp_path, db_path):
    env = cli_environment(tmp_path, db_path, CONFIG)
    run("stock", "import", write(tmp_path / "stock.csv", STOCK), env=env)
    return env


def test_imported_escapes_are_not_stored_and_never_shown(tmp_path, db_path, env):
    run("import", write(tmp_path / "orders.csv", HOSTILE_ORDERS), env=env)
    db = open_database(db_path)
    try:
        (stored,) = query(db, "SELECT ship_name, ship_address1, ship_city FROM orders WHERE ref = 'EVIL-1'")
        title = query(db, "SELECT title FROM order_lines")[0][0]
    finally:
        db.dispose()
    # control characters dropped, tabs and newlines as spaces, the printable rest kept
    assert stored == ("Eve]0;pwn Mallory", "1 Road[31m Lane", "Leedsville")
    assert title == "Mug[31m2J blue line two"

    shown = run("order", "show", "EVIL-1", env=env).stdout
    assert no_controls(shown) and b"Eve]0;pwn Mallory" in shown
    listed = run("order", "list", env=env).stdout
    assert no_controls(listed) and b"Eve]0;pwn Mallory" in listed
    detail = json.loads(run("order", "show", "EVIL-1", "--json", env=env).stdout)
    assert detail["ship_to"]["name"] == "Eve]0;pwn Mallory"


def test_escapes_already_in_the_database_are_shown_escaped(tmp_path, db_path, env):
    """Rows written before import cleaning (or by another program) are made safe on the way out."""
    nul = "" if engines.ON_POSTGRES else NUL  # PostgreSQL text cannot hold NUL at all
    run("import", write(tmp_path / "orders.csv", HOSTILE_ORDERS), env=env)
    db = open_database(db_path)
    try:
        execute(db, "UPDATE orders SET ship_name = :n, ship_city = :c WHERE ref = 'EVIL-1'",
                n=f"Eve{TITLE_PWN}{nul}", c=f"Leeds{RED}\x9b")
        execute(db, "UPDATE order_lines SET title = :t", t=f"Mug{RED}\x7f")
    finally:
        db.dispose()
    shown = run("order", "show", "EVIL-1", env=env)
    assert no_controls(shown.stdout + shown.stderr)
    assert (b"Eve\\x1b]0;pwn\\x07" + (b"\\x00" if nul else b"")) in shown.stdout and b"Mug\\x1b[31m\\x7f" in shown.stdout
    listed = run("order", "list", env=env).stdout
    assert no_controls(listed) and b"Eve\\x1b]0;pwn" in listed
    raw = run("order", "show", "EVIL-1", "--json", env=env).stdout
    assert no_controls(raw) and b"\x7f" not in raw
    detail = json.loads(raw)  # valid JSON, the text escaped but intact
    assert detail["ship_to"]["name"] == f"Eve{TITLE_PWN}{nul}"
    assert detail["ship_to"]["city"] == f"Leeds{RED}\x9b"
    assert detail["lines"][0]["title"] == f"Mug{RED}\x7f"
    rows = json.loads(run("order", "list", "--json", env=env).stdout)
    assert any(r["ref"] == "EVIL-1" for r in rows)


def test_a_refused_file_names_it_safely(tmp_path, env):
    bad = write(tmp_path / "bad.csv", HOSTILE_ORDERS.replace(",1,", f",1{ESC}]0;x{BEL},"))
    p = run("import", bad, env=env, check=False)
    assert p.returncode == 1 and b"bad.csv" in p.stderr and b"line 2" in p.stderr
    assert no_controls(p.stderr)
