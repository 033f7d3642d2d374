"""Keyboard-wedge detection with synthetic key timings, through a console-like harness.

The harness applies each result the way the console does (released text first, then the
scan, then the key itself when not consumed) and ticks `flush` every 5 ms, so the tests see
what the operator would: the text that reached the focused Input and the scans taken.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from warehouse_tui.scanning.wedge import GS, GS_KEY, WedgeDetector, WedgeResult

TICK = 0.005
SCANNER = 0.004  # a scanner: 4 ms a key
PERSON = 0.150  # a person: 150 ms a key

ENTER = ("enter", "\r")
TAB = ("tab", "\t")
BACKSPACE = ("backspace", None)
F12 = ("f12", None)
GS_PRESS = (GS_KEY, GS)


def key_of(char: str) -> tuple[str, str | None]:
    return (char if char.isalnum() else f"key-{ord(char)}", char)


@dataclass
class Console:
    detector: WedgeDetector
    now: float = 100.0
    typed: list[str] = field(default_factory=list)  # characters and <key> names, in order
    scans: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.typed)

    def apply(self, result: WedgeResult, key: str | None = None, char: str | None = None) -> None:
        self.typed.extend(result.release)
        if result.scan is not None:
            self.scans.append(result.scan)
        if key is not None and not result.consumed:
            self.typed.append(char if char and char.isprintable() else f"<{key}>")

    def wait(self, seconds: float) -> None:
        """Let time pass, with the console's timer ticking."""
        end = self.now + seconds
        while self.now + TICK <= end:
            self.now += TICK
            self.apply(self.detector.flush(self.now))
        self.now = end
        self.apply(self.detector.flush(self.now))

    def press(self, key: str, char: str | None, gap: float = 0.0) -> WedgeResult:
        if gap:
            self.wait(gap)
        result = self.detector.feed(key, char, self.now)
        self.apply(result, key, char)
        return result

    def type(self, text: str, gap: float) -> None:
        for i, char in enumerate(text):
            self.press(*key_of(char), gap=gap)

    def scan(self, code: str, gap: float = SCANNER, suffix: tuple[str, str | None] = ENTER) -> None:
        """A scanner burst: the code, then its suffix, `gap` apart."""
        for i, char in enumerate(code):
            if char == GS:
                self.press(*GS_PRESS, gap=gap if i else 0.0)
            else:
                self.press(*key_of(char), gap=gap if i else 0.0)
        self.press(*suffix, gap=gap)

    def settle(self) -> None:
        self.wait(2.0)
        assert not self.detector.pending


def console(**options) -> Console:
    return Console(WedgeDetector(**options))


# -- timing mode ----------------------------------------------------------------------------


def test_a_fast_burst_ending_in_enter_is_one_scan_and_nothing_is_typed():
    c = console()
    c.scan("5012345678900")
    c.settle()
    assert c.scans == ["5012345678900"]
    assert c.typed == []


def test_every_key_of_a_scan_is_consumed_including_enter():
    c = console()
    results = [c.press(*key_of(ch), gap=SCANNER) for ch in "TOTE-0042"]
    results.append(c.press(*ENTER, gap=SCANNER))
    assert all(r.consumed for r in results)
    assert [r.scan for r in results if r.scan] == ["TOTE-0042"]
    assert all(r.release == "" for r in results)


def test_a_person_typing_gets_every_key_through_in_order():
    c = console()
    c.type("bin a-12", gap=PERSON)
    c.press(*ENTER, gap=PERSON)
    c.settle()
    assert c.scans == []
    assert c.text == "bin a-12<enter>"


def test_a_single_keystroke_is_held_at_most_one_gap_and_then_released():
    c = console()
    result = c.press("x", "x")
    assert result.consumed and c.typed == []  # held: it might be a scanner's first key
    assert c.detector.deadline == pytest.approx(c.now + 0.030)
    c.wait(0.029)
    assert c.typed == []
    c.wait(0.002)
    assert c.text == "x"
    assert c.detector.deadline is None


def test_a_held_key_is_released_before_the_next_slow_key():
    det = WedgeDetector()
    assert det.feed("a", "a", 1.0) == WedgeResult(consumed=True)
    # no timer tick in between: the next key itself reveals the gap
    assert det.feed("b", "b", 1.2) == WedgeResult(consumed=True, release="a")
    assert det.flush(1.3) == WedgeResult(release="b")


def test_typing_then_a_scan_then_typing():
    c = console()
    c.type("note", gap=PERSON)
    c.wait(1.0)
    c.scan("0400123456789")
    c.wait(0.8)
    c.type("ok", gap=PERSON)
    c.press(*ENTER, gap=PERSON)
    c.settle()
    assert c.scans == ["0400123456789"]
    assert c.text == "noteok<enter>"


def test_two_scans_back_to_back():
    c = console()
    c.scan("BOX-S")
    c.wait(0.3)
    c.scan("%DONE")
    c.settle()
    assert c.scans == ["BOX-S", "%DONE"]
    assert c.typed == []


def test_a_fast_burst_shorter_than_min_length_is_typing_and_enter_passes():
    c = console()
    c.scan("ab1")
    c.settle()
    assert c.scans == []
    assert c.text == "ab1<enter>"


def test_min_length_counts_exactly():
    c = console(min_length=4)
    c.scan("A123")
    c.wait(0.5)
    c.scan("B12")
    c.settle()
    assert c.scans == ["A123"]
    assert c.text == "B12<enter>"


def test_a_fast_burst_without_enter_is_given_back_when_the_silence_shows():
    c = console()
    for i, ch in enumerate("QWERTY"):
        c.press(*key_of(ch), gap=SCANNER if i else 0.0)
    assert c.typed == []
    c.wait(0.1)
    assert c.scans == []
    assert c.text == "QWERTY"


def test_an_enter_that_comes_too_late_is_not_a_suffix():
    c = console()
    for i, ch in enumerate("ABCDEFG"):
        c.press(*key_of(ch), gap=SCANNER if i else 0.0)
    c.press(*ENTER, gap=0.2)
    c.settle()
    assert c.scans == []
    assert c.text == "ABCDEFG<enter>"


def test_an_enter_on_its_own_passes_untouched():
    det = WedgeDetector()
    assert det.feed("enter", "\r", 5.0) == WedgeResult()
    assert not det.pending


def test_gs_is_kept_inside_a_scan():
    c = console()
    code = f"0109501101530003{GS}10ABC123"
    c.scan(code)
    c.settle()
    assert c.scans == [code]
    assert "\x1d" in c.scans[0]


def test_gs_as_a_bare_character_counts_too():
    det = WedgeDetector()
    t = 1.0
    for key, char in [("0", "0"), ("1", "1"), ("weird", GS), ("9", "9"), ("8", "8")]:
        assert det.feed(key, char, t).consumed
        t += 0.004
    assert det.feed("enter", "\r", t).scan == "01\x1d98"


def test_a_scan_of_the_longest_size_goes_through():
    c = console()
    code = "X" * 4096
    c.scan(code, gap=0.001)
    c.settle()
    assert c.scans == [code]


def test_person_rollover_of_two_fast_keys_is_still_typing():
    c = console()
    c.press("t", "t")
    c.press("h", "h", gap=0.010)  # rolled over, faster than the gap
    c.press("e", "e", gap=0.120)
    c.press(*ENTER, gap=PERSON)
    c.settle()
    assert c.scans == []
    assert c.text == "the<enter>"


def test_a_key_that_is_not_a_character_breaks_a_burst_and_follows_it():
    c = console()
    for i, ch in enumerate("ABCDE"):
        c.press(*key_of(ch), gap=SCANNER if i else 0.0)
    result = c.press(*BACKSPACE, gap=SCANNER)
    assert result == WedgeResult(consumed=False, release="ABCDE")
    c.settle()
    assert c.text == "ABCDE<backspace>"
    assert c.scans == []


def test_keys_that_are_not_characters_pass_straight_through_when_idle():
    det = WedgeDetector()
    for n, key in enumerate(["up", "down", "f2", "ctrl+q", "tab", "escape"]):
        assert det.feed(key, None, float(n)) == WedgeResult()
    assert not det.pending


def test_tab_suffix():
    c = console(suffix="tab")
    c.scan("TOTE-7", suffix=TAB)
    c.wait(0.5)
    c.scan("TOTE-8")  # ends in Enter, which is not the suffix now
    c.settle()
    assert c.scans == ["TOTE-7"]
    assert c.text == "TOTE-8<enter>"


def test_a_scanner_hesitating_mid_code_never_gives_a_truncated_scan():
    """A 50 ms stall inside the code: the whole code lands in the Input and Enter submits it."""
    c = console()
    for i, ch in enumerate("12"):
        c.press(*key_of(ch), gap=SCANNER if i else 0.0)
    c.wait(0.050)
    for ch in "34567890128":
        c.press(*key_of(ch), gap=SCANNER)
    c.press(*ENTER, gap=SCANNER)
    c.settle()
    assert c.scans == []
    assert c.text == "1234567890128<enter>"


def test_a_scan_that_starts_right_after_a_keystroke_becomes_typing():
    c = console()
    c.press("z", "z")
    c.wait(0.050)  # within the quiet period (3 gaps = 90 ms)
    c.scan("0400123456789")
    c.settle()
    assert c.scans == []
    assert c.text == "z0400123456789<enter>"


def test_the_quiet_period_is_configurable():
    c = console(min_quiet_ms=0)
    c.press("z", "z")
    c.wait(0.050)
    c.scan("0400123456789")
    c.settle()
    assert c.scans == ["0400123456789"]
    assert c.text == "z"


def test_max_gap_is_configurable_for_slower_scanners():
    c = console(max_gap_ms=80)
    c.scan("SLOWCODE1", gap=0.060)
    c.settle()
    assert c.scans == ["SLOWCODE1"]
    c2 = console()
    c2.scan("SLOWCODE1", gap=0.060)
    c2.settle()
    assert c2.scans == []
    assert c2.text == "SLOWCODE1<enter>"


def test_no_suffix_a_burst_ending_in_silence_is_a_scan():
    c = console(suffix=None)
    for i, ch in enumerate("OP-ANNA"):
        c.press(*key_of(ch), gap=SCANNER if i else 0.0)
    assert c.scans == []
    c.wait(0.05)
    assert c.scans == ["OP-ANNA"]
    c.wait(0.5)
    c.type("hi", gap=PERSON)
    c.press(*ENTER, gap=PERSON)
    c.settle()
    assert c.scans == ["OP-ANNA"]
    assert c.text == "hi<enter>"


def test_no_suffix_the_next_key_can_reveal_the_end_of_the_scan():
    det = WedgeDetector(suffix=None)
    t = 10.0
    for ch in "ABCD":
        det.feed(ch, ch, t)
        t += 0.004
    result = det.feed("x", "x", t + 0.5)
    assert result == WedgeResult(consumed=True, scan="ABCD")
    assert det.flush(t + 1.0) == WedgeResult(release="x")


def test_drain_gives_back_what_is_held():
    det = WedgeDetector()
    det.feed("a", "a", 1.0)
    det.feed("b", "b", 1.001)
    assert det.drain() == WedgeResult(release="ab")
    assert not det.pending
    assert det.drain() == WedgeResult()


def test_flush_with_nothing_held_does_nothing():
    det = WedgeDetector()
    assert det.flush(0.0) == WedgeResult()
    det.feed("up", None, 1.0)
    assert det.flush(5.0) == WedgeResult()


def test_the_same_keys_give_the_same_answers():
    def run() -> tuple[list[str], str]:
        c = console()
        c.type("abc", gap=PERSON)
        c.wait(0.4)
        c.scan("TOTE-1")
        c.scan("x1")
        c.settle()
        return c.scans, c.text

    assert run() == run()


# -- prefix mode ----------------------------------------------------------------------------


def test_prefix_everything_up_to_the_suffix_is_the_scan_however_slow():
    c = console(prefix="f12")
    c.press(*F12)
    for ch in "ORD-1001":
        c.press(*key_of(ch), gap=0.3)
    c.press(*ENTER, gap=0.3)
    c.settle()
    assert c.scans == ["ORD-1001"]
    assert c.typed == []


def test_prefix_mode_lets_typing_through_at_once():
    det = WedgeDetector(prefix="f12")
    assert det.feed("a", "a", 1.0) == WedgeResult()
    assert det.feed("b", "b", 1.001) == WedgeResult()
    assert det.feed("enter", "\r", 1.002) == WedgeResult()
    assert det.deadline is None


def test_prefix_mode_ignores_fast_bursts_without_the_prefix():
    c = console(prefix="f12")
    c.scan("0400123456789")
    c.settle()
    assert c.scans == []
    assert c.text == "0400123456789<enter>"


def test_prefix_min_length_does_not_apply_and_gs_is_kept():
    c = console(prefix="f12")
    c.press(*F12)
    c.scan(f"A{GS}B")
    c.settle()
    assert c.scans == [f"A{GS}B"]


def test_prefix_followed_at_once_by_the_suffix_is_no_scan():
    c = console(prefix="f12")
    c.press(*F12)
    result = c.press(*ENTER, gap=SCANNER)
    assert result == WedgeResult(consumed=True)
    c.settle()
    assert c.scans == [] and c.typed == []


def test_a_character_prefix():
    c = console(prefix="~")
    c.press("tilde", "~")
    c.scan("TOTE-3")
    c.settle()
    assert c.scans == ["TOTE-3"]
    assert c.typed == []


def test_an_abandoned_prefixed_scan_is_released_with_a_character_prefix():
    c = console(prefix="~")
    c.press("tilde", "~")
    c.type("ab", gap=PERSON)
    c.press(*TAB, gap=PERSON)
    c.settle()
    assert c.scans == []
    assert c.text == "~ab<tab>"


def test_a_prefixed_scan_without_its_suffix_times_out_into_typing():
    c = console(prefix="f12", prefix_timeout_ms=500)
    c.press(*F12)
    c.press("a", "a", gap=0.1)
    c.press("b", "b", gap=0.1)
    assert c.detector.deadline == pytest.approx(c.now + 0.5)
    c.wait(0.45)
    assert c.typed == []
    c.wait(0.1)
    assert c.text == "ab"
    assert not c.detector.pending


def test_a_second_prefix_abandons_the_first():
    c = console(prefix="f12")
    c.press(*F12)
    c.scan("PART", suffix=F12)  # the suffix never came, a new scan starts
    c.scan("WHOLE")
    c.settle()
    assert c.scans == ["WHOLE"]
    assert c.text == "PART"


# -- configuration --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {"max_gap_ms": 0},
        {"min_length": 0},
        {"prefix": ""},
        {"suffix": ""},
        {"prefix": "enter"},
        {"prefix": "f12", "suffix": None},
        {"prefix_timeout_ms": 0},
    ],
)
def test_bad_configuration_is_refused(options):
    with pytest.raises(ValueError):
        WedgeDetector(**options)


def test_the_modules_stay_free_of_the_ui():
    """The headless station uses these modules: importing them must not load textual or rich."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    code = (
        "import sys, warehouse_tui.scanning.wedge, warehouse_tui.scanning.serial_reader, "
        "warehouse_tui.scanning.scale, warehouse_tui.scanning.devices; "
        "bad = [m for m in ('textual', 'rich') if m in sys.modules]; "
        "print(' '.join(bad)); sys.exit(1 if bad else 0)"
    )
    env = {**os.environ, "PYTHONPATH": str(repo)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=repo, env=env
    )
    assert done.returncode == 0, done.stdout + done.stderr
