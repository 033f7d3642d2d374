"""The scanner check's diagnosis: each fault a scanner can have, emulated key by key."""

from __future__ import annotations

import pytest

from warehouse_tui.scanning.check import SHEET, Capture, Key, Recorder, diagnose

GS = "\x1d"
CODE128, UPCA, EAN13, GS1_128, DATAMATRIX = SHEET

QWERTZ = str.maketrans({"y": "z", "z": "y", "Y": "Z", "Z": "Y"})
UK = str.maketrans({"@": '"', '"': "@"})


def keys_of(text: str, *, t0: float = 100.0, gap: float = 0.004, suffix: str | None = "enter",
            pauses: dict[int, float] | None = None) -> list[tuple[str, str | None, float]]:
    """What a keyboard-wedge scanner types: one key per character, ``gap`` seconds apart."""
    out, t = [], t0
    for i, ch in enumerate(text):
        t += (pauses or {}).get(i, gap) if i else 0
        key = "ctrl+right_square_bracket" if ch == GS else ch
        out.append((key, ch, t))
    if suffix:
        out.append((suffix, None, t + gap))
    return out


def record(keys, *, quiet_after: float = 2.0, **settings) -> Capture:
    """Feed the keys to a Recorder as the screen does; flush after silence if none ended it."""
    rec = Recorder(**settings)
    captures = []
    for key, char, t in keys:
        consumed, cap = rec.feed(key, char, t)
        assert consumed
        if cap:
            captures.append(cap)
    if rec.pending:
        captures.append(rec.flush(keys[-1][2] + quiet_after))
    assert len(captures) == 1
    return captures[0]


def check(keys, **settings):
    return diagnose(record(keys, **{k: v for k, v in settings.items() if k != "wedge_gap_ms"},
                           wedge_gap_ms=settings.get("wedge_gap_ms", 30.0)),
                    **{k: v for k, v in settings.items() if k in ("wedge_gap_ms", "suffix", "prefix")})


@pytest.mark.parametrize("code", SHEET, ids=lambda c: c.key)
def test_a_good_scanner_passes_every_code(code):
    result = check(keys_of(code.data))
    assert result.code == code
    assert result.ok, result.faults
    assert result.max_gap_ms == pytest.approx(4.0)


def test_qwertz_layout_swaps_z_and_y():
    result = check(keys_of(CODE128.data.translate(QWERTZ)))
    assert result.code == CODE128
    assert [f.kind for f in result.faults] == ["layout"]
    assert "Z and Y swapped" in result.faults[0].what and "QWERTZ" in result.faults[0].what
    assert "keyboard language" in result.faults[0].cure


def test_a_real_german_layout_is_named_qwertz_too():
    # a US scanner on a German computer: Z/Y, and the symbols of other keys move as well
    received = 'Yz"Äscanß7-x'
    result = check(keys_of(received))
    assert result.code == CODE128
    assert [f.kind for f in result.faults] == ["layout"]
    assert "QWERTZ" in result.faults[0].what


def test_uk_layout_swaps_at_and_quote():
    result = check(keys_of(CODE128.data.translate(UK)))
    assert [f.kind for f in result.faults] == ["layout"]
    assert 'UK layout' in result.faults[0].what


def test_digits_only_codes_pass_whatever_the_layout():
    assert check(keys_of(EAN13.data)).ok


def test_no_suffix_ends_when_the_wedge_gap_passes_with_a_whole_code_held():
    rec = Recorder(wedge_gap_ms=30)
    last = None
    for key, char, t in keys_of(UPCA.data, suffix=None):
        assert rec.feed(key, char, t) == (True, None)
        last = t
    assert rec.deadline == pytest.approx(last + 0.030)
    assert rec.flush(last + 0.010) is None  # not yet
    cap = rec.flush(last + 0.031)
    assert cap is not None and cap.ended_by == "silence"
    result = diagnose(cap)
    assert result.code == UPCA
    assert [f.kind for f in result.faults] == ["no-suffix"]
    assert "never ended" in result.faults[0].what
    assert "Enter" in result.faults[0].cure


def test_a_part_of_a_code_waits_longer_before_it_is_called_ended():
    rec = Recorder(wedge_gap_ms=30, quiet_s=1.0)
    for key, char, t in keys_of(UPCA.data[:6], suffix=None):
        rec.feed(key, char, t)
    assert rec.flush(t + 0.5) is None
    assert rec.flush(t + 1.0).ended_by == "silence"


def test_tab_instead_of_enter_is_named():
    result = check(keys_of(EAN13.data, suffix="tab"))
    assert [f.kind for f in result.faults] == ["wrong-suffix"]
    assert "Tab" in result.faults[0].what and "scanner_suffix = 'tab'" in result.faults[0].cure


def test_an_extra_prefix_is_named_with_the_setting_that_uses_it():
    result = check(keys_of("~" + EAN13.data))
    assert result.code == EAN13
    assert [f.kind for f in result.faults] == ["prefix"]
    assert "~ came before the code" in result.faults[0].what
    assert "scanner_prefix = '~'" in result.faults[0].cure


def test_a_symbology_identifier_is_understood_not_a_fault():
    result = check(keys_of("]C1" + GS1_128.data))
    assert result.ok and result.code == GS1_128
    assert "]C1" in result.notes[0]


def test_upc_a_as_thirteen_digits_is_understood():
    result = check(keys_of("0" + UPCA.data))
    assert result.ok and result.code == UPCA


def test_extra_text_after_the_code():
    result = check(keys_of(EAN13.data + "#END"))
    assert [f.kind for f in result.faults] == ["extra-text"]


@pytest.mark.parametrize("code", [GS1_128, DATAMATRIX], ids=lambda c: c.key)
def test_gs_lost(code):
    result = check(keys_of(code.data.replace(GS, "")))
    assert result.code == code
    assert [f.kind for f in result.faults] == ["gs-lost"]
    assert "GS" in result.faults[0].cure


def test_check_digit_not_sent():
    result = check(keys_of(EAN13.data[:-1]))
    assert [f.kind for f in result.faults] == ["check-digit"]


def test_slow_keys_give_the_measured_gap_and_a_setting_that_fits():
    result = check(keys_of(CODE128.data, gap=0.045))
    assert result.code == CODE128
    assert [f.kind for f in result.faults] == ["slow"]
    assert result.max_gap_ms == pytest.approx(45.0)
    assert "45 ms" in result.faults[0].what and "wedge_gap_ms is 30" in result.faults[0].what
    assert "wedge_gap_ms = 70" in result.faults[0].cure


def test_one_pause_in_a_fast_scan_counts():
    result = check(keys_of(EAN13.data, pauses={6: 0.120}))
    assert [f.kind for f in result.faults] == ["slow"]
    assert result.max_gap_ms == pytest.approx(120.0)
    assert "wedge_gap_ms = 180" in result.faults[0].cure


def test_a_larger_setting_takes_the_same_scanner():
    assert check(keys_of(CODE128.data, gap=0.045), wedge_gap_ms=70).ok


def test_slow_keys_with_enter_are_not_mistaken_for_no_suffix():
    rec = Recorder(wedge_gap_ms=30)
    keys = keys_of(UPCA.data, gap=0.060)
    for key, char, t in keys[:-1]:
        rec.feed(key, char, t)
    assert rec.flush(keys[-2][2] + 0.040) is None  # the scan's own gap is 60 ms
    consumed, cap = rec.feed(*keys[-1])
    assert cap.ended_by == "enter"


def test_several_faults_at_once():
    text = ("!" + CODE128.data.translate(QWERTZ))
    result = check(keys_of(text, gap=0.05, suffix=None))
    assert {f.kind for f in result.faults} == {"layout", "prefix", "no-suffix", "slow"}


def test_a_code_not_on_the_sheet():
    result = check(keys_of("HELLO-WORLD-99"))
    assert result.code is None
    assert [f.kind for f in result.faults] == ["unknown"]
    assert "not a code of the test sheet" in result.faults[0].what


def test_a_garbled_code_is_matched_to_the_closest():
    result = check(keys_of('Zy@"scen-7/x'))
    assert result.code == CODE128 and [f.kind for f in result.faults] == ["unknown"]
    assert "e for a" in result.faults[0].what


def test_prefix_mode_does_not_care_for_speed_but_wants_its_prefix():
    keys = [("f12", None, 99.9)] + keys_of(EAN13.data, gap=0.2)
    assert check(keys, prefix="f12").ok
    result = check(keys_of(EAN13.data, gap=0.2), prefix="f12")
    assert [f.kind for f in result.faults] == ["prefix"]


def test_serial_data_has_no_timing():
    result = diagnose(Capture.serial(GS1_128.data + "\r\n", "ttyACM0"))
    assert result.ok and result.max_gap_ms is None
    assert diagnose(Capture.serial(EAN13.data, "ttyACM0")).ok  # the reader took the line end off
    lost = diagnose(Capture.serial(GS1_128.data.replace(GS, "") + "\r", "ttyACM0"))
    assert [f.kind for f in lost.faults] == ["gs-lost"]


def test_function_keys_are_not_taken():
    rec = Recorder()
    assert rec.feed("f1", None, 1.0) == (False, None)
    assert rec.feed("enter", None, 1.1) == (True, None)  # a stray Enter with nothing held
    assert not rec.pending


def test_a_key_helper_without_characters():
    # Key objects are what the screen keeps; text skips keys that are not characters
    cap = Capture((Key("a", "a", 0), Key("ctrl+right_square_bracket", None, 0.001), Key("enter", None, 0.002)),
                  "enter")
    assert cap.text == "a" + GS
