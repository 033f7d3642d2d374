"""The headless station and the commands, run as a user runs them: as subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import engines
from tests.core.conftest import ORDERS, STOCK, cli_environment, write

CONFIG = """
station = "PACK-1"
label_format = "zpl"

[ship_from]
name = "Example Goods Ltd"
address1 = "1 Dock Road"
city = "Leeds"
postal_code = "LS1 1AA"
country = "GB"

[carriers.usps]
mailer_id = "902123456"

[carriers.ups]
shipper_number = "A1B2C3"
service = "03"
"""


def run(*args, env=None, stdin: bytes | str | None = None, check=True) -> subprocess.CompletedProcess:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    p = subprocess.run([sys.executable, "-m", "warehouse_tui", *map(str, args)], input=data,
                       capture_output=True, env=env, timeout=120)
    if check and p.returncode != 0:
        raise AssertionError(f"exit {p.returncode}: {p.stderr.decode()}")
    return p


@pytest.fixture
def cli_env(tmp_path, db_path):
    return cli_environment(tmp_path, db_path, CONFIG)


def station(mode, scans, env, *extra):
    p = run("station", "--mode", mode, *extra, env=env, stdin="".join(s + "\n" for s in scans))
    lines = p.stdout.decode().splitlines()
    assert len(lines) == len(scans), p.stdout.decode()  # one JSON line per scan, nothing else
    return [json.loads(line) for line in lines]


def show(ref, env):
    return json.loads(run("order", "show", ref, "--json", env=env).stdout)


def stock(sku, env):
    return json.loads(run("stock", "show", sku, "--json", env=env).stdout)


def test_csv_order_through_every_station(tmp_path, cli_env):
    env = cli_env
    run("stock", "import", write(tmp_path / "stock.csv", STOCK), env=env)
    run("import", write(tmp_path / "orders.csv", ORDERS), env=env)
    again = run("import", tmp_path / "orders.csv", env=env)
    assert b"2 unchanged" in again.stderr
    assert stock("MUG-BLU", env)["reserved"] == 2

    out = station("pick", ["BAR-1001", "A-02-01", "A-01-03", "5012345678900", "4006381333931",
                           "5012345678900", "A-02-01", "012345678905", "TOTE-9"], env)
    assert [o["ok"] for o in out] == [True, False, True, True, False, True, True, True, True]
    assert out[0]["expect"] == "bin" and out[0]["bin"] == "A-01-03" and out[0]["quantity"] == 2
    assert out[0]["sku"] == "MUG-BLU" and out[0]["order"] == "BAR-1001" and out[0]["status"] == "picking"
    assert out[-2]["expect"] == "tote" and out[-1]["expect"] == "order"
    assert set(out[0]) >= {"scan", "ok", "message", "order", "status", "expect", "bin", "sku", "quantity",
                           "tote", "tracking_number"}
    assert show("BAR-1001", env)["status"] == "picked"
    mug = stock("MUG-BLU", env)
    assert (mug["on_hand"], mug["reserved"]) == (8, 0)

    out = station("pack", ["TOTE-9", "5012345678900", "5012345678900", "5012345678900", "TEE-M-BLK", "%DONE"], env)
    assert [o["ok"] for o in out] == [True, True, True, False, True, True]
    assert "one too many" in out[3]["message"]
    assert out[4]["expect"] == "box"
    assert show("BAR-1001", env)["status"] == "packed"

    out = station("label", ["BAR-1001"], env)
    assert out[0]["ok"] and out[0]["expect"] == "label" and out[0]["status"] == "labeled"
    number = out[0]["tracking_number"]
    assert number.startswith("1Z") and len(number) == 18  # France: UPS, USPS is US-only
    labels = list((tmp_path / "labels").iterdir())
    assert len(labels) == 1 and number.encode() in labels[0].read_bytes()
    out = station("label", ["1Z999AA10123456784", number], env)
    assert [o["ok"] for o in out] == [False, True]
    d = show(number, env)  # order show by tracking number
    assert d["ref"] == "BAR-1001" and d["status"] == "shipped"
    assert d["parcels"][0]["tracking_number"] == number and d["parcels"][0]["carrier"] == "ups"

    out = station("returns", [number, "5012345678900", "%RESTOCK", "TEE-M-BLK", "%QUARANTINE", "%DONE"], env)
    assert all(o["ok"] for o in out) and out[1]["expect"] == "condition" and out[-1]["expect"] == "order"
    assert stock("MUG-BLU", env)["on_hand"] == 9
    assert stock("TEE-M-BLK", env)["quarantine"] == 1
    d = show("BAR-1001", env)
    assert d["returns"][0]["lines"] == [{"sku": "MUG-BLU", "quantity": 1, "disposition": "restock"},
                                        {"sku": "TEE-M-BLK", "quantity": 1, "disposition": "quarantine"}]
    kinds = {e["type"] for e in d["events"]}
    assert {"import", "scan", "status"} <= kinds
    assert any(e["type"] == "scan" and e["ok"] is False for e in d["events"])

    listing = json.loads(run("order", "list", "--json", env=env).stdout)
    assert [o["ref"] for o in listing] == ["BAR-1001", "BAR-1002"]
    assert {"ref", "channel", "status", "ship_by"} <= set(listing[0])


def test_usps_label_for_a_us_address(tmp_path, cli_env):
    env = cli_env
    run("stock", "import", write(tmp_path / "stock.csv", STOCK), env=env)
    run("import", write(tmp_path / "orders.csv", ORDERS), env=env)
    station("pick", ["BAR-1002", "B-01-01", "4006381333931", "B-02-02", "4006381333931", "TOTE-1"], env)
    station("pack", ["TOTE-1", "4006381333931", "4006381333931", "%DONE"], env)
    out = station("label", ["BAR-1002"], env)
    number = out[0]["tracking_number"]
    assert number.startswith("92") and len(number) == 22
    zpl = next((tmp_path / "labels").iterdir()).read_bytes()
    assert b">;>8420" in zpl and b"48817" in zpl


def test_resume_after_restart_never_asks_again(tmp_path, cli_env):
    env = cli_env
    run("stock", "import", write(tmp_path / "stock.csv", STOCK), env=env)
    run("import", write(tmp_path / "orders.csv", ORDERS), env=env)
    station("pick", ["BAR-1001", "A-01-03", "5012345678900"], env, "--station", "PICK-7")
    out = station("pick", ["5012345678900"], env, "--station", "PICK-7")
    assert out[0]["ok"] and out[0]["expect"] == "bin" and out[0]["bin"] == "A-02-01"


def test_bad_scans_from_stdin(tmp_path, cli_env):
    env = cli_env
    run("stock", "import", write(tmp_path / "stock.csv", STOCK), env=env)
    scans = b"X" * 4000 + b"\nA-01\x07-03\n\xff\xfe\n%FOO\n"
    p = run("station", "--mode", "pick", env=env, stdin=scans)
    out = [json.loads(line) for line in p.stdout.decode().splitlines()]
    assert len(out) == 4 and not any(o["ok"] for o in out)
    assert all(o["expect"] == "order" for o in out)


def test_exit_codes_and_rejected_files(tmp_path, cli_env):
    env = cli_env
    assert run("station", env=env, check=False).returncode == 2  # --mode missing
    assert run("nonsense", env=env, check=False).returncode == 2
    run("stock", "import", write(tmp_path / "stock.csv", STOCK), env=env)
    bad = write(tmp_path / "bad.csv", ORDERS.replace("MUG-BLU,2", "MUG-BLU,two"))
    p = run("import", bad, env=env, check=False)
    assert p.returncode == 1 and b"bad.csv" in p.stderr and b"line 2" in p.stderr and b"two" in p.stderr
    unknown = write(tmp_path / "unknown.csv", ORDERS.replace("CANDLE-FIG,2", "NO-SUCH,2"))
    p = run("import", unknown, env=env, check=False)
    assert p.returncode == 1 and b"line 4" in p.stderr and b"NO-SUCH" in p.stderr
    broken = tmp_path / "broken.csv"
    broken.write_bytes(ORDERS.encode().replace("Zoë".encode(), b"Zo\xe9"))
    p = run("import", broken, env=env, check=False)
    assert p.returncode == 1 and b"line 2" in p.stderr and b"UTF-8" in p.stderr
    missing = write(tmp_path / "missing.csv", "order_id,sku\nX,MUG-BLU\n")
    p = run("import", missing, env=env, check=False)
    assert p.returncode == 1 and b"missing columns" in p.stderr
    assert json.loads(run("order", "list", "--json", env=env).stdout) == []  # nothing written
    p = run("stock", "import", write(tmp_path / "s2.csv", STOCK.replace(",10,", ",ten,")), env=env, check=False)
    assert p.returncode == 1 and b"line 2" in p.stderr
    assert stock("MUG-BLU", env)["on_hand"] == 10


def test_options_before_or_after_the_command(tmp_path, cli_env):
    env = dict(cli_env)
    other = tmp_path / "other.db"
    env.pop("WAREHOUSE_DB")
    run("operator", "add", "alice", "--db", other, env=env)  # a new database knows no operator yet
    run("--db", other, "stock", "import", write(tmp_path / "stock.csv", STOCK), env=env)
    assert json.loads(run("stock", "show", "MUG-BLU", "--json", "--db", other, env=env).stdout)["on_hand"] == 10
    env["WAREHOUSE_DB"] = str(other)
    assert stock("MUG-BLU", env)["on_hand"] == 10


def test_two_processes_claim_the_same_order_one_wins(tmp_path, cli_env):
    env = cli_env
    run("stock", "import", write(tmp_path / "stock.csv", STOCK), env=env)
    run("import", write(tmp_path / "orders.csv", ORDERS), env=env)
    procs = []
    for name in ("PICK-A", "PICK-B"):
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "warehouse_tui", "station", "--mode", "pick", "--station", name],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env))
    results = [p.communicate(b"BAR-1001\n", timeout=60)[0] for p in procs]
    answers = [json.loads(r.decode().splitlines()[0]) for r in results]
    assert sorted(a["ok"] for a in answers) == [False, True]
    winner = "PICK-A" if answers[0]["ok"] else "PICK-B"
    loser = answers[1] if answers[0]["ok"] else answers[0]
    assert winner in loser["message"]
    events = [e for e in show("BAR-1001", env)["events"] if e["type"] == "status" and e.get("to") == "picking"]
    assert len(events) == 1 and events[0]["station"] == winner


def test_db_backup_and_upgrade(tmp_path, cli_env):
    env = cli_env
    run("stock", "import", write(tmp_path / "stock.csv", STOCK), env=env)
    run("db", "upgrade", env=env)  # at the head already: nothing to do, no harm
    backup = tmp_path / "backup.db"
    if engines.ON_POSTGRES:  # the server's own tools back it up
        p = run("db", "backup", backup, env=env, check=False)
        assert p.returncode == 2 and b"pg_dump" in p.stderr and not backup.exists()
        return
    run("db", "backup", backup, env=env)
    env2 = dict(env, WAREHOUSE_DB=str(backup))
    assert stock("MUG-BLU", env2)["on_hand"] == 10
    assert run("db", "backup", backup, env=env, check=False).returncode == 2  # never overwrites


def test_supervisor_hold_and_release(tmp_path, cli_env):
    env = cli_env
    run("stock", "import", write(tmp_path / "stock.csv", STOCK), env=env)
    run("import", write(tmp_path / "orders.csv", ORDERS), env=env)
    assert stock("MUG-BLU", env)["reserved"] == 2
    run("order", "hold", "BAR-1001", "--reason", "address to check", env=env)
    assert show("BAR-1001", env)["status"] == "on_hold"
    assert stock("MUG-BLU", env)["reserved"] == 0  # a held order reserves nothing
    p = run("order", "release", "BAR-1001", env=env, check=False)  # alice is no supervisor
    assert p.returncode == 1 and b"supervisor" in p.stderr
    run("operator", "add", "bob", "--role", "supervisor", env=env)
    run("operator", "pin", "bob", env=env, stdin="2468\n")  # the first set-up: no PIN needed
    assert b"OP-bob" in run("operator", "list", env=env).stdout
    run("order", "release", "BAR-1001", "--operator", "bob", env=dict(env, WAREHOUSE_PIN="2468"))
    assert show("BAR-1001", env)["status"] == "ready" and stock("MUG-BLU", env)["reserved"] == 2


def test_every_scan_is_in_its_orders_events(tmp_path, cli_env):
    env = cli_env
    run("stock", "import", write(tmp_path / "stock.csv", STOCK), env=env)
    run("import", write(tmp_path / "orders.csv", ORDERS), env=env)
    station("pick", ["BAR-1001"], env, "--station", "PICK-A")
    station("pick", ["BAR-1001"], env, "--station", "PICK-B")  # refused: PICK-A has it
    station("pick", ["%CANCEL", "BAR-1001", "A-01-03", "MUG-BLU", "MUG-BLU", "A-02-01", "TEE-M-BLK", "TOTE-5"],
            env, "--station", "PICK-A")
    scans = [(e["scan"], e["ok"], e["station"]) for e in show("BAR-1001", env)["events"] if e["type"] == "scan"]
    assert ("BAR-1001", False, "PICK-B") in scans
    assert ("%CANCEL", True, "PICK-A") in scans and ("TOTE-5", True, "PICK-A") in scans
    assert len(scans) == 10


def test_helps_and_refusals_of_the_commands(tmp_path, cli_env):
    env = cli_env
    for cmd in (["--help"], ["print", "--help"], ["station", "--help"], ["export", "confirmations", "--help"]):
        assert run(*cmd, env=env).returncode == 0
    assert run("order", "list", "--status", "bogus", env=env, check=False).returncode == 2
    if not engines.ON_POSTGRES:  # (PostgreSQL: refused whatever the path, above)
        p = run("db", "backup", tmp_path / "no" / "such" / "dir.db", env=env, check=False)
        assert p.returncode == 1 and b"cannot back up" in p.stderr
    p = run("import", tmp_path, env=env, check=False)
    assert p.returncode == 1 and b"folder" in p.stderr


def test_the_console_is_read_by_the_common_options_alone_and_every_command_by_the_whole_parser(capsys):
    from warehouse_tui.cli import parse_args

    console = parse_args(["--db", "w.db", "--operator", "alice", "--station", "PACK-1", "--scanner", "keyboard",
                          "--label-dpi", "300"])
    assert console.command is None and console.db == "w.db" and console.scanner == ["keyboard"]
    assert console.label_dpi == 300 and console.printer is None
    # a command word, the value of an option that looks like one, options after the command
    assert parse_args(["--db", "order", "order", "list", "--status", "ready"]).command == "order"
    assert parse_args(["--db", "order"]).command is None
    assert parse_args(["order", "list", "--db", "x.db"]).db == "x.db"
    for mistake in (["--label-dpi", "100"], ["--no-such-option"], ["nosuch"]):
        try:
            parse_args(mistake)
        except SystemExit as exc:
            assert exc.code == 2
        else:
            raise AssertionError(f"{mistake} was read")
        said = capsys.readouterr().err
        assert "usage: warehouse-tui" in said and "COMMAND" in said  # the whole parser's usage
    try:
        parse_args(["--db", "w.db", "--help"])
    except SystemExit as exc:
        assert exc.code == 0
    assert "order" in capsys.readouterr().out  # the help lists the commands
