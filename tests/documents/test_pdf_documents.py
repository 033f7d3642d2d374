"""The PDF documents, read back as a scanner and a person would: barcodes and text."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
import zxingcpp
from doc_helpers import PLACED, UPS_TRACKING, USPS_TRACKING, pdf_barcodes, pdf_pages, pdf_text

from warehouse_tui.documents.base import ManifestData, PickListData, SlipData
from warehouse_tui.documents.command_sheet import COMMANDS
from warehouse_tui.documents.pdf import (
    command_sheet_pdf,
    label_pdf,
    manifest_pdf,
    packing_slip_pdf,
    pick_list_pdf,
)
from warehouse_tui.documents.pdfkit import fonts

MARKUP = "<b>Hi</b> &amp; <i>"


def test_label_pdf_is_4x6_and_scans_as_the_ups_tracking_number(ups_label):
    data = label_pdf(ups_label)
    (page,) = pdf_pages(data, scale=1)
    assert page.size == (288, 432)  # 4 x 6 inches at 72 points an inch
    (found,) = pdf_barcodes(data)
    assert [(r.text, r.symbology_identifier) for r in found] == [(UPS_TRACKING, "]C0")]
    text = pdf_text(data)[0]
    for expected in (
        "UPS",
        "Ground",
        "1.25 kg",
        "ORDER #1001",
        "PARCEL 1 OF 2",
        "SHIP TO:",
        "Example Goods Ltd",
        "Washington, DC 20500",
        UPS_TRACKING,
    ):
        assert expected in text


def test_label_pdf_usps_barcode_is_gs1_128_with_both_ais(usps_label):
    (found,) = pdf_barcodes(label_pdf(usps_label))
    (result,) = found
    assert result.symbology_identifier == "]C1"
    assert result.content_type == zxingcpp.ContentType.GS1
    assert result.bytes == b"42020500\x1d" + USPS_TRACKING.encode()
    assert result.text.startswith("(420)20500(92)")


def test_label_pdf_prints_unicode_names(ups_label):
    if fonts()[0] == "Helvetica":
        pytest.skip("no Unicode TrueType font on this machine")
    assert "Zoë Ångström-Łukasz" in pdf_text(label_pdf(ups_label))[0]


def test_label_pdf_draws_markup_as_text_and_shortens_long_lines(ups_label):
    long_name = "Maximilian Alexander Schwarzenegger-Hohenzollern von und zu Liechtenstein"
    label = replace(ups_label, ship_to=replace(ups_label.ship_to, name=long_name, address1=MARKUP))
    text = pdf_text(label_pdf(label))[0]
    assert MARKUP in text  # drawn as written, not read as markup
    name_line = next(line for line in text.splitlines() if "Maximilian" in line)
    assert name_line.strip().endswith("…") and long_name not in text
    (page,) = pdf_pages(label_pdf(label), scale=2)
    # the right margin stays blank
    assert page.crop((page.width - 14, 0, page.width, page.height)).getextrema() == (255, 255)


def test_label_pdf_with_control_characters_still_renders(ups_label):
    label = replace(ups_label, ship_to=replace(ups_label.ship_to, name="Bad\x00\x1b[31mName\r\n"))
    text = pdf_text(label_pdf(label))[0]
    assert "Bad [31mName" in text


def slip(lines=None, **changes) -> SlipData:
    from warehouse_tui.channels.base import Address

    data = SlipData(
        order_ref="#1001",
        order_barcode="ORD-42",
        placed_at=PLACED,
        ship_from=Address(
            name="Example Goods Ltd",
            address1="1 Dock Road",
            city="Leeds",
            postal_code="LS1 1AA",
            country="GB",
        ),
        ship_to=Address(
            name="Zoë Ångström-Łukasz",
            address1="12 High St",
            city="York",
            postal_code="YO1 7HH",
            country="GB",
        ),
        lines=lines if lines is not None else [("MUG-RED", "Red mug", 2), ("TEE-M", MARKUP, 1)],
        return_instructions="Return within 30 days.\nSend the item to 1 Dock Road, Leeds.",
    )
    return replace(data, **changes)


@pytest.mark.parametrize(
    "page,size", [("a4", (595, 842)), ("letter", (612, 792)), ("4x6", (288, 432))]
)
def test_packing_slip_barcode_scans_as_the_order_barcode(page, size):
    data = packing_slip_pdf(slip(), page)
    (image,) = pdf_pages(data, scale=1)
    assert (abs(image.width - size[0]) <= 1, abs(image.height - size[1]) <= 1) == (True, True)
    (found,) = pdf_barcodes(data)
    assert [r.text for r in found] == ["ORD-42"]
    text = pdf_text(data)[0]
    for expected in (
        "PACKING SLIP",
        "#1001",
        "Placed 2024-05-01",
        "MUG-RED",
        "Red mug",
        "TEE-M",
        MARKUP,
        "Return within 30 days.",
        "3 units",
    ):
        assert expected in text
    if fonts()[0] != "Helvetica":
        assert "Zoë Ångström-Łukasz" in text


def test_packing_slip_of_many_lines_goes_on_to_more_pages_each_with_the_barcode():
    lines = [(f"SKU-{i:03d}", f"Item {i}", 1) for i in range(120)]
    data = packing_slip_pdf(slip(lines), "letter")
    pages = pdf_text(data)
    assert len(pages) >= 3
    assert f"Page 1 of {len(pages)}" in pages[0]
    text = "".join(pages)
    assert all(f"SKU-{i:03d}" in text for i in range(120))
    assert text.index("SKU-000") < text.index("SKU-119")
    assert "Return within 30 days." in pages[-1]
    for found in pdf_barcodes(data, scale=3):
        assert [r.text for r in found] == ["ORD-42"]


def test_packing_slip_page_must_be_known():
    with pytest.raises(ValueError, match="a4"):
        packing_slip_pdf(slip(), "a5")


def test_packing_slip_refuses_a_barcode_it_could_not_print_faithfully():
    with pytest.raises(ValueError, match="ASCII"):
        packing_slip_pdf(slip(order_barcode="ORD-ë"))


def pick_list() -> PickListData:
    return PickListData(
        title="Batch 7",
        created_at=datetime(2024, 5, 1, 9, 30),
        orders=[("#1001", "ORD-1", "TOTE-1"), ("#1002", "ORD-2", None), ("#1003", "ORD-3", "T3")],
        lines=[
            ("C-03", "SKU-C", "Candle", 1, "#1002"),
            ("A-01", "SKU-A", "Apron", 2, "#1001"),
            ("B-02", "SKU-B", MARKUP, 3, "#1003"),
        ],
    )


def test_pick_list_has_each_orders_barcode_and_keeps_the_walking_order():
    data = pick_list_pdf(pick_list())
    (found,) = pdf_barcodes(data)
    assert sorted(r.text for r in found) == ["ORD-1", "ORD-2", "ORD-3"]
    text = pdf_text(data)[0]
    # the given order (walking order of bins), not sorted by bin
    assert text.index("C-03") < text.index("A-01") < text.index("B-02")
    for expected in ("Batch 7", "TOTE-1", "No tote yet", MARKUP, "3 orders, 3 lines, 6 units"):
        assert expected in text


def test_long_pick_list_repeats_its_columns_on_every_page():
    data = replace(
        pick_list(), lines=[(f"A-{i:03d}", f"S{i}", "T", 1, "#1001") for i in range(150)]
    )
    pages = pdf_text(pick_list_pdf(data))
    assert len(pages) >= 3
    for page in pages:
        assert "Bin" in page and "Qty" in page
    joined = "".join(pages)
    positions = [joined.index(f"A-{i:03d}") for i in range(150)]
    assert positions == sorted(positions)


def manifest(count: int = 3) -> ManifestData:
    from warehouse_tui.channels.base import Address

    return ManifestData(
        carrier="ups",
        carrier_name="UPS",
        manifest_id="M-20240501-1",
        closed_at=datetime(2024, 5, 1, 17, 30),
        ship_from=Address(name="Example Goods Ltd", city="Leeds", country="GB"),
        parcels=[
            (f"1Z999AA1012345{i:04d}", f"#10{i:02d}", 1000 + i, "Ground") for i in range(count)
        ],
    )


def test_manifest_pdf_has_a_barcode_per_parcel():
    data = manifest(3)
    pages = pdf_barcodes(manifest_pdf(data))
    assert [r.text for page in pages for r in page] == [p[0] for p in data.parcels]
    text = pdf_text(manifest_pdf(data))[0]
    for expected in (
        "UPS manifest",
        "M-20240501-1",
        "2024-05-01 17:30",
        "3 parcels",
        "#1000",
        "Signature",
    ):
        assert expected in text


def test_manifest_pdf_of_many_parcels_scans_every_one():
    data = manifest(30)
    pages = pdf_barcodes(manifest_pdf(data), scale=3)
    assert len(pages) >= 2
    assert [r.text for page in pages for r in page] == [p[0] for p in data.parcels]


def test_command_sheet_scans_as_every_command_and_badge():
    data = command_sheet_pdf(["zoe", "OP-bob", "Anne Marie"])
    read = [r.text for page in pdf_barcodes(data) for r in page]
    expected = [code for code, _ in COMMANDS] + ["OP-zoe", "OP-bob", "OP-Anne Marie"]
    assert sorted(read) == sorted(expected)
    assert {code for code, _ in COMMANDS} == {
        "%NEXT",
        "%BATCH",
        "%DONE",
        "%SHORT",
        "%CANCEL",
        "%REPRINT",
        "%RESTOCK",
        "%QUARANTINE",
        "%DISPOSE",
        "%HOME",
        "%PICK",
        "%PACK",
        "%LABEL",
        "%RETURNS",
        "%LOOKUP",
        "%SCANCHECK",
    }


def test_command_sheet_with_many_badges_goes_on_to_another_page():
    badges = [f"operator{i}" for i in range(40)]
    data = command_sheet_pdf(badges)
    pages = pdf_barcodes(data, scale=3)
    assert len(pages) >= 2
    read = {r.text for page in pages for r in page}
    assert {f"OP-operator{i}" for i in range(40)} <= read


def test_command_sheet_refuses_a_badge_a_scanner_could_not_read_back():
    with pytest.raises(ValueError, match="Zoë"):
        command_sheet_pdf(["Zoë"])
    with pytest.raises(ValueError):
        command_sheet_pdf([""])
