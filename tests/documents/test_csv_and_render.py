"""The manifest CSV (formula-safe), and documents named and formatted for the printers."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from dataclasses import replace
from datetime import datetime

import pytest

from warehouse_tui.channels.base import Address
from warehouse_tui.documents import csv_safe
from warehouse_tui.documents.base import ManifestData
from warehouse_tui.documents.pdf import manifest_csv
from warehouse_tui.documents.render import render_label, render_manifest


@pytest.mark.parametrize(
    "value,expected",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("#1001", "#1001"),
        ("1Z999AA10123456784", "1Z999AA10123456784"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (1250, "1250"),
    ],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


def test_manifest_csv_has_a_row_per_parcel_and_no_formulas():
    data = ManifestData(
        carrier="ups",
        carrier_name="UPS",
        manifest_id="M-1",
        closed_at=datetime(2024, 5, 1, 17, 30),
        ship_from=Address(name="Example Goods Ltd"),
        parcels=[
            ("1Z999AA10123456784", "=cmd|' /C calc'!A0", 1250, "Ground"),
            ("1Z999AA10123456793", 'Zoë\'s, "order"', None, "@Next Day"),
        ],
    )
    text = manifest_csv(data).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "manifest_id",
        "carrier",
        "closed_at",
        "tracking_number",
        "order",
        "weight_g",
        "service",
    ]
    assert rows[1] == [
        "M-1",
        "ups",
        "2024-05-01 17:30:00",
        "1Z999AA10123456784",
        "'=cmd|' /C calc'!A0",
        "1250",
        "Ground",
    ]
    assert rows[2] == [
        "M-1",
        "ups",
        "2024-05-01 17:30:00",
        "1Z999AA10123456793",
        'Zoë\'s, "order"',
        "",
        "'@Next Day",
    ]
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


def test_render_label_names_and_formats_the_document(ups_label):
    doc = render_label(ups_label, "zpl", 300)
    assert (doc.kind, doc.format, doc.name) == ("label", "zpl", "label-1001-1")
    assert b"^PW1200" in doc.data
    doc = render_label(replace(ups_label, order_ref="../#1001/x", parcel_seq=2), "pdf", 203)
    assert (doc.format, doc.name) == ("pdf", "label-1001_x-2")
    assert doc.data.startswith(b"%PDF-")
    with pytest.raises(ValueError, match="zpl or pdf"):
        render_label(ups_label, "png", 203)


def test_render_manifest_in_both_formats():
    data = ManifestData("usps", "USPS", "2024-05-01", None, Address(), [])
    assert render_manifest(data, "csv").name == "manifest-usps-2024-05-01"
    assert render_manifest(data, "csv").data.startswith(b"manifest_id,")
    assert render_manifest(data).data.startswith(b"%PDF-")


def test_the_data_shapes_load_without_reportlab():
    code = (
        "import sys, warehouse_tui.documents.base, warehouse_tui.documents.printers, "
        "warehouse_tui.documents.render\n"
        "from warehouse_tui.documents import csv_safe\n"
        "assert 'reportlab' not in sys.modules, sorted(m for m in sys.modules if 'report' in m)\n"
        "assert 'textual' not in sys.modules and 'rich' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=_env())


def _env():
    import os
    from pathlib import Path

    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    return env
