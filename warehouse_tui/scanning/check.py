"""The scanner check: what a scanner sent for each code of the test sheet, and what is wrong.

The operator prints the test sheet (``warehouse-tui print scanner-test``) and scans its codes
in turn on the scanner check screen. Each scan is kept key by key with its time (a
``Capture``); ``diagnose`` compares it with what the sheet holds and names each fault with
its cure: the keyboard layout (a scanner typing US keys into a German QWERTZ or a UK
layout), no suffix (the scan never ends), another suffix, an extra prefix or suffix text,
the GS separators of GS1 data lost, keys too slow for ``wedge_gap_ms``.

Pure: no clock, no terminal. ``Recorder`` groups keys into captures the way
``WedgeDetector`` groups them into scans, with the caller's timestamps, so the same keys
always give the same answer in the console and in the tests.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from warehouse_tui.scanning.wedge import GS, GS_KEY

__all__ = [
    "SHEET",
    "Capture",
    "CheckResult",
    "Fault",
    "Key",
    "Recorder",
    "SheetCode",
    "diagnose",
    "shown",
]

GS_SHOWN = "␝"
QUIET_S = 1.0  # a capture without a suffix ends after this long without a key


@dataclass(frozen=True)
class SheetCode:
    key: str  # short name: "code128"
    name: str  # as printed: "Code 128"
    data: str  # what a well set-up scanner sends (GS between GS1 elements)
    tests: str  # what the code shows up

    @property
    def gs1(self) -> bool:
        return self.key.startswith("gs1")


# The codes of the test sheet, in the order it prints them. The Code 128 holds the letters
# and symbols that keyboard layouts move (Z/Y on QWERTZ, @/" on UK), lower case and a dash.
SHEET: tuple[SheetCode, ...] = (
    SheetCode("code128", "Code 128", 'Zy@"scan-7/x', "letters both cases, symbols, keyboard layout"),
    SheetCode("upca", "UPC-A", "036000291452", "a 12-digit product code"),
    SheetCode("ean13", "EAN-13", "4006381333931", "a 13-digit product code"),
    SheetCode("gs1-128", "GS1-128", f"0109506000134352{'10LOT-7A'}{GS}21SN4471",
              "GTIN, lot, GS, serial: the GS separator"),
    SheetCode("gs1-datamatrix", "GS1 DataMatrix", f"010950600013435217271231{'10B42'}{GS}21DM90",
              "a 2D code: GTIN, expiry, lot, GS, serial"),
)


def shown(text: str) -> str:
    """Text as the operator sees it: GS as ␝, other control characters escaped."""
    out = []
    for ch in text:
        if ch == GS:
            out.append(GS_SHOWN)
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(f"\\x{ord(ch):02x}")
    return "".join(out)


# -- keyboard layouts ----------------------------------------------------------------------
# What the computer shows when a scanner types a US key into another layout: the scanner
# sends key positions, the computer reads them with its own layout.
_QWERTZ = {"y": "z", "z": "y", "Y": "Z", "Z": "Y", "@": '"', '"': "Ä", "-": "ß", "/": "-", "#": "§",
           "&": "/", "'": "ä", ";": "ö", ":": "Ö", "[": "ü", "_": "?", "?": "_", "=": "´"}
_UK = {"@": '"', '"': "@", "#": "£", "\\": "#", "|": "~", "~": "¬"}
_SWAP_YZ = {"y": "z", "z": "y", "Y": "Z", "Z": "Y"}
_SWAP_QUOTE = {"@": '"', '"': "@"}


@dataclass(frozen=True)
class _Layout:
    name: str
    table: dict[str, int]
    what: str
    cure: str


def _table(mapping: dict[str, str]) -> dict[str, int]:
    return str.maketrans(mapping)


_CURE_LAYOUT = ("set the scanner's keyboard language (country) to the computer's, or the "
                "computer's keyboard layout to the scanner's")
_LAYOUTS = (
    _Layout("qwertz", _table(_QWERTZ), "keyboard layout: Z and Y swapped (a German QWERTZ layout)", _CURE_LAYOUT),
    _Layout("qwertz", _table(_SWAP_YZ), "keyboard layout: Z and Y swapped (a German QWERTZ layout)", _CURE_LAYOUT),
    _Layout("uk", _table(_UK), 'keyboard layout: @ and " swapped (a UK layout)', _CURE_LAYOUT),
    _Layout("uk", _table(_SWAP_QUOTE), 'keyboard layout: @ and " swapped (a UK layout)', _CURE_LAYOUT),
)


# -- what arrived --------------------------------------------------------------------------

@dataclass(frozen=True)
class Key:
    key: str  # Textual's key name: "a", "enter", "ctrl+right_square_bracket", "f12"
    char: str | None
    t: float  # seconds, monotonic


@dataclass(frozen=True)
class Capture:
    """One scan as it arrived: its keys (the ending key last, when there was one)."""

    keys: tuple[Key, ...]
    ended_by: str  # the key that ended it ("enter", "tab", ...), "silence", or "whole" (serial)
    source: str = "keyboard"
    text_only: str | None = None  # a serial scanner's data: no keys, no timing

    @property
    def text(self) -> str:
        if self.text_only is not None:
            return self.text_only
        body = self.keys[:-1] if self.ended_by not in ("silence", "whole") else self.keys
        return "".join(c for k in body if (c := character(k.key, k.char)) is not None)

    @classmethod
    def serial(cls, data: str, source: str) -> Capture:
        """A scan that arrived whole (a serial scanner frames its own scans): no keys to time,
        no suffix to check."""
        return cls((), "whole", source, data.rstrip("\r\n"))


def character(key: str, char: str | None) -> str | None:
    """The text a key adds to a scan (as the wedge detector reads it), or None."""
    if key == GS_KEY or char == GS:
        return GS
    if char:
        return char if char.isprintable() else None
    if len(key) == 1 and key.isprintable():
        return key
    return None


_ENDING_KEYS = ("enter", "tab")


class Recorder:
    """Groups keys into captures. ``feed`` returns (consumed, capture or None); ``flush`` at
    ``deadline`` ends a capture that no suffix ended: as soon as the wedge gap has passed
    with a whole sheet code held (a scanner with no suffix), else after ``quiet_s``."""

    def __init__(self, *, wedge_gap_ms: float = 30.0, suffix: str | None = "enter", prefix: str | None = None,
                 quiet_s: float = QUIET_S, sheet: tuple[SheetCode, ...] = SHEET) -> None:
        self.gap = wedge_gap_ms / 1000.0
        self.suffix = suffix
        self.prefix = prefix
        self.quiet = quiet_s
        self._whole = {c.data for c in sheet}
        self._keys: list[Key] = []

    @property
    def pending(self) -> bool:
        return bool(self._keys)

    @property
    def deadline(self) -> float | None:
        if not self._keys:
            return None
        last = self._keys[-1].t
        if self._held_text() not in self._whole:
            return last + self.quiet
        # a whole code held: the wedge gap (or the scan's own gap, when its keys come slower)
        # without a key means no suffix is coming
        gaps = [b.t - a.t for a, b in zip(self._keys, self._keys[1:])]
        return last + max([self.gap] + [3 * g for g in gaps])

    def _held_text(self) -> str:
        return "".join(c for k in self._keys if (c := character(k.key, k.char)) is not None)

    def _ends(self, key: str, char: str | None) -> bool:
        if key in _ENDING_KEYS:
            return True
        if self.suffix and (key == self.suffix or (len(self.suffix) == 1 and char == self.suffix)):
            return True
        return False

    def feed(self, key: str, char: str | None, t: float) -> tuple[bool, Capture | None]:
        if self._ends(key, char):
            if not self._keys:
                return True, None  # a stray Enter: nothing to check
            keys = tuple(self._keys) + (Key(key, char, t),)
            self._keys.clear()
            return True, Capture(keys, key)
        is_prefix = self.prefix is not None and (key == self.prefix or char == self.prefix)
        if character(key, char) is None and not is_prefix:
            return False, None  # function keys and the like: the screen's bindings
        self._keys.append(Key(key, char, t))
        return True, None

    def flush(self, t: float) -> Capture | None:
        deadline = self.deadline
        if deadline is None or t < deadline:
            return None
        keys = tuple(self._keys)
        self._keys.clear()
        return Capture(keys, "silence")


# -- the verdict ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Fault:
    kind: str  # layout | no-suffix | wrong-suffix | prefix | extra-text | gs-lost | slow | check-digit | unknown
    what: str
    cure: str


@dataclass
class CheckResult:
    code: SheetCode | None
    received: str
    faults: list[Fault] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    max_gap_ms: float | None = None  # the longest gap between the scan's keys

    @property
    def ok(self) -> bool:
        return not self.faults

    @property
    def expected(self) -> str | None:
        return self.code.data if self.code else None


def _fit_gap(max_gap_ms: float) -> int:
    """A wedge_gap_ms with room over the gap measured: half as much again, to the 10 ms."""
    return int(math.ceil(round(max_gap_ms * 1.5, 3) / 10.0) * 10)


def _gaps(capture: Capture, prefix: str | None) -> list[float]:
    keys = [k for k in capture.keys if not (prefix and (k.key == prefix or k.char == prefix))]
    return [(b.t - a.t) * 1000.0 for a, b in zip(keys, keys[1:])]


_AIM = re.compile(r"\][A-Za-z][0-9A-Za-z]")


@dataclass(frozen=True)
class _Match:
    code: SheetCode
    layout: _Layout | None
    variant: str  # "" | "gs-lost" | "no-check-digit"
    before: str
    after: str


def _variants(code: SheetCode) -> list[tuple[str, str]]:
    out = [("", code.data)]
    if GS in code.data:
        out.append(("gs-lost", code.data.replace(GS, "")))
    if code.key in ("upca", "ean13"):
        out.append(("no-check-digit", code.data[:-1]))
    return out


def _find(body: str, sheet: tuple[SheetCode, ...]) -> _Match | None:
    best: _Match | None = None
    for layout in (None, *_LAYOUTS):
        for code in sheet:
            for variant, data in _variants(code):
                expected = data.translate(layout.table) if layout else data
                i = body.find(expected)
                if i < 0:
                    continue
                m = _Match(code, layout, variant, body[:i], body[i + len(expected):])
                # the least explained away wins: no variant over a variant, shortest extras
                if best is None or (len(m.before) + len(m.after), m.variant != "") < \
                        (len(best.before) + len(best.after), best.variant != ""):
                    best = m
        if best is not None:
            return best
    return None


def _closest(body: str, sheet: tuple[SheetCode, ...]) -> tuple[SheetCode | None, float]:
    def key(s: str) -> str:
        return s.replace(GS, "").casefold()

    scored = [(SequenceMatcher(None, key(body), key(c.data)).ratio(), c) for c in sheet]
    ratio, code = max(scored, key=lambda x: x[0])
    return (code, ratio) if ratio >= 0.5 else (None, ratio)


def _differences(expected: str, received: str) -> str:
    pairs = [(a, b) for a, b in zip(expected, received) if a != b][:4]
    if len(expected) != len(received):
        return f"{len(received)} characters where the sheet has {len(expected)}"
    return ", ".join(f"{shown(b)} for {shown(a)}" for a, b in pairs)


def diagnose(capture: Capture, *, wedge_gap_ms: float = 30.0, suffix: str | None = "enter",
             prefix: str | None = None, sheet: tuple[SheetCode, ...] = SHEET) -> CheckResult:
    """What arrived, against the sheet code it is; every fault with its cure."""
    received = capture.text
    result = CheckResult(None, received)
    faults, notes = result.faults, result.notes
    body = received

    # the configured prefix (a character or a key) opens every scan
    if prefix:
        keys = capture.keys
        saw = any(k.key == prefix or k.char == prefix for k in keys[:1]) or body.startswith(prefix)
        if len(prefix) == 1 and body.startswith(prefix):
            body = body[1:]
        if not saw:
            faults.append(Fault("prefix", f"no {prefix} before the code, and scanner_prefix = {prefix!r}",
                                f"set the scanner to send {prefix} before each code, or take scanner_prefix "
                                "out of the config"))
    if m := _AIM.match(body):
        notes.append(f"the scanner sends symbology identifiers ({m[0]}): understood")
        body = body[m.end():]

    match = _find(body, sheet)
    if match is None:
        code, _ratio = _closest(body, sheet)
        result.code = code
        if code is None:
            faults.append(Fault("unknown", f"{shown(received) or 'nothing'}: not a code of the test sheet",
                                "scan the codes of the sheet printed by warehouse-tui print scanner-test"))
        else:
            diff = _differences(code.data, body)
            faults.append(Fault("unknown", f"{code.name} arrived changed: {diff}",
                                _CURE_LAYOUT if len(code.data) == len(body) else
                                "scan again; if it comes out the same, reset the scanner to its factory settings"))
    else:
        result.code = match.code
        if match.layout is not None:
            faults.append(Fault("layout", match.layout.what, match.layout.cure))
        if match.variant == "gs-lost":
            faults.append(Fault("gs-lost", "the GS separator was lost: the lot runs into the serial number",
                                "turn on the scanner's GS1 setting that sends FNC1 as GS (ASCII 29, ctrl+]); "
                                "a scanner over a keyboard wedge needs it enabled for its keyboard output"))
        if match.variant == "no-check-digit":
            faults.append(Fault("check-digit", f"the last digit of the {match.code.name} was not sent",
                                f"turn on 'transmit check digit' for {match.code.name} in the scanner's setup"))
        before, after = match.before, match.after
        if before == "0" and match.code.key == "upca":
            notes.append("UPC-A sent as 13 digits (a leading 0): understood")
        elif before:
            cure = "turn off the prefix in the scanner's setup"
            if len(before) == 1:
                cure += f", or set scanner_prefix = {before!r} to mark every scan with it"
            faults.append(Fault("prefix", f"{shown(before)} came before the code", cure))
        if after:
            faults.append(Fault("extra-text", f"{shown(after)} came after the code",
                                "turn off the extra suffix text in the scanner's setup (keep only Enter)"))

    # how it ended
    want = suffix or "enter"
    if capture.ended_by == "whole":
        pass
    elif capture.ended_by == "silence":
        faults.append(Fault("no-suffix", "no suffix: the scan never ended (no Enter after the code)",
                            f"set the scanner to send {want.capitalize()} after each code (its suffix "
                            "or terminator setting)"))
    elif capture.ended_by != want and not (len(want) == 1 and capture.keys and capture.keys[-1].char == want):
        faults.append(Fault("wrong-suffix", f"the scan ended with {capture.ended_by.capitalize()}, "
                                            f"the console expects {want.capitalize()}",
                            f"set the scanner's suffix to {want.capitalize()}, or scanner_suffix = "
                            f"{capture.ended_by!r} in the config"))

    # how fast: the wedge detector takes keys further apart than wedge_gap_ms for typing
    gaps = _gaps(capture, prefix)
    if gaps:
        result.max_gap_ms = max(gaps)
        if result.max_gap_ms >= wedge_gap_ms and not prefix:
            fit = _fit_gap(result.max_gap_ms)
            faults.append(Fault("slow", f"keys too slow: up to {result.max_gap_ms:.0f} ms apart, "
                                        f"wedge_gap_ms is {wedge_gap_ms:g}",
                                f"set wedge_gap_ms = {fit}, or the scanner's keystroke delay to none "
                                "(or a prefix key: scanner_prefix)"))
    return result
