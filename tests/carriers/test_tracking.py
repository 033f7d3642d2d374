"""Tracking numbers as they come off real labels: recognised only with the right check digit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from warehouse_tui.carriers import (
    CARRIERS,
    TrackingMatch,
    carrier_for_destination,
    detect_tracking,
    format_tracking,
    ups_tracking_number,
    usps_barcode_data,
    usps_tracking_number,
    validate_tracking,
)

REPO = Path(__file__).resolve().parents[2]
GS = "\x1d"


def one_digit_changed(number: str, at: int = -1) -> str:
    i = at % len(number)
    digit = number[i]
    assert digit.isdigit(), number
    return number[:i] + str((int(digit) + 1) % 10) + number[i + 1 :]


# (as read, carrier, the tracking number people see)
VALID = [
    # UPS: the public example and numbers from shipped labels
    ("1Z999AA10123456784", "ups", "1Z999AA10123456784"),
    ("1Z5R89390357567127", "ups", "1Z5R89390357567127"),
    ("1Z879E930346834440", "ups", "1Z879E930346834440"),
    ("1Z8V92A70367203024", "ups", "1Z8V92A70367203024"),
    # USPS IMpb: 22 and 26 digits, with the 420 + ZIP routing prefix, with and without FNC1
    ("9400111899223197428497", "usps", "9400111899223197428497"),
    ("9400111201080805483016", "usps", "9400111201080805483016"),
    ("9361289878700317633795", "usps", "9361289878700317633795"),
    ("9505511069605048600624", "usps", "9505511069605048600624"),
    ("92748931507708513018050063", "usps", "92748931507708513018050063"),
    ("42090210" + GS + "9400111899223197428497", "usps", "9400111899223197428497"),
    ("420902101234" + GS + "9400111899223197428497", "usps", "9400111899223197428497"),
    ("4201002334249200190132607600833457", "usps", "9200190132607600833457"),
    ("420902109400111899223197428497", "usps", "9400111899223197428497"),
    # FedEx Express 12 digits (mod 11), Ground 15 digits (mod 10), the Ground "96" barcode
    # and the Express 34-digit label barcode (each gives the number people track)
    ("986578788855", "fedex", "986578788855"),
    ("799531274483", "fedex", "799531274483"),
    ("974367662710", "fedex", "974367662710"),
    ("041441760228964", "fedex", "041441760228964"),
    ("568283610012734", "fedex", "568283610012734"),
    ("9611020987654312345672", "fedex", "987654312345672"),
    ("1001921334250001000300779017972697", "fedex", "779017972697"),
    # DHL Express waybills (mod 7)
    ("3318810025", "dhl", "3318810025"),
    ("8487135506", "dhl", "8487135506"),
    ("1099255990", "dhl", "1099255990"),
    ("73891051146", "dhl", "73891051146"),
    # UPU S10: Royal Mail (GB), USPS international (US), another post
    ("RR123456785GB", "royalmail", "RR123456785GB"),
    ("RB123456785GB", "royalmail", "RB123456785GB"),
    ("EC123456785US", "usps", "EC123456785US"),
    ("RB123456785CN", "other", "RB123456785CN"),
    # DPD: the label barcode ("%" + postcode + parcel + service + country) and the
    # human-readable line with its ISO 7064 check character
    ("%008182709980000020033350276", "dpd", "09980000020033"),
    ("008182709980000020033350276C", "dpd", "09980000020033"),
    ("008182709980000020045327276N", "dpd", "09980000020045"),
]


@pytest.mark.parametrize(("read", "carrier", "number"), VALID)
def test_a_valid_number_is_recognised(read: str, carrier: str, number: str) -> None:
    assert detect_tracking(read) == TrackingMatch(carrier, number)
    assert validate_tracking(carrier, read)
    assert validate_tracking(carrier, number)


@pytest.mark.parametrize(
    "read",
    [
        "1Z999AA10123456785",
        "1Z999AA10123456774",
        "1Z5R89390357567128",
        "9400111899223197428490",  # the example USPS prints in its FAQ: its check digit is wrong
        "9400111899223197428496",
        "9400111201080805483017",
        "92748931507708513018050064",
        "42090210" + GS + "9400111899223197428496",
        "4201002334249200190132607600833458",
        "986578788856",
        "996578788855",
        "041441760228965",
        "568283610012732",
        "9611020987654312345673",
        "1001921334250001000300779017972698",
        "3318810026",
        "3318810010",
        "73891051147",
        "RR123456786GB",
        "RR123456775GB",
        "008182709980000020033350276A",
    ],
)
def test_one_character_changed_is_not_a_tracking_number(read: str) -> None:
    assert detect_tracking(read) is None


@pytest.mark.parametrize(("read", "carrier", "number"), VALID)
def test_changing_the_check_digit_of_any_valid_number_breaks_it(read: str, carrier: str, number: str) -> None:
    if read.startswith("%"):
        pytest.skip("the DPD barcode carries no check character; Code 128 checks the read")
    if read[-1].isdigit():
        check_at = -1
    elif carrier in ("royalmail", "usps", "other"):
        check_at = 10  # S10: the digit before the country code
    else:
        pytest.skip("DPD's check character is a letter here; a wrong one is tested above")
    assert detect_tracking(one_digit_changed(read, check_at)) is None


def test_numbers_are_normalised_to_upper_case_without_spaces() -> None:
    assert detect_tracking(" 1z 999 aa1 01 2345 678 4 ") == TrackingMatch("ups", "1Z999AA10123456784")
    assert detect_tracking("rr 123 456 785 gb") == TrackingMatch("royalmail", "RR123456785GB")
    assert detect_tracking("9400 1118 9922 3197 4284 97") == TrackingMatch("usps", "9400111899223197428497")


@pytest.mark.parametrize(
    "text",
    ["", "SKU-RED-M", "A-01-03", "112-1234567-1234567", "5012345678900", "1Z", "%NEXT", "٣٣١٨٨١٠٠٢٥", "x" * 500],
)
def test_other_text_is_not_a_tracking_number(text: str) -> None:
    assert detect_tracking(text) is None


def test_a_bare_dpd_parcel_number_validates_by_format_but_is_never_guessed() -> None:
    # 14 digits carry no check character, and would collide with GTIN-14s
    assert detect_tracking("09980000020033") is None
    assert validate_tracking("dpd", "0998 0000 0200 33")
    assert not validate_tracking("dpd", "0998000002003")
    assert not validate_tracking("ups", "09980000020033")


def test_validate_checks_the_carrier_too() -> None:
    assert not validate_tracking("fedex", "1Z999AA10123456784")
    assert not validate_tracking("royalmail", "EC123456785US")
    assert validate_tracking("UPS", "1Z999AA10123456784")
    assert validate_tracking("other", "1Z999AA10123456784")  # "other" takes any checked number
    assert not validate_tracking("other", "not a number")
    assert not validate_tracking("pigeon", "1Z999AA10123456784")


# --- numbers we issue -------------------------------------------------------------------


def test_ups_numbers_from_the_shipper_number() -> None:
    number = ups_tracking_number("A1B2C3", "03", 123)
    assert number == "1ZA1B2C30300001235"
    assert detect_tracking(number) == TrackingMatch("ups", number)
    assert format_tracking(number) == "1Z A1B2C3 03 0000123 5"
    # the public example is shipper 999AA1, service 01, package 2345678
    assert ups_tracking_number("999aa1", "01", 2345678) == "1Z999AA10123456784"


@pytest.mark.parametrize("package", [0, 1, 2, 9, 10, 99, 4711, 1234567, 9_999_999])
def test_every_issued_ups_number_passes_detection(package: int) -> None:
    for shipper in ("A1B2C3", "999AA1", "0X7Z9Q"):
        number = ups_tracking_number(shipper, "03", package)
        assert len(number) == 18
        assert validate_tracking("ups", number)


@pytest.mark.parametrize(
    ("shipper", "service", "package"),
    [("A1B2C", "03", 1), ("A1B2C3D", "03", 1), ("A1-2C3", "03", 1), ("A1B2C3", "3", 1), ("A1B2C3", "03", 10**7),
     ("A1B2C3", "03", -1)],
)
def test_ups_refuses_what_would_not_fit(shipper: str, service: str, package: int) -> None:
    with pytest.raises(ValueError):
        ups_tracking_number(shipper, service, package)


@pytest.mark.parametrize("serial", [0, 1, 2, 17, 4711, 1234567, 9_999_999])
def test_usps_numbers_from_a_nine_digit_mailer_id(serial: int) -> None:
    number = usps_tracking_number("001", "902123456", serial)
    assert len(number) == 22
    assert number.startswith("92001902123456")
    assert number[14:21] == f"{serial:07d}"
    assert detect_tracking(number) == TrackingMatch("usps", number)


def test_usps_numbers_from_a_six_digit_mailer_id() -> None:
    number = usps_tracking_number("055", "123456", 9_876_543_210)
    assert number == "9205512345698765432101"
    assert detect_tracking(number) == TrackingMatch("usps", number)
    assert format_tracking(number) == "9205 5123 4569 8765 4321 01"


@pytest.mark.parametrize(
    ("stc", "mid", "serial"),
    [("01", "902123456", 1), ("001", "812345678", 1), ("001", "912345", 1), ("001", "90212345", 1),
     ("001", "902123456", 10**7), ("001", "123456", 10**10), ("001", "902123456", -1)],
)
def test_usps_refuses_a_malformed_mailer_id_or_serial(stc: str, mid: str, serial: int) -> None:
    with pytest.raises(ValueError):
        usps_tracking_number(stc, mid, serial)


def test_usps_barcode_data_is_ai_420_zip_fnc1_then_the_number() -> None:
    number = usps_tracking_number("001", "902123456", 42)
    assert usps_barcode_data("90210", number) == f"42090210{GS}{number}"
    assert usps_barcode_data("90210-1234", number) == f"420902101234{GS}{number}"
    # and the barcode scanned back gives the same parcel
    assert detect_tracking(usps_barcode_data("90210-1234", number)) == TrackingMatch("usps", number)


@pytest.mark.parametrize(("zip_code", "number"), [("9021", None), ("SW1A 1AA", None), ("90210", "1Z999AA10123456784")])
def test_usps_barcode_data_refuses_what_usps_cannot_route(zip_code: str, number: str | None) -> None:
    with pytest.raises(ValueError):
        usps_barcode_data(zip_code, number or usps_tracking_number("001", "902123456", 1))


# --- for people -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("1Z999AA10123456784", "1Z 999AA1 01 2345678 4"),
        ("9400111899223197428497", "9400 1118 9922 3197 4284 97"),
        ("986578788855", "9865 7878 8855"),
        ("041441760228964", "0414 4176 0228 964"),
        ("3318810025", "3318 8100 25"),
        ("RR123456785GB", "RR 123 456 785 GB"),
        ("%008182709980000020033350276", "0998 0000 0200 33"),
        ("ABC-UNKNOWN-42", "ABC-UNKNOWN-42"),
    ],
)
def test_format_groups_the_number_as_carriers_print_it(number: str, shown: str) -> None:
    assert format_tracking(number) == shown


# --- carriers and destinations ----------------------------------------------------------


def test_the_carrier_list() -> None:
    assert {"ups", "usps", "fedex", "dhl", "royalmail", "dpd", "other"} <= set(CARRIERS)
    assert CARRIERS["usps"].countries is not None and "US" in CARRIERS["usps"].countries
    assert "GB" not in CARRIERS["usps"].countries
    assert CARRIERS["ups"].countries is None
    assert CARRIERS["dhl"].name == "DHL Express"
    assert all(code == c.code for code, c in CARRIERS.items())


def test_an_order_ships_with_the_first_configured_carrier_serving_its_destination() -> None:
    assert carrier_for_destination(["usps", "ups"], "US") == "usps"
    assert carrier_for_destination(["usps", "ups"], "gb") == "ups"
    assert carrier_for_destination(["ups", "usps"], "US") == "ups"
    assert carrier_for_destination(["usps"], "CA") is None
    assert carrier_for_destination(["usps"], "PR") == "usps"  # a US territory
    assert carrier_for_destination([], "US") is None
    assert carrier_for_destination(["pigeon", "royalmail"], "FR") == "royalmail"


def test_carriers_import_no_screen_library() -> None:
    code = "import sys, warehouse_tui.carriers; sys.exit(bool({'textual', 'rich'} & set(sys.modules)))"
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO, check=False).returncode == 0
