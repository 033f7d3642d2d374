"""The command line at its edges: a reader that stops early, and a database path mistyped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.conftest import cli_environment

PROGRAM = [sys.executable, "-m", "warehouse_tui"]


def env_for(tmp_path: Path, db_path: Path) -> dict:
    env = cli_environment(tmp_path, db_path, "")
    env.pop("WAREHOUSE_DB")  # each test names its database with --db
    return env


def test_order_list_into_head_stops_quietly(warehouse, db_path, tmp_path):
    # enough orders that the output cannot sit in the pipe's buffer while the reader is gone
    lines = ["order_id,ship_name,address1,city,postal_code,country,sku,quantity"]
    lines += [f"BULK-{n:05d},Ada Obi,1 Road,Leeds,LS1 1AA,GB,MUG-BLU,1" for n in range(3000)]
    orders = tmp_path / "bulk.csv"
    orders.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = env_for(tmp_path, db_path)
    subprocess.run(PROGRAM + ["--db", str(db_path), "import", str(orders)], env=env, check=True,
                   capture_output=True)
    # the reader takes one line and closes the pipe, as `| head -1` does
    p = subprocess.Popen(PROGRAM + ["--db", str(db_path), "order", "list"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = p.stdout.readline()
    p.stdout.close()
    err = p.stderr.read().decode()
    code = p.wait(timeout=60)
    assert first.strip()
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert err == ""
    assert code == 141


def test_the_json_list_into_a_closed_pipe_too(warehouse, db_path, tmp_path):
    env = env_for(tmp_path, db_path)
    r, w = os.pipe()
    os.close(r)  # nobody reads at all
    p = subprocess.run(PROGRAM + ["--db", str(db_path), "order", "list", "--json"], env=env, stdout=w,
                       stderr=subprocess.PIPE, timeout=60)
    os.close(w)
    assert p.stderr.decode() == ""
    assert p.returncode == 141


@pytest.mark.parametrize("command", [
    ["order", "list"],
    ["order", "show", "BAR-1001"],
    ["stock", "show", "MUG-BLU"],
    ["boxes", "list"],
    ["operator", "list"],
    ["manifest", "list"],
    ["export", "confirmations", "--channel", "amazon"],
])
def test_a_command_that_only_reads_never_creates_a_database(tmp_path, db_path, command):
    missing = tmp_path / "typo" / "dir" / "x.db"
    p = subprocess.run(PROGRAM + ["--db", str(missing), *command], env=env_for(tmp_path, db_path),
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2, p.stderr
    assert str(missing) in p.stderr
    assert "no such database" in p.stderr
    assert "Traceback" not in p.stderr
    assert p.stdout == ""
    assert not (tmp_path / "typo").exists()


def test_a_missing_file_in_an_existing_folder_is_not_created_either(tmp_path, db_path):
    missing = tmp_path / "x.db"
    p = subprocess.run(PROGRAM + ["--db", str(missing), "order", "list", "--json"], env=env_for(tmp_path, db_path),
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert f"{missing}: no such database" in p.stderr
    assert list(tmp_path.glob("x.db*")) == []


def test_reading_an_existing_database_still_works(warehouse, tmp_path, db_path):
    p = subprocess.run(PROGRAM + ["--db", str(db_path), "order", "list", "--json"], env=env_for(tmp_path, db_path),
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "BAR-1001" in p.stdout


def test_a_command_that_writes_may_create_the_database(tmp_path, db_path):
    stock = tmp_path / "stock.csv"
    stock.write_text("sku,title,barcode,bin,quantity\nMUG-BLU,Blue mug,5012345678900,A-01-03,4\n",
                     encoding="utf-8")
    new = tmp_path / "new" / "w.db"
    env = env_for(tmp_path, db_path)
    env.pop("WAREHOUSE_OPERATOR", None)  # a new database knows no operator yet
    p = subprocess.run(PROGRAM + ["--db", str(new), "stock", "import", str(stock)], env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert new.is_file()
    p = subprocess.run(PROGRAM + ["--db", str(new), "stock", "show", "MUG-BLU", "--json"], env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert '"on_hand": 4' in p.stdout
