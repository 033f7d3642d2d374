"""The ZPL shipping label: structure, escaping of order text, fitting, dpi, tracking barcodes."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
import zxingcpp
from doc_helpers import UPS_TRACKING, USPS_TRACKING, zpl_image

from warehouse_tui.documents.zpl import (
    code128_field,
    gs1_128_field,
    label_zpl,
    text_width,
    zpl_escape,
)

HOSTILE = "^XA^FDx^FS^XZ"


def fields(zpl: str) -> list[str]:
    """The data of every field, as written (escaped)."""
    return re.findall(r"\^FD(.*?)\^FS", zpl)


def bc_data(zpl: str) -> list[str]:
    return re.findall(r"\^BC[^\^]*\^FD(.*?)\^FS", zpl)


@pytest.mark.parametrize("dpi,width,height", [(203, 812, 1218), (300, 1200, 1800)])
def test_label_is_one_utf8_format_of_4x6_inches(ups_label, dpi, width, height):
    zpl = label_zpl(ups_label, dpi).decode("utf-8")
    assert zpl.startswith("^XA")
    assert zpl.rstrip().endswith("^XZ")
    assert zpl.count("^XA") == 1 and zpl.count("^XZ") == 1
    assert "^CI28" in zpl
    assert f"^PW{width}" in zpl
    assert f"^LL{height}" in zpl


def test_escape_hex_escapes_what_zpl_would_read_as_commands():
    assert zpl_escape("a^b~c_d") == "a_5Eb_7Ec_5Fd"
    assert zpl_escape("back\\slash") == "back_5Cslash"
    assert zpl_escape("Zoë") == "Zoë"  # UTF-8 under ^CI28 needs no escape
    # control characters would end a field or a command: they become spaces
    assert zpl_escape("line\r\nbreak\x00\x1d\x7fend") == "line break end"


@pytest.mark.parametrize("name", [HOSTILE, "~JR", "~JA cancel ^PQ99"])
def test_buyer_named_like_commands_prints_as_text(ups_label, name):
    label = replace(ups_label, ship_to=replace(ups_label.ship_to, name=name))
    zpl = label_zpl(label).decode("utf-8")
    assert zpl.count("^XA") == 1 and zpl.count("^XZ") == 1
    assert "~" not in zpl
    assert "^FDx" not in zpl
    # every caret and tilde that is left belongs to the label's own commands
    commands = re.findall(r"[\^~][A-Z0-9@]{1,2}", zpl)
    assert set(c[:3] for c in commands) <= {
        "^XA",
        "^XZ",
        "^CI",
        "^PW",
        "^LL",
        "^LH",
        "^PO",
        "^FO",
        "^A0",
        "^FH",
        "^FD",
        "^FS",
        "^GB",
        "^BY",
        "^BC",
    }
    escaped = zpl_escape(name)
    assert any(f.startswith(escaped) for f in fields(zpl))
    # every text field is written through ^FH_
    for line in zpl.splitlines():
        if "^A0" in line:
            assert "^FH_^FD" in line


def ascii_only(label):
    """The renderer's captured printer fonts lack some accented letters."""
    return replace(label, ship_to=replace(label.ship_to, name="Zoe Angstrom-Lukasz"))


def test_hostile_name_renders_as_one_label_with_its_barcode(ups_label):
    label = replace(ups_label, ship_to=replace(ups_label.ship_to, name=HOSTILE + " ~JR"))
    image = zpl_image(label_zpl(label), 203)
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [UPS_TRACKING]


def test_order_fields_are_all_escaped(ups_label):
    label = replace(
        ups_label,
        order_ref="#10_01^",
        service="Gro~und",
        ship_to=replace(ups_label.ship_to, address1="1 Main_St ^FS", city="A~B"),
        ship_from=replace(ups_label.ship_from, name="Shop^XZ"),
    )
    zpl = label_zpl(label).decode("utf-8")
    body = "\n".join(fields(zpl))
    for escaped in ("#10_5F01_5E", "Gro_7Eund", "1 Main_5FSt _5EFS", "A_7EB", "Shop_5EXZ"):
        assert escaped in body


def test_long_names_are_shortened_to_their_field(ups_label):
    long_name = "Maximilian Alexander Schwarzenegger-Hohenzollern von und zu Liechtenstein"
    label = replace(ups_label, ship_to=replace(ups_label.ship_to, name=long_name))
    zpl = label_zpl(label).decode("utf-8")
    line = next(line for line in zpl.splitlines() if "Maximilian" in line)
    x, y, size = map(int, re.search(r"\^FO(\d+),(\d+)\^A0N,(\d+),", line).groups())
    printed = re.search(r"\^FD(.*)\^FS", line).group(1)
    assert printed.endswith("...")
    assert long_name.startswith(printed[:-3])
    assert x + text_width(printed, size) <= 812 - 20
    # the line below is where it was: nothing overprints
    assert f"^FO40,{y + 50}" in zpl


def test_shortened_text_stays_inside_the_label_when_printed(ups_label):
    wide = "W" * 60
    label = replace(ups_label, ship_to=replace(ups_label.ship_to, name=wide, address1=wide))
    image = zpl_image(label_zpl(label), 203).convert("L")
    # the right margin (20 dots) is blank from top to bottom
    margin = image.crop((812 - 18, 0, 812, 1218))
    assert margin.getextrema() == (255, 255)


def test_dpi_scales_every_coordinate(ups_label):
    z203 = label_zpl(ups_label, 203).decode()
    z300 = label_zpl(ups_label, 300).decode()

    def origins(zpl: str) -> list[tuple[str, str]]:
        # the barcode and its text are centred by the barcode's width, which is whole dots
        lines = zpl.splitlines()
        at = next(i for i, line in enumerate(lines) if "^BC" in line)
        rest = "\n".join(lines[:at] + lines[at + 2 :])
        return re.findall(r"\^FO(\d+),(\d+)", rest)

    fo203, fo300 = origins(z203), origins(z300)
    assert len(fo203) == len(fo300) > 10
    for (x1, y1), (x2, y2) in zip(fo203, fo300, strict=True):
        assert abs(int(x2) - int(x1) * 300 / 203) <= 2
        assert abs(int(y2) - int(y1) * 300 / 203) <= 2
    sizes203 = [int(h) for h in re.findall(r"\^A0N,(\d+),", z203)]
    sizes300 = [int(h) for h in re.findall(r"\^A0N,(\d+),", z300)]
    assert [round(h * 300 / 203) for h in sizes203] == sizes300
    # bars: 3 dots at 203 dpi (0.375 mm), 4 at 300 dpi (0.34 mm), 280 dots high scaled
    assert "^BY3,3,280^BCN,280," in z203
    assert "^BY4,3,414^BCN,414," in z300
    with pytest.raises(ValueError):
        label_zpl(ups_label, 600)


def test_ups_tracking_barcode_is_code128_of_the_tracking_number(ups_label):
    zpl = label_zpl(ups_label).decode()
    assert bc_data(zpl) == [">:" + UPS_TRACKING]
    assert "^BCN," in zpl


def test_usps_impb_is_gs1_128_with_fnc1_before_each_ai(usps_label):
    zpl = label_zpl(usps_label).decode()
    # Start C, FNC1, 420 + ZIP, FNC1, 92...: as USPS wants IMpb
    assert bc_data(zpl) == [">;>842020500>8" + USPS_TRACKING]


@pytest.mark.parametrize("dpi", [203, 300])
def test_rendered_ups_label_scans_as_its_tracking_number(ups_label, dpi):
    image = zpl_image(label_zpl(ascii_only(ups_label), dpi), dpi)
    results = zxingcpp.read_barcodes(image)
    assert [(r.text, r.symbology_identifier) for r in results] == [(UPS_TRACKING, "]C0")]


@pytest.mark.parametrize("dpi", [203, 300])
def test_rendered_usps_label_scans_as_its_gs1_element_string(usps_label, dpi):
    image = zpl_image(label_zpl(ascii_only(usps_label), dpi), dpi)
    (result,) = zxingcpp.read_barcodes(image)
    assert result.symbology_identifier == "]C1"  # GS1-128
    assert result.content_type == zxingcpp.ContentType.GS1
    assert result.bytes == b"42020500\x1d" + USPS_TRACKING.encode()
    assert result.text == f"(420)20500(92){USPS_TRACKING[2:]}"


def test_gs1_with_zip_plus_four_and_odd_lengths(ups_label):
    # ZIP+4 keeps subset C; an odd element ends in subset B and comes back
    field, symbols = gs1_128_field("420205001234\x1d92123")
    assert field == ">;>8420205001234>89212>63"
    label = replace(
        ascii_only(ups_label), barcode_type="gs1-128", barcode_data="42020500\x1d921234567"
    )
    (result,) = zxingcpp.read_barcodes(zpl_image(label_zpl(label), 203))
    assert result.bytes == b"42020500\x1d921234567"


def test_code128_field_writes_zpl_specials_as_invocation_codes():
    assert code128_field("A>B") == (">:A>0B", 5)
    assert code128_field("A^B~") == (">:A><B>=", 6)
    with pytest.raises(ValueError):
        code128_field("Zoë")
    with pytest.raises(ValueError):
        code128_field("")


def test_label_with_unknown_barcode_type_is_refused(ups_label):
    with pytest.raises(ValueError):
        label_zpl(replace(ups_label, barcode_type="qr"))


def test_unicode_text_is_written_as_utf8(ups_label):
    zpl = label_zpl(ups_label)
    assert "Zoë Ångström-Łukasz".encode() in zpl
    assert b"PARCEL 1 OF 2" in zpl
    assert b"ORDER #1001" in zpl
    assert b"1.25 kg" in zpl


def test_usps_label_prints_the_tracking_number_for_people(usps_label):
    zpl = label_zpl(usps_label).decode()
    assert "USPS TRACKING #" in zpl
    assert "9205 5901 6491 7312 7510 89" in zpl
