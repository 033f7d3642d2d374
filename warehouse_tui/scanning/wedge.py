"""Tell a keyboard-wedge scanner from a person typing, one key at a time.

A wedge scanner is a keyboard as far as the terminal knows: it "types" its code a few
milliseconds a key and ends it with Enter (or Tab, as configured). A person types tens to
hundreds of milliseconds a key. `WedgeDetector` watches the keys the console receives and
decides, without any clock of its own, which of them belong to a scan. It is pure: the
caller passes each key with a monotonic timestamp and a timer tick (`flush`) so that the
same key sequence always gives the same answer, in the console and in the tests alike.

How the console uses it
-----------------------

For every key event: ``result = detector.feed(key, char, time.monotonic())``, then, in
this order:

1. ``result.release``: text that was held back and turned out to be typing. Insert it into
   the focused widget as if it had just been typed (it belongs *before* the current key).
2. ``result.scan``: a complete scan, without its prefix or suffix. Handle it as a scan.
3. ``result.consumed``: when true, stop the key (it is part of a scan, or held until the
   detector knows); when false, let the key reach the focused widget as usual.

And on a timer: whenever ``detector.deadline`` is not None, call
``detector.flush(time.monotonic())`` at or after that time and apply ``release`` and
``scan`` the same way (a flush never consumes anything). The deadline is at most
``max_gap_ms`` away while keys are held, so a person's single keystroke shows up at most
that late.

Timing mode (no prefix)
-----------------------

* A *burst* is a run of character keys each arriving less than ``max_gap_ms`` after the one
  before. Character keys are printable characters and GS (``ctrl+right_square_bracket``
  or the character 0x1D, kept in the scan as "\\x1d" for GS1 element strings).
* The first key of a burst cannot be told from a keystroke until the second one arrives,
  so every character key is *held* (consumed) when it arrives. Held keys are either given
  back as ``release`` or become a scan; nothing is ever dropped, duplicated or reordered:
  the released text followed by any unconsumed key is exactly what was typed.
* A burst ends as a **scan** when the suffix key arrives less than ``max_gap_ms`` after its
  last character, the burst holds at least ``min_length`` characters, and the burst began
  after at least ``min_quiet_ms`` (default three gaps) without any key. The suffix key is
  consumed.
* Any other ending gives the burst back as ``release``: a gap (the next key, or a flush,
  comes ``max_gap_ms`` or more after the last one), a burst too short, a suffix too late,
  or a key that is not a character (Backspace, Tab, arrows, function keys: these are not
  consumed and follow the released text).
* Why the quiet rule: if a scanner hesitates in the middle of a code (a busy USB hub, a
  slow remote terminal), the first part is released as typing, and without the rule the
  rest would pass for a complete, shorter scan. With it, the rest is released too and the
  Enter passes through, so the whole code lands in the focused Input and arrives through
  the typing path instead of as a truncated scan. A scan that starts less than
  ``min_quiet_ms`` after a keystroke is treated the same way.
* The suffix is a clean boundary: a burst that starts right after a suffix key (the end of
  the scan before it, or an Enter that sent typing) needs no quiet before it. So scans that
  arrive back to back, as from a scanner uploading its memory or a remote terminal that
  delivers many in one read, are each a scan, split at every suffix and never merged.
* A burst longer than ``MAX_SCAN`` (4,096) characters is no person typing: it stays one
  burst however it is cut by pauses (up to ``long_gap_ms``) and ends as one scan at its
  suffix, whatever its quiet, so that the scan grammar refuses it whole, as the headless
  station does; it is never split into two scans.
* With ``suffix=None`` (a scanner set to send no terminator) a burst that ends by silence
  is a scan when it meets the length and quiet rules; it is reported by the flush (or by
  the next key) that notices the silence.

Prefix mode
-----------

With ``prefix`` set (a key name such as ``"f12"`` or a character such as ``"~"``), only
what comes between the prefix and the suffix is a scan, however slowly it arrives (a
Bluetooth scanner over a remote session can be slow); ``min_length`` does not apply
and an empty scan is ignored. Every other key passes straight through with no delay:
timing is not used at all. Inside a scan, a key that is neither a character nor the suffix,
a second prefix, or ``prefix_timeout_ms`` without any key abandons it: what was collected
(with the prefix itself when it is a character) is released as typing.

Limits worth knowing: pasting in a terminal without bracketed paste looks like a scan
when it ends with a newline; a keystroke less than ``max_gap_ms`` before a scan's first
key cannot be told from it and becomes the scan's first character (a keystroke
between ``max_gap_ms`` and ``min_quiet_ms`` before it turns the scan into typing, as
above).
"""

from __future__ import annotations

from dataclasses import dataclass

from warehouse_tui.scanning.limits import MAX_SCAN

GS = "\x1d"
GS_KEY = "ctrl+right_square_bracket"


@dataclass(frozen=True, slots=True)
class WedgeResult:
    """What to do with one key (or one timer tick); see the module docstring for the order."""

    consumed: bool = False
    scan: str | None = None
    release: str = ""


_PASS = WedgeResult()
_HOLD = WedgeResult(consumed=True)


def _character(key: str, char: str | None) -> str | None:
    """The text a key contributes to a scan, or None for a key that is not a character."""
    if key == GS_KEY or char == GS:
        return GS
    if char:
        return char if char.isprintable() else None
    # some terminals report plain letters and digits without a character
    if len(key) == 1 and key.isprintable():
        return key
    return None


class WedgeDetector:
    """Keyboard-wedge burst detection; see the module docstring for the semantics."""

    def __init__(
        self,
        max_gap_ms: float = 30.0,
        min_length: int = 4,
        prefix: str | None = None,
        suffix: str | None = "enter",
        *,
        min_quiet_ms: float | None = None,
        prefix_timeout_ms: float = 1000.0,
        long_gap_ms: float = 1000.0,
    ) -> None:
        if max_gap_ms <= 0:
            raise ValueError("max_gap_ms must be positive")
        if min_length < 1:
            raise ValueError("min_length must be at least 1")
        if prefix == "" or suffix == "":
            raise ValueError("prefix and suffix must be key names or characters, not empty")
        if prefix is not None and prefix == suffix:
            raise ValueError("prefix and suffix must differ")
        if prefix is not None and suffix is None:
            raise ValueError("a prefix needs a suffix to end the scan")
        if prefix_timeout_ms <= 0:
            raise ValueError("prefix_timeout_ms must be positive")
        self.max_gap_ms = max_gap_ms
        self.min_length = min_length
        self.prefix = prefix
        self.suffix = suffix
        self.min_quiet_ms = 3 * max_gap_ms if min_quiet_ms is None else min_quiet_ms
        self.prefix_timeout_ms = prefix_timeout_ms
        self._gap = max_gap_ms / 1000.0
        self._quiet = self.min_quiet_ms / 1000.0
        self._prefix_timeout = prefix_timeout_ms / 1000.0
        self._long_gap = max(long_gap_ms, max_gap_ms) / 1000.0
        self._held: list[str] = []
        self._last_t: float | None = None  # the last key of any kind
        self._burst_after_quiet = False
        self._after_suffix = False  # the last key was the suffix: the next burst starts clean
        self._in_prefix = False
        self._prefix_text = ""

    # -- public ---------------------------------------------------------------------------

    @property
    def pending(self) -> bool:
        """True while keys are held or a prefixed scan is open."""
        return bool(self._held) or self._in_prefix

    @property
    def deadline(self) -> float | None:
        """When to call `flush` next (same clock as `feed`), or None when nothing waits."""
        if self._last_t is None:
            return None
        if self._in_prefix:
            return self._last_t + self._prefix_timeout
        if self._held:
            return self._last_t + self._burst_gap()
        return None

    def feed(self, key: str, char: str | None, t: float) -> WedgeResult:
        """Take one key pressed at monotonic time `t` (seconds)."""
        previous = self._last_t
        self._last_t = t
        if self.prefix is not None:
            return self._feed_prefixed(key, char)
        return self._feed_timed(key, char, t, previous)

    def flush(self, t: float) -> WedgeResult:
        """A timer tick at `t`: end whatever the silence since the last key has ended."""
        if self._last_t is None:
            return _PASS
        idle = t - self._last_t
        if self._in_prefix:
            if idle >= self._prefix_timeout:
                return WedgeResult(release=self._abandon_prefixed())
            return _PASS
        if self._held and idle >= self._burst_gap():
            return self._end_burst(consumed=False)
        return _PASS

    def drain(self) -> WedgeResult:
        """Give back everything held now, whatever the timing (the screen is changing)."""
        if self._in_prefix:
            return WedgeResult(release=self._abandon_prefixed())
        if self._held:
            text = "".join(self._held)
            self._held.clear()
            return WedgeResult(release=text)
        return _PASS

    # -- timing mode ----------------------------------------------------------------------

    def _feed_timed(self, key: str, char: str | None, t: float, previous: float | None) -> WedgeResult:
        text = _character(key, char)
        is_suffix = self.suffix is not None and self._matches(self.suffix, key, char)
        after_suffix, self._after_suffix = self._after_suffix, is_suffix
        if not self._held:
            if text is None or is_suffix:
                return _PASS
            self._start_burst(text, t, previous, after_suffix)
            return _HOLD

        assert previous is not None  # keys are held, so one came before
        within = t - previous < self._burst_gap()
        if is_suffix:
            if within and self._is_scan():
                scan = "".join(self._held)
                self._held.clear()
                return WedgeResult(consumed=True, scan=scan)
            released = "".join(self._held)
            self._held.clear()
            return WedgeResult(release=released)
        if text is None:
            return self._end_burst(consumed=False)
        if within:
            self._held.append(text)
            return _HOLD
        ended = self._end_burst(consumed=True)
        self._start_burst(text, t, previous, False)
        return ended

    def _start_burst(self, text: str, t: float, previous: float | None, after_suffix: bool) -> None:
        self._held.append(text)
        self._burst_after_quiet = previous is None or after_suffix or t - previous >= self._quiet

    def _overlong(self) -> bool:
        return len(self._held) > MAX_SCAN

    def _burst_gap(self) -> float:
        """How long a pause ends the held burst: an overlong one is nobody's typing."""
        return self._long_gap if self._overlong() else self._gap

    def _is_scan(self) -> bool:
        return self._overlong() or (self._burst_after_quiet and len(self._held) >= self.min_length)

    def _end_burst(self, *, consumed: bool) -> WedgeResult:
        """The held burst is over without its suffix (silence or another key)."""
        text = "".join(self._held)
        is_scan = self.suffix is None and self._is_scan()
        self._held.clear()
        if is_scan:
            return WedgeResult(consumed=consumed, scan=text)
        return WedgeResult(consumed=consumed, release=text)

    # -- prefix mode ----------------------------------------------------------------------

    def _feed_prefixed(self, key: str, char: str | None) -> WedgeResult:
        assert self.prefix is not None and self.suffix is not None
        is_prefix = self._matches(self.prefix, key, char)
        if not self._in_prefix:
            if not is_prefix:
                return _PASS
            self._open_prefixed(key, char)
            return _HOLD
        if self._matches(self.suffix, key, char):
            scan = "".join(self._held)
            self._close_prefixed()
            return WedgeResult(consumed=True, scan=scan or None)
        if is_prefix:
            released = self._abandon_prefixed()
            self._open_prefixed(key, char)
            return WedgeResult(consumed=True, release=released)
        text = _character(key, char)
        if text is None:
            return WedgeResult(release=self._abandon_prefixed())
        self._held.append(text)
        return _HOLD

    def _open_prefixed(self, key: str, char: str | None) -> None:
        self._in_prefix = True
        self._prefix_text = _character(key, char) or ""
        self._held.clear()

    def _close_prefixed(self) -> None:
        self._in_prefix = False
        self._prefix_text = ""
        self._held.clear()

    def _abandon_prefixed(self) -> str:
        released = self._prefix_text + "".join(self._held)
        self._close_prefixed()
        return released

    # -- keys -----------------------------------------------------------------------------

    @staticmethod
    def _matches(wanted: str, key: str, char: str | None) -> bool:
        """A configured prefix or suffix is a key name ("f12", "enter") or a character."""
        if key == wanted:
            return True
        return len(wanted) == 1 and char == wanted
