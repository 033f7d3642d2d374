"""Labels to real printers: a TCP port that refuses, a TCP listener, a CUPS queue, a folder."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

from sqlmodel import select

from tests.documents.doc_helpers import pdf_barcodes
from tests.printing.conftest import closed_port, packed, ship
from warehouse_tui.documents.printers import open_printer
from warehouse_tui.domain.models import Counter, Order, Parcel
from warehouse_tui.workflow.stations import open_session


def state(db, ref="BAR-1001"):
    with db.session() as s:
        order = s.exec(select(Order).where(Order.ref == ref)).one()
        parcels = s.exec(select(Parcel).where(Parcel.order_id == order.id).order_by(Parcel.seq)).all()
        counter = s.get(Counter, "ups:A1B2C3")
        return order, parcels, counter.value if counter else 0


def serial(ups_number: str) -> int:
    return int(ups_number[10:17])  # 1Z + shipper (6) + service (2) + package number (7) + check


def test_a_failed_label_spends_no_number_then_prints_once_and_reprints_the_same_bytes(
        warehouse, settings, listener):
    packed(warehouse, settings, "BAR-1001", "TOTE-1")
    down = open_session("label", warehouse, settings, station="LABEL-1",
                        printer=open_printer(f"tcp://127.0.0.1:{closed_port()}"))
    fb = down.handle("BAR-1001")
    assert not fb.ok and "not printed" in fb.message and "connection refused" in fb.message
    assert "stays packed" in fb.message and fb.expect == "order"
    order, parcels, used = state(warehouse)
    assert (order.status, order.station, used) == ("packed", None, 0)
    assert [(p.tracking_number, p.status) for p in parcels] == [(None, "packed")]

    up = open_session("label", warehouse, settings, station="LABEL-1", printer=open_printer(listener.spec))
    fb = up.handle("BAR-1001")
    assert fb.ok and fb.status == "labeled"
    number = fb.tracking_number
    order, parcels, used = state(warehouse)
    assert [p.tracking_number for p in parcels] == [number]
    assert used == 1 and serial(number) == 1  # no gap where the failed label was
    fb = up.handle("%REPRINT")
    assert fb.ok and "reprinted 1 label for BAR-1001" in fb.message
    listener.close()
    assert len(listener.jobs) == 2 and listener.jobs[0] == listener.jobs[1]
    assert listener.jobs[0].startswith(b"^XA") and number.encode() in listener.jobs[0]
    assert state(warehouse)[2] == 1  # a reprint is the same label, not a new number


def test_each_parcel_gets_its_own_number_and_label(warehouse, settings, labels):
    numbers = ship(warehouse, settings, "BAR-1001", "TOTE-1", boxes_after=(1, 2))
    assert len(set(numbers)) == 3 and [serial(n) for n in numbers] == [1, 2, 3]
    zpl = {f.read_bytes() for f in labels.glob("label-*.zpl")}
    assert len(zpl) == 3
    for i, number in enumerate(numbers, 1):
        (label,) = [z for z in zpl if number.encode() in z]
        assert f"PARCEL {i} OF 3".encode() in label
    _order, parcels, _ = state(warehouse)
    assert [p.tracking_number for p in parcels] == numbers


def test_pdf_label_through_a_folder_decodes_to_its_tracking_number(warehouse, settings, labels):
    settings.label_format = "pdf"
    packed(warehouse, settings, "BAR-1001", "TOTE-1")
    fb = open_session("label", warehouse, settings, station="LABEL-1").handle("BAR-1001")
    assert fb.ok
    (pdf,) = labels.glob("label-*.pdf")
    found = [b.text for page in pdf_barcodes(pdf.read_bytes()) for b in page]
    assert fb.tracking_number in found


def fake_lp(tmp_path, env):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "lp-calls"
    script = bin_dir / "lp"
    script.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$@" >> "{record}.argv"\n'
        f'cat >> "{record}.stdin"\n'
        'echo "request id is $2-17 (1 file(s))"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return record


def test_cups_queue_through_the_headless_label_station(warehouse, settings, cli_env, tmp_path):
    packed(warehouse, settings, "BAR-1001", "TOTE-1")
    fake_lp(tmp_path, cli_env)
    p = subprocess.run([sys.executable, "-m", "warehouse_tui", "station", "--mode", "label", "--station", "LABEL-1",
                        "--printer", "cups:ZEBRA_4X6"], input=b"BAR-1001\n", capture_output=True,
                       env=cli_env, timeout=120, check=False)
    assert p.returncode == 0, p.stderr.decode()
    (out,) = [json.loads(line) for line in p.stdout.decode().splitlines()]
    assert out["ok"] and out["status"] == "labeled"
    argv = (tmp_path / "lp-calls.argv").read_text().splitlines()
    assert argv[:4] == ["-d", "ZEBRA_4X6", "-o", "raw"] and argv[4] == "-t"
    sent = (tmp_path / "lp-calls.stdin").read_bytes()
    assert sent.startswith(b"^XA") and out["tracking_number"].encode() in sent


def test_two_label_stations_at_once_get_distinct_consecutive_numbers(warehouse, settings, cli_env):
    packed(warehouse, settings, "BAR-1001", "TOTE-1")
    packed(warehouse, settings, "BAR-1002", "TOTE-2")  # the config has UPS only: both UPS
    procs = [subprocess.Popen([sys.executable, "-m", "warehouse_tui", "station", "--mode", "label",
                               "--station", name], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=cli_env)
             for name in ("LABEL-A", "LABEL-B")]
    for p, ref in zip(procs, ("BAR-1001", "BAR-1002")):  # both scans go in before either answers
        p.stdin.write(f"{ref}\n".encode())
        p.stdin.flush()
    for p in procs:
        p.stdin.close()
    results = [(p.stdout.read(), p.stderr.read()) for p in procs]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    outs = [json.loads(stdout.decode().splitlines()[0]) for stdout, _ in results]
    assert all(o["ok"] for o in outs), [r[1].decode() for r in results]
    numbers = [o["tracking_number"] for o in outs]
    assert sorted(serial(n) for n in numbers) == [1, 2]
    assert state(warehouse)[2] == 2
    assert {state(warehouse, ref)[1][0].tracking_number for ref in ("BAR-1001", "BAR-1002")} == set(numbers)
