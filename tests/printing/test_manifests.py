"""End-of-day manifests and voided labels, through the stations and the commands."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

from sqlmodel import select

from tests.documents.doc_helpers import pdf_barcodes, pdf_text
from tests.printing.conftest import packed, run, ship
from warehouse_tui.domain.models import (
    Counter,
    Document,
    Event,
    Manifest,
    Order,
    Parcel,
)
from warehouse_tui.workflow.stations import open_session


def parcels(db):
    with db.session() as s:
        return {p.tracking_number: p for p in s.exec(select(Parcel))}


def manifests(db):
    with db.session() as s:
        return list(s.exec(select(Manifest)))


def test_close_the_day_per_carrier(warehouse, settings, cli_env, tmp_path, listener):
    ups = ship(warehouse, settings, "BAR-1001", "TOTE-1", boxes_after=(1,))  # France: UPS, two parcels
    usps = ship(warehouse, settings, "BAR-1002", "TOTE-2")  # the US order: USPS
    assert len(ups) == 2 and len(usps) == 1

    out = tmp_path / "manifests"
    p = run("manifest", "close", "--carrier", "ups", "--out", out, env=cli_env)
    assert p.stdout.decode().strip() == "1"
    assert b"2 parcels" in p.stderr
    pdf, sheet = out / "manifest-ups-1.pdf", out / "manifest-ups-1.csv"
    found = [b.text for page in pdf_barcodes(pdf.read_bytes()) for b in page]
    assert sorted(found) == sorted(ups)  # a scannable barcode per parcel, nothing else
    assert "BAR-1001" in pdf_text(pdf.read_bytes())[0]
    rows = list(csv.DictReader(io.StringIO(sheet.read_text(encoding="utf-8"))))
    assert sorted(r["tracking_number"] for r in rows) == sorted(ups)
    assert {r["manifest_id"] for r in rows} == {"1"} and {r["carrier"] for r in rows} == {"ups"}

    on = parcels(warehouse)
    assert [on[n].manifest_id for n in ups] == [1, 1] and on[usps[0]].manifest_id is None
    with warehouse.session() as s:
        docs = s.exec(select(Document).where(Document.kind == "manifest")).all()
        assert sorted(d.format for d in docs) == ["csv", "pdf"]
        assert {d.data for d in docs} == {pdf.read_bytes(), sheet.read_bytes()}

    again = run("manifest", "close", "--carrier", "ups", "--out", out, env=cli_env, check=False)
    assert again.returncode == 1 and b"no shipped UPS parcels" in again.stderr
    assert len(manifests(warehouse)) == 1  # the empty close left nothing behind

    # without --out the PDF goes to the printer and the CSV beside, here the working directory
    work = tmp_path / "work"
    work.mkdir()
    p = run("manifest", "close", "--carrier", "usps", "--printer", listener.spec, env=cli_env, cwd=work)
    # the new manifest's id (PostgreSQL's sequences may skip the id of the refused close)
    new_id = max(m.id for m in manifests(warehouse))
    assert p.stdout.decode().strip() == str(new_id)
    assert len(manifests(warehouse)) == 2
    listener.close()
    assert len(listener.jobs) == 1 and listener.jobs[0].startswith(b"%PDF-")
    assert [b.text for b in pdf_barcodes(listener.jobs[0])[0]] == usps
    assert usps[0] in (work / f"manifest-usps-{new_id}.csv").read_text()

    listing = json.loads(run("manifest", "list", "--json", env=cli_env).stdout)
    assert [(m["id"], m["carrier"], m["parcels"]) for m in listing] == [(1, "ups", 2), (new_id, "usps", 1)]
    assert b"ups" in run("manifest", "list", env=cli_env).stdout


def test_parcels_not_yet_scanned_stay_off_the_manifest(warehouse, settings, cli_env, tmp_path):
    packed(warehouse, settings, "BAR-1001", "TOTE-1")
    fb = open_session("label", warehouse, settings, station="LABEL-1").handle("BAR-1001")
    assert fb.ok and fb.status == "labeled"  # printed, not scanned: not shipped yet
    p = run("manifest", "close", "--carrier", "ups", "--out", tmp_path / "m", env=cli_env, check=False)
    assert p.returncode == 1 and manifests(warehouse) == []
    assert parcels(warehouse)[fb.tracking_number].manifest_id is None


def test_two_closes_at_once_never_share_a_parcel(warehouse, settings, cli_env, tmp_path):
    numbers = ship(warehouse, settings, "BAR-1001", "TOTE-1", boxes_after=(1, 2))
    procs = [subprocess.Popen([sys.executable, "-m", "warehouse_tui", "manifest", "close", "--carrier", "ups",
                               "--out", str(tmp_path / name), "--station", name],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env)
             for name in ("DOCK-A", "DOCK-B")]
    codes = sorted(p.wait(timeout=120) for p in procs)
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert codes == [0, 1]  # one took every parcel, the other found none left
    ms = manifests(warehouse)
    assert len(ms) == 1
    assert {parcels(warehouse)[n].manifest_id for n in numbers} == {ms[0].id}


def test_void_a_label_and_print_a_new_one(warehouse, settings, cli_env, supervisor_env, labels):
    n1, n2 = ship(warehouse, settings, "BAR-1001", "TOTE-1", boxes_after=(1,))
    p = run("label", "void", n2, env=cli_env, check=False)  # alice: voiding is a supervisor's
    assert p.returncode == 1 and b"PIN refused" in p.stderr
    assert parcels(warehouse)[n2].status == "verified"
    p = run("label", "void", n2, env=supervisor_env)
    assert b"voided" in p.stderr
    with warehouse.session() as s:
        parcel = s.exec(select(Parcel).where(Parcel.seq == 2)).one()
        assert (parcel.tracking_number, parcel.status, parcel.verified_at) == (None, "packed", None)
        order = s.exec(select(Order).where(Order.ref == "BAR-1001")).one()
        assert order.status == "packed" and order.station is None
        void = s.exec(select(Event).where(Event.type == "void")).one()
        assert json.loads(void.data)["tracking_number"] == n2 and void.order_id == order.id
        allowed = [json.loads(e.data) for e in s.exec(select(Event).where(Event.type == "override", Event.ok))]
        assert [(d["asked_by"], d["allowed_by"]) for d in allowed] == [("bob", "bob")]
        assert s.get(Counter, "ups:A1B2C3").value == 2

    before = set(labels.iterdir())
    lb = open_session("label", warehouse, settings, station="LABEL-2")
    fb = lb.handle("BAR-1001")
    assert fb.ok and fb.status == "labeled"
    n3 = fb.tracking_numbers[1]
    assert fb.tracking_numbers == [n1, n3] and n3 not in (n1, n2)  # a number is never issued again
    (new,) = set(labels.iterdir()) - before  # only the voided parcel's label printed again
    assert n3.encode() in new.read_bytes() and b"PARCEL 2 OF 2" in new.read_bytes()
    with warehouse.session() as s:
        assert s.get(Counter, "ups:A1B2C3").value == 3

    fb = lb.handle(n2)  # the old label, still lying on the bench
    assert not fb.ok and "voided" in fb.message
    assert lb.handle(n1).ok  # verified already
    fb = lb.handle(n3)
    assert fb.ok and "shipped" in fb.message

    again = run("label", "void", n2, env=supervisor_env, check=False)
    assert again.returncode == 1 and b"voided already" in again.stderr
    unknown = run("label", "void", "1Z999AA10123456784", env=supervisor_env, check=False)
    assert unknown.returncode == 1 and b"no parcel" in unknown.stderr


def test_a_label_on_a_manifest_cannot_be_voided(warehouse, settings, cli_env, supervisor_env, tmp_path):
    (number,) = ship(warehouse, settings, "BAR-1001", "TOTE-1")
    run("manifest", "close", "--carrier", "ups", "--out", tmp_path / "m", env=cli_env)
    closed = manifests(warehouse)[0].closed_at
    p = run("label", "void", number, env=supervisor_env, check=False)
    assert p.returncode == 1
    assert f"on manifest 1 of {closed:%Y-%m-%d}".encode() in p.stderr
    with warehouse.session() as s:
        assert s.exec(select(Order).where(Order.ref == "BAR-1001")).one().status == "shipped"
    assert parcels(warehouse)[number].status == "verified"


def test_a_manifest_that_does_not_print_is_not_closed(warehouse, settings, cli_env, tmp_path):
    from tests.printing.conftest import closed_port

    (number,) = ship(warehouse, settings, "BAR-1001", "TOTE-1")
    p = run("manifest", "close", "--carrier", "ups", "--printer", f"tcp://127.0.0.1:{closed_port()}",
            env=cli_env, check=False, cwd=tmp_path)
    assert p.returncode == 1 and b"manifest not closed" in p.stderr and b"connection refused" in p.stderr
    assert manifests(warehouse) == [] and parcels(warehouse)[number].manifest_id is None
    with warehouse.session() as s:
        assert s.exec(select(Document).where(Document.kind == "manifest")).all() == []
    assert not list(tmp_path.glob("manifest-*"))
    p = run("print", "commands", "--printer", f"tcp://127.0.0.1:{closed_port()}", env=cli_env, check=False)
    assert p.returncode == 1 and b"connection refused" in p.stderr
