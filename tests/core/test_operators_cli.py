"""Operators, PINs and overrides, run as a user runs the commands: as subprocesses on a real
SQLite file. The PINs here are unusual digit runs, so finding one anywhere means it leaked."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time

import pytest

from datetime import datetime

from tests.dbrows import execute, query
from warehouse_tui.db import open_database
from tests.core.conftest import ORDERS, STOCK, write
from tests.core.test_station_cli import CONFIG, cli_environment, run, show, station, stock

BOB_PIN = "8642097"
CAROL_PIN = "97531"


@pytest.fixture
def env(tmp_path, db_path):
    return cli_environment(tmp_path, db_path, CONFIG)


def as_(env: dict, name: str | None, pin: str | None = None) -> dict:
    e = dict(env)
    e.pop("WAREHOUSE_PIN", None)
    if name:
        e["WAREHOUSE_OPERATOR"] = name
    else:
        e.pop("WAREHOUSE_OPERATOR", None)
    if pin is not None:
        e["WAREHOUSE_PIN"] = pin
    return e


def refused(*args, env, stdin: str = "") -> subprocess.CompletedProcess:
    p = run(*args, env=env, stdin=stdin, check=False)
    assert p.returncode == 1, p.stderr.decode()
    return p


def rows(db_path, sql: str, **params) -> list[tuple]:
    db = open_database(db_path)
    try:
        return query(db, sql, **params)
    finally:
        db.dispose()


def overrides(db_path) -> list[dict]:
    return [dict(json.loads(data), ok=bool(ok), operator=op) for ok, op, data in
            rows(db_path, "SELECT ok, operator, data FROM events WHERE type = 'override' ORDER BY id")]


def with_bob(env) -> None:
    """The first set-up: the first supervisor and their PIN need no PIN."""
    run("operator", "add", "bob", "--role", "supervisor", env=env)
    run("operator", "pin", "bob", env=as_(env, "bob"), stdin=BOB_PIN + "\n")


def test_first_set_up_then_supervisors_need_a_pin(env, db_path):
    outputs = []
    p = run("operator", "add", "bob", "--role", "supervisor", env=env)  # alice adds the first supervisor
    assert b"first set-up" in p.stderr
    run("operator", "pin", "bob", env=as_(env, "alice"), stdin=BOB_PIN + "\n")  # no supervisor PIN yet
    (digest,) = rows(db_path, "SELECT pin_hash FROM operators WHERE name = 'bob'")[0]
    assert digest.startswith("scrypt$") and BOB_PIN not in digest

    # the first set-up is over: a second supervisor, or a PIN for someone else, needs bob's PIN
    outputs.append(refused("operator", "add", "carol", "--role", "supervisor", env=env))
    outputs.append(refused("operator", "add", "carol", "--role", "supervisor", env=as_(env, "bob", "0000")))
    assert all(b"PIN refused" in p.stderr for p in outputs)
    assert b"carol" not in run("operator", "list", env=env).stdout
    outputs.append(run("operator", "add", "carol", "--role", "supervisor", env=as_(env, "bob", BOB_PIN)))
    outputs.append(refused("operator", "pin", "carol", env=as_(env, "alice")))
    outputs.append(refused("operator", "pin", "carol", env=as_(env, "carol")))  # a name proves nothing
    outputs.append(run("operator", "pin", "carol", env=as_(env, "bob", BOB_PIN), stdin=CAROL_PIN + "\n"))
    # demoting a supervisor is an override too (else anyone could start the first set-up again)
    outputs.append(refused("operator", "add", "carol", env=as_(env, "alice")))
    # one's own PIN: with the current one
    outputs.append(refused("operator", "pin", "carol", env=as_(env, "carol", "1111"), stdin="2222\n"))
    outputs.append(run("operator", "pin", "carol", env=as_(env, "carol", CAROL_PIN), stdin="24680\n"))
    outputs.append(refused("operator", "pin", "alice", env=as_(env, "bob", BOB_PIN), stdin="12\n"))  # too short
    outputs.append(run("operator", "list", env=env))
    listing = outputs[-1].stdout.decode()
    assert "bob" in listing and "supervisor" in listing and "PIN set" in listing
    assert "no PIN" in listing  # alice

    found = overrides(db_path)
    assert [(o["action"], o["ok"], o["asked_by"], o.get("allowed_by")) for o in found] == [
        ("make bob a supervisor", True, "alice", None),
        ("set the PIN of bob", True, "alice", None),
        ("make carol a supervisor", False, "alice", None),
        ("make carol a supervisor", False, "bob", None),
        ("make carol a supervisor", True, "bob", "bob"),
        ("set the PIN of carol", False, "alice", None),
        ("set the PIN of carol", False, "carol", None),
        ("set the PIN of carol", True, "bob", "bob"),
        ("make carol an operator", False, "alice", None),
        ("change own PIN (carol)", False, "carol", None),
    ]
    assert found[0].get("first_setup") is True and found[1].get("first_setup") is True
    # no PIN and no hash in any output, event or log line
    texts = [p.stdout + p.stderr for p in outputs]
    events = rows(db_path, "SELECT coalesce(message, '') || data || coalesce(scan, '') FROM events")
    for pin in (BOB_PIN, CAROL_PIN, "24680", "0000", "1111", "2222"):
        assert not any(pin.encode() in t for t in texts)
        assert not any(pin in e for (e,) in events)
    assert not any("scrypt$" in e for (e,) in events) and not any(b"scrypt$" in t for t in texts)


def test_wrong_pin_changes_nothing_and_five_lock_the_overrides(tmp_path, env, db_path):
    with_bob(env)
    run("stock", "import", write(tmp_path / "stock.csv", STOCK), env=env)
    run("import", write(tmp_path / "orders.csv", ORDERS), env=env)
    run("order", "hold", "BAR-1001", "--reason", "address to check", env=env)
    p = refused("order", "release", "BAR-1001", env=as_(env, "alice"))  # no supervisor, no PIN
    assert b"PIN refused" in p.stderr
    p = refused("order", "release", "BAR-1001", env=as_(env, "bob"))  # a supervisor, no PIN
    assert b"PIN refused" in p.stderr
    for n in range(1, 6):
        p = refused("order", "release", "BAR-1001", env=as_(env, "bob", "1" * (3 + n)))
        assert b"PIN refused" in p.stderr
    assert b"locked" in p.stderr
    assert show("BAR-1001", env)["status"] == "on_hold" and stock("MUG-BLU", env)["reserved"] == 0
    # locked: even the right PIN is refused, in another process, for five minutes
    p = refused("order", "release", "BAR-1001", env=as_(env, "bob", BOB_PIN))
    assert b"locked" in p.stderr and show("BAR-1001", env)["status"] == "on_hold"
    (until,) = rows(db_path, "SELECT pin_locked_until FROM operators WHERE name = 'bob'")[0]
    assert until is not None
    # five minutes later (the lock's end moved back, as the clock would move on)
    db = open_database(db_path)
    try:
        execute(db, "UPDATE operators SET pin_locked_until = :t WHERE name = 'bob'", t=datetime(2000, 1, 1))
    finally:
        db.dispose()
    run("order", "release", "BAR-1001", env=as_(env, "bob", BOB_PIN))
    assert show("BAR-1001", env)["status"] == "ready" and stock("MUG-BLU", env)["reserved"] == 2
    found = [(o["ok"], o["asked_by"], o.get("allowed_by"), o["action"]) for o in overrides(db_path)]
    assert found[-1] == (True, "bob", "bob", "release BAR-1001")
    assert [ok for ok, *_ in found[-9:-1]] == [False] * 8
    assert {e["type"] for e in show("BAR-1001", env)["events"]} >= {"override"}


def test_unknown_operators_are_refused_everywhere(tmp_path, env, db_path):
    run("stock", "import", write(tmp_path / "stock.csv", STOCK), env=env)
    p = refused("order", "list", "--operator", "alcie", env=env)
    assert b"unknown operator 'alcie'" in p.stderr
    p = run("station", "--mode", "pick", "--operator", "alcie", env=env, stdin="%NEXT\n", check=False)
    assert p.returncode == 1 and b"unknown operator" in p.stderr and p.stdout == b""
    out = station("pick", ["OP-alcie", "OP-alice"], env)
    assert [o["ok"] for o in out] == [False, True] and "unknown badge" in out[0]["message"]
    assert rows(db_path, "SELECT name FROM operators ORDER BY name") == [("alice",)]
    run("operator", "add", "dave", env=env)
    run("order", "list", "--operator", "dave", env=env)


def test_order_cancel_after_picking_puts_units_back(tmp_path, env, db_path):
    with_bob(env)
    run("stock", "import", write(tmp_path / "stock.csv", STOCK), env=env)
    run("import", write(tmp_path / "orders.csv", ORDERS), env=env)
    station("pick", ["BAR-1001", "A-01-03", "5012345678900", "5012345678900", "A-02-01", "TEE-M-BLK", "TOTE-5"],
            env)
    assert show("BAR-1001", env)["status"] == "picked"
    assert (stock("MUG-BLU", env)["on_hand"], stock("TEE-M-BLK", env)["on_hand"]) == (8, 4)

    p = refused("order", "cancel", "BAR-1001", env=as_(env, "alice"))  # picking began: an override
    assert b"PIN refused" in p.stderr
    assert show("BAR-1001", env)["status"] == "picked" and stock("MUG-BLU", env)["on_hand"] == 8
    run("order", "cancel", "BAR-1001", "--reason", "buyer changed their mind", env=as_(env, "bob", BOB_PIN))

    d = show("BAR-1001", env)
    assert d["status"] == "cancelled" and d["tote"] is None
    mug, tee = stock("MUG-BLU", env), stock("TEE-M-BLK", env)
    assert (mug["on_hand"], mug["reserved"], tee["on_hand"], tee["reserved"]) == (10, 0, 5, 0)
    assert mug["bins"] == [{"bin": "A-01-03", "on_hand": 10, "reserved": 0, "quarantine": 0}]
    messages = [e["message"] for e in d["events"]]
    assert "MUG-BLU: 2 back in A-01-03 (BAR-1001 cancelled)" in messages
    assert "buyer changed their mind" in messages
    # the tote is free for the next order; an order not yet picked is cancelled by anyone
    out = station("pick", ["BAR-1002", "B-01-01", "4006381333931", "B-02-02", "4006381333931", "TOTE-5"], env)
    assert out[-1]["ok"], out[-1]
    refused("order", "cancel", "BAR-1001", env=env)  # cancelled already
    run("import", write(tmp_path / "more.csv", ORDERS.replace("BAR-1002", "BAR-1003")), env=env)
    assert stock("CANDLE-FIG", env)["reserved"] == 0  # not enough candles left: backordered
    run("order", "cancel", "BAR-1003", env=as_(env, "alice"))
    assert show("BAR-1003", env)["status"] == "cancelled"
    found = [(o["ok"], o["asked_by"], o.get("allowed_by"), o["action"]) for o in overrides(db_path)]
    assert found[-2:] == [(False, "alice", None, "cancel BAR-1001"), (True, "bob", "bob", "cancel BAR-1001")]


def test_label_void_needs_a_supervisor(env):
    with_bob(env)
    p = refused("label", "void", "1Z999AA10123456784", env=as_(env, "alice"))
    assert b"PIN refused" in p.stderr
    p = refused("label", "void", "1Z999AA10123456784", env=as_(env, "bob", BOB_PIN))  # allowed; no such label
    assert b"no parcel" in p.stderr


def _read_until(fd: int, text: bytes, timeout: float = 30) -> bytes:
    seen = b""
    end = time.monotonic() + timeout
    while text not in seen and time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            chunk = os.read(fd, 1024)
            if not chunk:
                break
            seen += chunk
    assert text in seen, seen
    return seen


def test_operator_pin_reads_twice_from_a_terminal(env, db_path):
    run("operator", "add", "bob", "--role", "supervisor", env=env)
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "warehouse_tui", "operator", "pin", "bob"], stdin=slave,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)
    os.close(slave)
    try:
        _read_until(proc.stderr.fileno(), b"new PIN for bob")
        os.write(master, (BOB_PIN + "\n").encode())
        _read_until(proc.stderr.fileno(), b"again")
        os.write(master, (BOB_PIN + "\n").encode())
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert BOB_PIN.encode() not in out + err
    (digest,) = rows(db_path, "SELECT pin_hash FROM operators WHERE name = 'bob'")[0]
    assert digest.startswith("scrypt$")
    run("operator", "add", "carol", "--role", "supervisor", env=as_(env, "bob", BOB_PIN))  # the PIN works


def test_the_demo_prints_its_supervisors_pin(tmp_path, env):
    demo = dict(env, WAREHOUSE_DB=str(tmp_path / "demo.db"))
    p = run("demo", "--orders", "5", "--no-console", env=demo)
    assert b"OP-bob (supervisor, PIN 1234" in p.stderr
    refused("operator", "add", "carol", "--role", "supervisor", env=as_(demo, "bob", "4321"))
    run("operator", "add", "carol", "--role", "supervisor", env=as_(demo, "bob", "1234"))
