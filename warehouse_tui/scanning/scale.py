"""Serial shipping scales: METTLER TOLEDO MT-SICS and the NCI (Avery Weigh-Tronix) protocol.

The pack step asks for one reading when a box is closed: `Scale.read` sends the protocol's
weight request and parses the answer. The spec is a device path or pyserial URL with
``?protocol=mt-sics`` or ``?protocol=nci`` (and ``?baud=N``, ``?frame=7E1`` as for any
device; see `serial_reader.parse_device_spec`).

MT-SICS: ``SI<CR><LF>`` asks for the weight now, stable or not. The answer is one line,
``S S     100.00 g`` (stable) or ``S D     100.00 g`` (dynamic, still moving); ``S I``
(busy), ``S +`` / ``S -`` (over / under the weighing range) and ``ES`` / ``ET`` / ``EL``
(syntax, transmission, logical error) carry no weight.

NCI general protocol (SCP-01, NCI 3825/3835): ``W<CR>`` is answered by
``<LF>xxxx.xxuu<CR><LF>hh...<CR><ETX>``: the weight as on the display with its unit (lb,
kg, g, oz, or ``xxlb xx.xoz``), then two or more status bytes. Status byte 1: bit 0 in
motion, bit 1 at zero, bit 2 RAM error, bit 3 EEPROM error; byte 2: bit 0 under
capacity, bit 1 over capacity, bit 2 ROM error, bit 3 faulty calibration, bit 6 another
byte follows; bits 4 and 5 are always 1 (so "00" is a stable reading), bit 7 is parity.
``<LF>?<CR><ETX>`` answers a command it did not understand. Many NCI scales run 7E1:
reading them as 8N1 leaves the parity in bit 7 of each byte, which the parser strips,
but they may refuse our command unless the spec says ``?frame=7E1``.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass

import serial

from warehouse_tui.scanning.serial_reader import PORT_ERRORS, open_port, parse_device_spec

log = logging.getLogger(__name__)

MT_SICS = "mt-sics"
NCI = "nci"
PROTOCOLS = (MT_SICS, NCI)
COMMANDS = {MT_SICS: b"SI\r\n", NCI: b"W\r"}

GRAMS_PER_UNIT = {
    "g": 1.0,
    "kg": 1000.0,
    "mg": 0.001,
    "lb": 453.59237,
    "oz": 28.349523125,
    "ozt": 31.1034768,
    "ct": 0.2,
}
_NCI_UNITS = ("lb", "kg", "g", "oz")
ETX = 0x03


@dataclass(frozen=True, slots=True)
class Reading:
    grams: float
    stable: bool


class ScaleError(ValueError):
    """An answer that carries no usable weight; the message says why."""


def parse_weight(protocol: str, line: str | bytes) -> Reading | None:
    """One answer of `protocol` as a Reading, or None when it holds no usable weight."""
    try:
        return parse_answer(protocol, line)
    except ScaleError:
        return None


def parse_answer(protocol: str, line: str | bytes) -> Reading:
    """Like `parse_weight`, but raises ScaleError saying why there is no weight."""
    if protocol == MT_SICS:
        return _parse_mt_sics(line)
    if protocol == NCI:
        return _parse_nci(line)
    raise ValueError(f"unknown scale protocol {protocol!r} (known: {', '.join(PROTOCOLS)})")


# -- MT-SICS ------------------------------------------------------------------------------

_MT_WEIGHT = re.compile(r"^SI?\s+([SD])\s+([-+]?\s*(?:\d+[.,]?\d*|[.,]\d+))\s*([A-Za-z]+)$")
_MT_STATUS = {
    "I": "the scale is busy and cannot weigh now",
    "+": "the load is over the scale's range",
    "-": "the load is under the scale's range",
}
_MT_ERRORS = {
    "ES": "the scale did not understand the command",
    "ET": "the scale received the command garbled",
    "EL": "the scale cannot carry out the command",
}


def _parse_mt_sics(line: str | bytes) -> Reading:
    text = _text(line).strip()
    match = _MT_WEIGHT.match(text)
    if match:
        flag, number, unit = match.groups()
        return Reading(_grams(number, unit, text), stable=flag == "S")
    parts = text.split()
    if len(parts) == 2 and parts[0] in ("S", "SI") and parts[1] in _MT_STATUS:
        raise ScaleError(_MT_STATUS[parts[1]])
    if text in _MT_ERRORS:
        raise ScaleError(_MT_ERRORS[text])
    raise ScaleError(f"not an MT-SICS weight: {text!r}")


# -- NCI ----------------------------------------------------------------------------------

_NCI_NUMBER = r"[-+]?\s*(?:\d+\.?\d*|\.\d+)"
_NCI_WEIGHT = re.compile(rf"^({_NCI_NUMBER})\s*([A-Za-z]+)$")
_NCI_LB_OZ = re.compile(rf"^({_NCI_NUMBER})\s*lb\s+(\d+\.?\d*|\.\d+)\s*oz$", re.IGNORECASE)
_NCI_FAULTS = (
    # (status byte index, bit, why)
    (0, 2, "the scale reports a RAM error"),
    (0, 3, "the scale reports an EEPROM error"),
    (1, 0, "the load is under the scale's capacity"),
    (1, 1, "the load is over the scale's capacity"),
    (1, 2, "the scale reports a ROM error"),
    (1, 3, "the scale reports a faulty calibration"),
    (2, 3, "the scale reports an initial zero error"),
)


def _parse_nci(answer: str | bytes) -> Reading:
    raw = answer.encode("latin-1", "replace") if isinstance(answer, str) else bytes(answer)
    # 7E1 read as 8N1 leaves the parity bit on top of each byte
    text = bytes(b & 0x7F for b in raw).decode("ascii")
    text = text.split("\x03", 1)[0]
    fields = [field.strip() for field in re.split(r"[\r\n]+", text) if field.strip()]
    if fields == ["?"]:
        raise ScaleError("the scale did not understand the command")
    if len(fields) < 2:
        raise ScaleError(f"not an NCI weight answer: {text!r}")
    weight, status = fields[0], fields[1]
    if status.startswith("S") and len(status) >= 3:
        status = status[1:]  # SCP-02 style "S" before the status bytes
    moving = _nci_status(status)
    lb_oz = _NCI_LB_OZ.match(weight)
    if lb_oz:
        pounds, ounces = lb_oz.groups()
        sign = -1.0 if pounds.lstrip().startswith("-") else 1.0
        grams = abs(_grams(pounds, "lb", weight)) + _grams(ounces, "oz", weight)
        return Reading(round(sign * grams, 3), stable=not moving)
    match = _NCI_WEIGHT.match(weight)
    if not match or match.group(2).lower() not in _NCI_UNITS:
        raise ScaleError(f"the scale shows no weight: {weight!r}")
    return Reading(_grams(match.group(1), match.group(2), weight), stable=not moving)


def _nci_status(status: str) -> bool:
    """Check the status bytes; return True when the scale is in motion."""
    codes = [ord(c) for c in status]
    if len(codes) < 2 or any(code & 0x30 != 0x30 for code in codes[:2]):
        raise ScaleError(f"not NCI status bytes: {status!r}")
    for index, bit, why in _NCI_FAULTS:
        if index < len(codes) and codes[index] & (1 << bit):
            raise ScaleError(why)
    return bool(codes[0] & 0x01)


# -- shared -------------------------------------------------------------------------------


def _text(line: str | bytes) -> str:
    return line.decode("ascii", "replace") if isinstance(line, (bytes, bytearray)) else line


def _grams(number: str, unit: str, answer: str) -> float:
    factor = GRAMS_PER_UNIT.get(unit.lower())
    if factor is None:
        raise ScaleError(f"unknown weight unit {unit!r} in {answer!r}")
    value = float(number.replace(" ", "").replace(",", "."))
    return round(value * factor, 3)


class Scale:
    """One serial scale, opened on first use and reopened after a failure.

    `read` is safe to call from any thread (one request at a time). After a None,
    `last_error` says why (no answer, not connected, the scale's own error).
    """

    def __init__(self, spec: str, *, read_timeout: float = 0.05) -> None:
        self.spec = spec
        self.url, self.baud, self.params = parse_device_spec(spec)
        protocol = self.params.get("protocol", "").lower()
        if protocol not in PROTOCOLS:
            raise ValueError(
                f"scale {spec!r}: add ?protocol=mt-sics or ?protocol=nci"
                + (f" (not {protocol!r})" if protocol else "")
            )
        self.protocol = protocol
        self.name = self.url
        self.read_timeout = read_timeout
        self.last_error = ""
        self._port: serial.SerialBase | None = None
        self._lock = threading.Lock()

    def read(self, timeout: float = 1.0) -> Reading | None:
        """Ask for the weight and wait up to `timeout` seconds for the answer."""
        with self._lock:
            deadline = time.monotonic() + timeout
            try:
                port = self._open()
                port.reset_input_buffer()
                port.write(COMMANDS[self.protocol])
                return self._answer(port, deadline)
            except (*PORT_ERRORS, ValueError) as exc:
                self._fail(f"{self.name}: {exc}")
                self.close_port()
                return None

    def close(self) -> None:
        with self._lock:
            self.close_port()

    def close_port(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except PORT_ERRORS:
                pass

    def __enter__(self) -> Scale:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _open(self) -> serial.SerialBase:
        if self._port is None:
            self._port = open_port(
                self.url, self.baud, self.params, timeout=self.read_timeout, write_timeout=1.0
            )
        return self._port

    def _answer(self, port: serial.SerialBase, deadline: float) -> Reading | None:
        buffer = bytearray()
        while time.monotonic() < deadline:
            buffer += port.read(max(1, port.in_waiting))
            done, reading = self._complete(buffer)
            if done:
                return reading
        self._fail(f"{self.name}: no answer" if not buffer else f"{self.name}: incomplete answer {bytes(buffer)!r}")
        return None

    def _complete(self, buffer: bytearray) -> tuple[bool, Reading | None]:
        """Whether the buffer holds a whole answer, and its reading."""
        # both protocols are ASCII: drop a parity bit that a 7-bit frame read as 8N1 leaves
        data = bytes(b & 0x7F for b in buffer)
        if self.protocol == NCI:
            end = data.find(bytes([ETX]))
            if end < 0:
                return False, None
            return True, self._parse(data[: end + 1])
        # MT-SICS: answers are lines; skip anything that is not one (continuous output noise)
        *lines, _rest = re.split(rb"\r\n|\r|\n", data)
        for line in lines:
            text = line.decode("ascii", "replace").strip()
            if text[:1] in ("S", "E"):
                return True, self._parse(text)
        return False, None

    def _parse(self, answer: str | bytes) -> Reading | None:
        try:
            reading = parse_answer(self.protocol, answer)
        except ScaleError as exc:
            self._fail(f"{self.name}: {exc}")
            return None
        self.last_error = ""
        return reading

    def _fail(self, why: str) -> None:
        self.last_error = why
        log.info("scale %s", why)
