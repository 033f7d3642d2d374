"""Serial barcode scanners (and the device specs they share with scales).

A serial scanner (RS-232, a USB CDC-ACM "virtual COM port", or a scanner behind a network
serial server) sends each code followed by CR, LF or CRLF. `SerialScanner.run` reads it in
a loop meant for a thread of its own (a Textual thread worker or a plain
`threading.Thread`), survives unplugging, and stops within about `read_timeout` of the stop
event being set.

Invalid UTF-8
-------------
A scan is delivered as `str`, like a keyboard scan, but decoded with
``errors="surrogateescape"``: bytes that are not valid UTF-8 become lone surrogates
(U+DC80..U+DCFF) instead of being replaced or dropped. So nothing is lost (the exact bytes
come back with `raw_bytes`), and the classifier can refuse the scan with `is_valid_utf8`
(a strict ``text.encode("utf-8")`` fails on it). Such text cannot be written as UTF-8
as it is: to log it, store it or print it, use `printable` (``\\xff``-style escapes).

Guarantees around failures
--------------------------
Each complete scan is passed to `on_scan` as soon as its terminator is read, in order,
exactly once. When the port fails (unplugged, closed, network serial server gone), the
bytes of a scan still waiting for its terminator are an incomplete scan: they are
dropped, logged, and the disconnection reason says so; the operator scans again. The
port is then reopened every `retry_interval` seconds until the stop event is set.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from urllib.parse import parse_qsl

import serial

log = logging.getLogger(__name__)

DEFAULT_BAUD = 9600
# our own options in a device spec; pyserial never sees them
SPEC_OPTIONS = ("baud", "protocol", "frame")
# longer than any acceptable scan (4,096 characters), so an overlong one is still refused
MAX_SCAN_BYTES = 16_384

try:  # a tty gone from under pyserial can fail in termios calls it does not wrap
    from termios import error as _termios_error

    _TERMIOS_ERRORS: tuple[type[Exception], ...] = (_termios_error,)
except ImportError:  # Windows
    _TERMIOS_ERRORS = ()

# what a port that fails (unplugged, gone from the network) raises
PORT_ERRORS: tuple[type[Exception], ...] = (serial.SerialException, OSError, *_TERMIOS_ERRORS)

CONNECTED = "connected"
DISCONNECTED = "disconnected"

_FRAME = re.compile(r"^([5-8])([NEOMS])(1|1\.5|2)$", re.IGNORECASE)
_BYTESIZES = {"5": serial.FIVEBITS, "6": serial.SIXBITS, "7": serial.SEVENBITS, "8": serial.EIGHTBITS}
_STOPBITS = {"1": serial.STOPBITS_ONE, "1.5": serial.STOPBITS_ONE_POINT_FIVE, "2": serial.STOPBITS_TWO}


def parse_device_spec(spec: str) -> tuple[str, int, dict[str, str]]:
    """Split a device spec into (pyserial url, baud rate, our other options).

    `spec` is a device path (``/dev/ttyACM0``, ``COM3``) or a pyserial URL (``socket://``,
    ``rfc2217://``, ``loop://``) with optional ``?baud=N`` (default 9600),
    ``?protocol=NAME`` (scales) and ``?frame=8N1`` (data bits, parity, stop bits). Our
    options are removed; a URL keeps its own pyserial options (``?logging=debug``) as
    written. A device path takes no other option. Raises ValueError naming the spec.
    """
    text = spec.strip()
    if not text:
        raise ValueError("empty device spec")
    base, _, query = text.partition("?")
    if not base:
        raise ValueError(f"device spec {spec!r} names no device")
    ours: dict[str, str] = {}
    theirs: list[str] = []
    for item in query.split("&") if query else []:
        if not item:
            continue
        pairs = parse_qsl(item, keep_blank_values=True)
        name = pairs[0][0].lower() if pairs else item
        if name in SPEC_OPTIONS:
            if name in ours:
                raise ValueError(f"device spec {spec!r} gives {name} twice")
            ours[name] = pairs[0][1].strip()
        else:
            theirs.append(item)
    if theirs and "://" not in base:
        names = ", ".join(item.partition("=")[0] for item in theirs)
        raise ValueError(
            f"device spec {spec!r}: unknown option {names} (a device path takes "
            f"{', '.join(SPEC_OPTIONS)})"
        )
    baud_text = ours.pop("baud", str(DEFAULT_BAUD))
    try:
        baud = int(baud_text)
    except ValueError:
        raise ValueError(f"device spec {spec!r}: baud must be a whole number, not {baud_text!r}") from None
    if baud <= 0:
        raise ValueError(f"device spec {spec!r}: baud must be positive")
    if "frame" in ours and not _FRAME.match(ours["frame"]):
        raise ValueError(f"device spec {spec!r}: frame must look like 8N1 or 7E1, not {ours['frame']!r}")
    url = base + ("?" + "&".join(theirs) if theirs else "")
    return url, baud, ours


def open_port(url: str, baud: int, params: dict[str, str], *, timeout: float, **kwargs) -> serial.SerialBase:
    """Open a parsed spec with pyserial (raises SerialException, OSError or ValueError)."""
    frame = _FRAME.match(params.get("frame", "8N1"))
    if frame is None:
        raise ValueError(f"bad frame {params['frame']!r}")
    bits, parity, stop = frame.groups()
    return serial.serial_for_url(
        url,
        baudrate=baud,
        timeout=timeout,
        bytesize=_BYTESIZES[bits],
        parity=parity.upper(),
        stopbits=_STOPBITS[stop],
        **kwargs,
    )


def is_valid_utf8(text: str) -> bool:
    """False when a scan carries bytes that were not valid UTF-8 (see the module docstring)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def raw_bytes(text: str) -> bytes:
    """The bytes a scan was read as."""
    return text.encode("utf-8", "surrogateescape")


def printable(text: str) -> str:
    """A scan as text that can be logged and stored: invalid bytes as ``\\xff`` escapes."""
    return raw_bytes(text).decode("utf-8", "backslashreplace")


class ScanSplitter:
    """Cut a byte stream into scans at CR, LF or CRLF; empty lines are not scans."""

    def __init__(self, max_bytes: int = MAX_SCAN_BYTES) -> None:
        self.max_bytes = max_bytes
        self._partial = bytearray()
        self._overlong = 0  # bytes cut off the current scan beyond max_bytes

    @property
    def pending(self) -> int:
        """Bytes of a scan still waiting for its terminator."""
        return len(self._partial) + self._overlong

    def feed(self, data: bytes) -> list[str]:
        scans: list[str] = []
        for piece in re.split(rb"([\r\n])", data):
            if piece in (b"\r", b"\n"):
                if self._partial:
                    if self._overlong:
                        log.warning("a scan of %d bytes was cut to %d", self.pending, self.max_bytes)
                    scans.append(self._partial.decode("utf-8", "surrogateescape"))
                self._partial.clear()
                self._overlong = 0
            elif piece:
                room = self.max_bytes - len(self._partial)
                self._partial += piece[:room]
                self._overlong += max(0, len(piece) - room)
        return scans

    def discard(self) -> int:
        """Drop an incomplete scan; return how many bytes it had."""
        dropped = self.pending
        self._partial.clear()
        self._overlong = 0
        return dropped


class SerialScanner:
    """Read scans from one serial scanner until told to stop.

    ``on_scan(source, text)`` gets each scan (`source` is `name`: the spec without our
    options); ``on_state(source, state, reason)`` gets "connected" (reason "") and
    "disconnected" (why) at each change, and "disconnected" first when the device is not
    there at start. Both are called from the reading thread; an exception in them is
    logged and the reading goes on.
    """

    def __init__(
        self,
        spec: str,
        on_scan: Callable[[str, str], None],
        on_state: Callable[[str, str, str], None],
        *,
        retry_interval: float = 0.5,
        read_timeout: float = 0.2,
    ) -> None:
        self.spec = spec
        self.url, self.baud, self.params = parse_device_spec(spec)
        self.name = self.url
        self.on_scan = on_scan
        self.on_state = on_state
        self.retry_interval = retry_interval
        self.read_timeout = read_timeout
        self.state: str | None = None
        self._splitter = ScanSplitter()

    @property
    def pending(self) -> int:
        """Bytes of a scan read but still waiting for its terminator."""
        return self._splitter.pending

    def run(self, stop: threading.Event) -> None:
        """Read until `stop` is set, reconnecting as needed; returns once the port is closed."""
        while not stop.is_set():
            try:
                port = open_port(self.url, self.baud, self.params, timeout=self.read_timeout)
            except (*PORT_ERRORS, ValueError) as exc:
                self._set_state(DISCONNECTED, _reason(exc))
                stop.wait(self.retry_interval)
                continue
            self._set_state(CONNECTED, "")
            try:
                reason = self._read(port, stop)
            finally:
                _close(port)
                dropped = self._splitter.discard()
            if dropped:
                log.warning("%s: dropped an incomplete scan of %d bytes (%s)", self.name, dropped, reason)
                reason += f"; an incomplete scan ({dropped} bytes) was dropped"
            self._set_state(DISCONNECTED, reason)
            if not stop.is_set():
                stop.wait(self.retry_interval)

    def _read(self, port: serial.SerialBase, stop: threading.Event) -> str:
        """Deliver scans until the port fails (return why) or `stop` is set."""
        try:
            while not stop.is_set():
                # one byte or what is waiting: returns as soon as data comes, or on timeout
                data = port.read(max(1, port.in_waiting))
                for scan in self._splitter.feed(data):
                    self._call(self.on_scan, self.name, scan)
        except PORT_ERRORS as exc:
            return _reason(exc)
        return "stopped"

    def _set_state(self, state: str, reason: str) -> None:
        if state == self.state:
            if reason:
                log.debug("%s still %s: %s", self.name, state, reason)
            return
        self.state = state
        if state == DISCONNECTED:
            log.info("%s disconnected: %s", self.name, reason)
        else:
            log.info("%s connected", self.name)
        self._call(self.on_state, self.name, state, reason)

    def _call(self, callback: Callable[..., None], *args: str) -> None:
        try:
            callback(*args)
        except Exception:
            log.exception("%s: %s failed", self.name, getattr(callback, "__name__", "callback"))


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _close(port: serial.SerialBase) -> None:
    try:
        port.close()
    except PORT_ERRORS as exc:
        log.debug("closing a failed port: %s", exc)
