"""Many scans in one read, scans close together, and scans too long: every suffix ends a scan.

A terminal over SSH, or a scanner uploading its memory, delivers many scans at once: the
console then sees their keys with (almost) the same timestamps. The harness is the one of
test_wedge.py: released text first, then the scan, then the key itself when not consumed.
"""

from __future__ import annotations

from tests.scanning.test_wedge import ENTER, SCANNER, TAB, console, key_of
from warehouse_tui.scanning.grammar import MAX_SCAN
from warehouse_tui.scanning.wedge import WedgeDetector

CODES = [f"ONEW-{n:04d}" for n in range(4, 14)]


def test_ten_scans_in_one_read_are_ten_scans():
    c = console()
    c.wait(1.0)
    for code in CODES:  # every key at the same instant, as parsed from one read
        for ch in code:
            c.press(*key_of(ch))
        c.press(*ENTER)
    c.settle()
    assert c.scans == CODES
    assert c.typed == []


def test_ten_scans_one_read_each_twenty_ms_apart():
    c = console()
    c.wait(1.0)
    for i, code in enumerate(CODES):
        for j, ch in enumerate(code):
            c.press(*key_of(ch), gap=0.020 if i and not j else 0.0)
        c.press(*ENTER)
    c.settle()
    assert c.scans == CODES
    assert c.typed == []


def test_scans_back_to_back_at_scanner_speed():
    c = console()
    for code in CODES:
        c.scan(code, gap=SCANNER)  # the next code's first key one gap after the last Enter
    c.settle()
    assert c.scans == CODES


def test_with_a_tab_suffix_too():
    c = console(suffix="tab")
    c.wait(1.0)
    for code in CODES[:3]:
        c.scan(code, gap=0.001, suffix=TAB)
    c.settle()
    assert c.scans == CODES[:3]


def test_a_scan_right_after_an_enter_that_sent_typing_is_a_scan():
    c = console()
    c.type("abc", gap=0.150)
    c.press(*ENTER, gap=0.150)
    c.scan("TOTE-0042", gap=SCANNER)  # its first key 4 ms after the Enter
    c.settle()
    assert c.text == "abc<enter>"
    assert c.scans == ["TOTE-0042"]


def test_a_burst_after_a_keystroke_that_is_not_a_suffix_still_needs_quiet():
    c = console()
    c.press(*key_of("z"))
    c.wait(0.050)
    c.scan("0400123456789")
    c.settle()
    assert c.scans == []
    assert c.text == "z0400123456789<enter>"


def test_a_scan_over_the_limit_is_one_scan_to_be_refused_whole():
    c = console()
    code = "Q" * 5000
    c.scan(code, gap=0.0005)
    c.settle()
    assert c.scans == [code]  # the grammar refuses it, naming its 5,000 characters
    assert c.typed == []


def test_a_long_burst_cut_by_a_pause_is_still_one_scan():
    """The terminal read the burst in two pieces, with a pause between them."""
    c = console()
    c.wait(1.0)
    for ch in "R" * 4097:
        c.press(*key_of(ch))
    c.wait(0.200)  # the console's timer ticks through the pause: nothing is released
    for ch in "S" * 903:
        c.press(*key_of(ch))
    c.press(*ENTER, gap=0.050)
    c.settle()
    assert c.scans == ["R" * 4097 + "S" * 903]
    assert c.typed == []


def test_a_long_burst_after_typing_is_still_one_scan():
    c = console()
    c.press(*key_of("z"))
    c.wait(0.040)  # within the quiet period
    c.scan("W" * (MAX_SCAN + 1), gap=0.0005)
    c.settle()
    assert c.text == "z"
    assert c.scans == ["W" * (MAX_SCAN + 1)]


def test_a_burst_of_exactly_the_limit_keeps_the_ordinary_rules():
    c = console()
    c.press(*key_of("z"))
    c.wait(0.040)
    c.scan("V" * MAX_SCAN, gap=0.0005)
    c.settle()
    assert c.scans == []  # typing, as any burst right after a keystroke: it lands whole in the field
    assert c.text == "z" + "V" * MAX_SCAN + "<enter>"


def test_a_long_paste_without_a_suffix_is_given_back_after_the_long_pause():
    det = WedgeDetector()
    t = 10.0
    for _ in range(MAX_SCAN + 10):
        assert det.feed("x", "x", t).consumed
        t += 0.0001
    assert det.deadline == t - 0.0001 + 1.0
    assert det.flush(t + 0.5).release == ""
    assert det.flush(t + 1.0).release == "x" * (MAX_SCAN + 10)


def test_the_long_pause_is_configurable():
    det = WedgeDetector(long_gap_ms=100)
    t = 10.0
    for _ in range(MAX_SCAN + 1):
        det.feed("x", "x", t)
    assert det.deadline == t + 0.1
