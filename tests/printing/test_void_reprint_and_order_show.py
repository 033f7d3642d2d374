"""After a void the label station prints, and says, the right count; ``order show`` tells all."""

from __future__ import annotations

import json

from tests.printing.conftest import cli_env, run, ship, supervisor_env  # noqa: F401
from warehouse_tui.workflow.stations import open_session


def station(env, *scans: str, mode: str = "label", name: str = "LABEL-2") -> list[dict]:
    p = run("station", "--mode", mode, "--station", name, env=env, stdin="".join(s + "\n" for s in scans))
    return [json.loads(line) for line in p.stdout.decode().splitlines()]


def test_relabel_after_a_void_prints_one_label_and_says_one(warehouse, settings, cli_env, supervisor_env,
                                                           tmp_path):
    printed = tmp_path / "printed"
    n1, n2 = ship(warehouse, settings, "BAR-1001", "TOTE-1", boxes_after=(1,))
    run("label", "void", n2, env=supervisor_env)  # an override: bob, a supervisor, with his PIN

    (relabel,) = station(cli_env, "BAR-1001")
    assert relabel["ok"] and relabel["status"] == "labeled"
    assert relabel["message"].startswith("printed 1 label for BAR-1001 (parcel 2 of 2)")
    files = sorted(printed.iterdir())
    assert len(files) == 1  # one label printed, as it says
    n3 = relabel["tracking_numbers"][1]
    assert n3.encode() in files[0].read_bytes()

    (reprint,) = station(cli_env, "%REPRINT")  # the same station, the order still in hand
    assert reprint["ok"] and reprint["message"].startswith("reprinted 1 label for BAR-1001 (parcel 2 of 2)")
    again = sorted(set(printed.iterdir()) - set(files))
    assert len(again) == 1 and again[0].read_bytes() == files[0].read_bytes()


def test_reprint_sends_every_label_of_the_last_print(warehouse, settings, cli_env, tmp_path):
    from tests.printing.conftest import packed

    packed(warehouse, settings, "BAR-1001", "TOTE-1", boxes_after=(1,))
    printed_first, reprint = station(cli_env, "BAR-1001", "%REPRINT")
    assert printed_first["message"].startswith("printed 2 labels for BAR-1001")
    assert reprint["message"].startswith("reprinted 2 labels for BAR-1001")
    assert len(list((tmp_path / "printed").iterdir())) == 4


def test_order_show_has_every_event_its_operators_parcels_and_returns(warehouse, settings, cli_env):
    (number,) = ship(warehouse, settings, "BAR-1001", "TOTE-1")
    r = open_session("returns", warehouse, settings, station="RETURNS-1", operator="alice")
    for scan in (number, "5012345678900", "%RESTOCK", "TEE-M-BLK", "%DISPOSE", "%DONE"):
        assert r.handle(scan).ok, scan

    whole = json.loads(run("order", "show", "BAR-1001", "--json", env=cli_env).stdout)
    total = len(whole["events"])
    assert total > 20

    text = run("order", "show", "BAR-1001", env=cli_env).stdout.decode()
    assert f"events: the last 20 of {total}; {total - 20} earlier hidden (order show BAR-1001 --all" in text
    shown = [ln for ln in text.splitlines() if ln.startswith("  20")]  # event lines begin with the date
    assert len(shown) == 20
    assert all(" alice " in ln for ln in shown if " scan " in ln)  # the operator of every scan
    assert f"ups {number}  verified" in text
    assert "returns:" in text and "1 x MUG-BLU restock" in text and "1 x TEE-M-BLK dispose" in text

    every = run("order", "show", "BAR-1001", "--all", env=cli_env).stdout.decode()
    assert f"events ({total}):" in every
    assert len([ln for ln in every.splitlines() if ln.startswith("  20")]) == total
