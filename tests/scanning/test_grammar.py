"""The scan grammar: what a scanner's bytes can be, before the database is asked."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path
from datetime import date

import pytest

from warehouse_tui.carriers import TrackingMatch, usps_barcode_data, usps_tracking_number
from warehouse_tui.scanning.grammar import (
    COMMANDS,
    MAX_SCAN,
    Kind,
    ParsedScan,
    ScanRefused,
    normalise_barcode,
    order_barcode,
    parse_scan,
)

REPO = Path(__file__).resolve().parents[2]
GS = "\x1d"
GTIN = "09506000134352"  # GS1's own example GTIN-13 in its 14-digit form


def refused(raw: str | bytes) -> str:
    with pytest.raises(ScanRefused) as info:
        parse_scan(raw)
    message = info.value.message
    assert message.startswith("scan refused: ")
    assert message.isprintable(), "the message must be safe to show and to log"
    return message


# --- commands and prefixes --------------------------------------------------------------


def test_the_commands_of_the_contract() -> None:
    assert COMMANDS == {
        "NEXT", "BATCH", "DONE", "SHORT", "CANCEL", "REPRINT", "RESTOCK", "QUARANTINE",
        "DISPOSE", "HOME", "PICK", "PACK", "LABEL", "RETURNS", "LOOKUP", "SCANCHECK",
    }  # fmt: skip


@pytest.mark.parametrize("name", sorted(COMMANDS))
@pytest.mark.parametrize("spelling", [str.upper, str.lower, str.title])
def test_a_command_in_any_case(name: str, spelling) -> None:
    scan = parse_scan(f"%{spelling(name)}\r\n")
    assert (scan.kind, scan.value) == (Kind.COMMAND, name)


def test_an_unknown_command_is_refused() -> None:
    assert "unknown command %FOO" in refused("%FOO")
    assert "unknown command %next please" in refused("%next please")
    assert "unknown command %" in refused("%")


@pytest.mark.parametrize(
    ("raw", "kind", "value"),
    [
        ("TOTE-07", Kind.TOTE, "TOTE-07"),
        ("tote-07", Kind.TOTE, "TOTE-07"),
        ("Tote-a12", Kind.TOTE, "TOTE-A12"),
        ("BOX-S", Kind.BOX, "BOX-S"),
        ("box-mailer-a4", Kind.BOX, "BOX-MAILER-A4"),
        ("OP-alice", Kind.BADGE, "alice"),
        ("op-Zoë Brown", Kind.BADGE, "Zoë Brown"),
        ("ORD-42", Kind.ORDER_BARCODE, "42"),
        ("ord-0042", Kind.ORDER_BARCODE, "42"),
    ],
)
def test_prefixes_are_case_insensitive(raw: str, kind: Kind, value: str) -> None:
    scan = parse_scan(raw + "\r")
    assert (scan.kind, scan.value, scan.text) == (kind, value, raw)


def test_the_order_barcode_round_trips() -> None:
    assert order_barcode(1017) == "ORD-1017"
    scan = parse_scan(order_barcode(1017))
    assert (scan.kind, scan.value) == (Kind.ORDER_BARCODE, "1017")
    with pytest.raises(ValueError):
        order_barcode(-1)


def test_an_ord_text_that_is_not_our_barcode_is_left_to_the_resolver() -> None:
    # a generic CSV may well use order ids like this one
    scan = parse_scan("ORD-2024-0017")
    assert (scan.kind, scan.value) == (Kind.TEXT, "ORD-2024-0017")


@pytest.mark.parametrize("raw", ["TOTE-", "box-", "OP-", "OP-   "])
def test_a_prefix_with_nothing_after_it_is_refused(raw: str) -> None:
    assert "nothing after it" in refused(raw)


# --- AIM symbology identifiers ----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "symbology", "kind", "value"),
    [
        ("]C0TOTE-07", "]C0", Kind.TOTE, "TOTE-07"),
        ("]A0%DONE", "]A0", Kind.COMMAND, "DONE"),
        ("]C0SKU-RED-M", "]C0", Kind.TEXT, "SKU-RED-M"),
        ("]E05012345678900", "]E0", Kind.TEXT, "5012345678900"),
        ("]C1" + "01" + GTIN, "]C1", Kind.GS1, "01" + GTIN),
        ("]d2" + "01" + GTIN + "10LOT7", "]d2", Kind.GS1, "01" + GTIN + "10LOT7"),
        ("]Q3" + "01" + GTIN, "]Q3", Kind.GS1, "01" + GTIN),
        ("]e0" + "0100012345678905", "]e0", Kind.GS1, "0100012345678905"),
    ],
)
def test_the_symbology_identifier_is_taken_off(raw: str, symbology: str, kind: Kind, value: str) -> None:
    scan = parse_scan(raw + "\r\n")
    assert (scan.symbology, scan.kind, scan.value, scan.text) == (symbology, kind, value, raw[3:])
    assert scan.raw == raw + "\r\n"  # as received, for the event log


def test_without_a_symbology_identifier_there_is_none() -> None:
    assert parse_scan("SKU-RED-M").symbology is None


# --- GS1 element strings ----------------------------------------------------------------


def test_a_gs1_datamatrix_with_gtin_lot_expiry_and_serial() -> None:
    scan = parse_scan(f"]d201{GTIN}10ABC123{GS}17251231{GS}21SER99")
    assert scan.kind is Kind.GS1
    assert scan.gtin == GTIN
    assert scan.lot == "ABC123"
    assert scan.expiry == date(2025, 12, 31)
    assert scan.serial == "SER99"
    assert scan.check_digit_error is None


def test_group_separators_make_a_gs1_string_without_a_symbology_identifier() -> None:
    scan = parse_scan(f"01{GTIN}21SN-0042{GS}10L2{GS}")
    assert (scan.kind, scan.gtin, scan.serial, scan.lot) == (Kind.GS1, GTIN, "SN-0042", "L2")
    assert scan.text.count(GS) == 2, "GS is data in a GS1 string and stays in the text"


def test_ai_01_and_fourteen_digits_make_a_gs1_string_on_their_own() -> None:
    scan = parse_scan(f"01{GTIN}17260600" + "10B-77")
    assert scan.kind is Kind.GS1
    assert (scan.gtin, scan.expiry, scan.lot) == (GTIN, date(2026, 6, 30), "B-77")  # day 00: month end


def test_an_sscc_pallet_label() -> None:
    scan = parse_scan("]C100106141411234567897")
    assert (scan.kind, scan.sscc, scan.gtin) == (Kind.GS1, "106141411234567897", None)


def test_a_gs1_string_with_a_wrong_gtin_check_digit_is_refused() -> None:
    message = refused(f"]C101{GTIN[:-1]}1{GS}10ABC")
    assert "check digit of GTIN 09506000134351 should be 2" in message
    assert "0109506000134351" in message


@pytest.mark.parametrize(
    "raw",
    [
        f"]C101{GTIN}17251341",  # 41st of December
        "]C1123",
        f"01{GTIN}99",
        f"JUNK{GS}MORE",
        f"]C100106141411234567898{GS}",  # SSCC check digit
    ],
)
def test_a_gs1_string_that_does_not_parse_is_refused_with_what_was_read(raw: str) -> None:
    message = refused(raw)
    shown = raw.removeprefix("]C1").replace(GS, "\\x1d")
    assert shown[:30] in message


# --- GTINs ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["012345678905", "0012345678905", "00012345678905", "]E0012345678905"])
def test_upc_a_ean_13_and_gtin_14_of_one_product_meet(code: str) -> None:
    scan = parse_scan(code)
    assert scan.kind is Kind.TEXT
    assert scan.gtin == "00012345678905"
    assert scan.check_digit_error is None
    assert normalise_barcode(code.removeprefix("]E0")) == "00012345678905"


@pytest.mark.parametrize(
    ("code", "gtin"),
    [
        ("5012345678900", "05012345678900"),
        ("4006381333931", "04006381333931"),
        ("96385074", "00000096385074"),  # GTIN-8
        ("10012345678902", "10012345678902"),  # GTIN-14, a case of the UPC-A above
    ],
)
def test_other_gtins(code: str, gtin: str) -> None:
    assert parse_scan(code).gtin == gtin
    assert normalise_barcode(f"  {code} ") == gtin


def test_upc_e_is_expanded() -> None:
    assert parse_scan("04252614").gtin == "00042100005264"  # 8 digits: not a GTIN-8, a UPC-E
    assert parse_scan("]E0425261").gtin == "00042100005264"  # 6 digits, the scanner said UPC
    assert parse_scan("425261").gtin is None  # six digits alone may be anything


@pytest.mark.parametrize(
    ("code", "expected"),
    [("5012345678901", 0), ("012345678904", 5), ("00012345678900", 5), ("96385070", 4)],
)
def test_a_wrong_check_digit_is_reported_not_refused(code: str, expected: int) -> None:
    scan = parse_scan(code)
    assert scan.kind is Kind.TEXT and scan.gtin is None
    assert scan.check_digit_error == f"check digit of {code} should be {expected}"


def test_normalise_barcode_keeps_other_codes_as_they_are() -> None:
    assert normalise_barcode(" Tee-Red-M ") == "Tee-Red-M"
    assert normalise_barcode("5012345678901") == "5012345678901"  # not a valid GTIN
    assert normalise_barcode("X123") == "X123"


# --- plain text -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["TEE-RED-M", "A-01-03", "112-1234567-1234567", "#1001", "3141592653", "27-11911-26203", "Zoë's mug"],
)
def test_skus_bins_and_order_ids_are_text_for_the_resolver(text: str) -> None:
    scan = parse_scan(f"  {text}  \n")
    assert (scan.kind, scan.value, scan.text) == (Kind.TEXT, text, text)
    assert scan.check_digit_error is None


# --- tracking numbers in scans ----------------------------------------------------------


def test_a_ups_label() -> None:
    scan = parse_scan("]C01Z999AA10123456784")
    assert scan.kind is Kind.TEXT
    assert scan.tracking == TrackingMatch("ups", "1Z999AA10123456784")


def test_a_usps_imPb_label_gs1_128_with_its_zip() -> None:
    number = usps_tracking_number("001", "902123456", 77)
    scan = parse_scan("]C1" + usps_barcode_data("90210-1234", number))
    assert scan.kind is Kind.GS1
    assert scan.tracking == TrackingMatch("usps", number)
    assert scan.postal_code == "902101234"


def test_a_usps_label_read_without_its_fnc1() -> None:
    scan = parse_scan("420902109400111899223197428497")
    assert scan.tracking == TrackingMatch("usps", "9400111899223197428497")
    assert scan.postal_code == "90210"
    scan = parse_scan("]C1420902109400111899223197428497")
    assert (scan.kind, scan.postal_code) == (Kind.TEXT, "90210")


def test_a_fedex_ground_96_barcode() -> None:
    scan = parse_scan("]C19611020987654312345672")
    assert scan.tracking == TrackingMatch("fedex", "987654312345672")


def test_a_dpd_label_barcode_begins_with_a_percent_sign_and_is_not_a_command() -> None:
    scan = parse_scan("]C0%008182709980000020033350276")
    assert scan.kind is Kind.TEXT
    assert scan.tracking == TrackingMatch("dpd", "09980000020033")


@pytest.mark.parametrize(
    ("text", "carrier", "misread"),
    [("RR123456785GB", "royalmail", "RR123456780GB"), ("3318810025", "dhl", "3318810029"),
     ("986578788855", "fedex", "986578788859")],
)
def test_other_tracking_numbers(text: str, carrier: str, misread: str) -> None:
    assert parse_scan(text).tracking == TrackingMatch(carrier, text)
    assert parse_scan(misread).tracking is None


# --- refusals ---------------------------------------------------------------------------


def test_the_longest_scan_is_4096_characters() -> None:
    assert MAX_SCAN == 4096
    assert parse_scan("A" * 4096 + "\r\n").text == "A" * 4096
    message = refused("A" * 4097)
    assert "4,097 characters" in message
    assert len(message) < 120, "what was read is cut short"


@pytest.mark.parametrize(
    ("raw", "code", "position"),
    [
        ("ab\x07c", "U+0007", 3),
        ("\tTOTE-07", "U+0009", 1),
        ("SKU\x1bX", "U+001B", 4),
        ("SKU\x7f", "U+007F", 4),
        ("SKU\x85", "U+0085", 4),
        ("TOTE-07\r\n\r\n", "U+000D", 8),  # only one line end is the scanner's
        ("TOTE\n07", "U+000A", 5),
        ("SKU\x00", "U+0000", 4),
    ],
)
def test_control_characters_are_refused(raw: str, code: str, position: int) -> None:
    message = refused(raw)
    assert f"control character {code} at position {position}" in message


def test_gs_is_the_one_control_character_a_scan_may_hold() -> None:
    assert parse_scan(f"01{GTIN}{GS}10A").kind is Kind.GS1


def test_bytes_must_be_utf8() -> None:
    assert "not valid UTF-8" in refused(b"TOTE-\xff07")
    assert "not valid UTF-8" in refused(b"\xc3\x28")
    assert parse_scan("OP-Zoë\r\n".encode()).value == "Zoë"


def test_a_refusal_keeps_what_was_received_for_the_event_log() -> None:
    with pytest.raises(ScanRefused) as info:
        parse_scan(b"TOTE-\xff07")
    assert info.value.raw == "TOTE-\\xff07"
    with pytest.raises(ScanRefused) as info:
        parse_scan("%FOO\r\n")
    assert info.value.raw == "%FOO\r\n"


@pytest.mark.parametrize("raw", ["", "\r\n", "   ", " \n", "]C1", b""])
def test_an_empty_scan_is_refused(raw: str | bytes) -> None:
    assert "empty" in refused(raw)


def test_a_long_refusal_quotes_only_the_start() -> None:
    message = refused("X" * 500 + "\x07")
    assert message.count("X") <= 60
    assert "…" in message


# --- the shape of the answer ------------------------------------------------------------


def test_a_parsed_scan_is_frozen() -> None:
    scan = parse_scan("TOTE-07")
    assert isinstance(scan, ParsedScan)
    with pytest.raises(dataclasses.FrozenInstanceError):
        scan.kind = Kind.BOX  # type: ignore[misc]


def test_the_grammar_imports_no_screen_library() -> None:
    code = "import sys, warehouse_tui.scanning.grammar; sys.exit(bool({'textual', 'rich'} & set(sys.modules)))"
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO, check=False).returncode == 0
