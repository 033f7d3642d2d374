"""Serial scales: answers parsed, and a fake scale on a pseudo-terminal asked for the weight."""

from __future__ import annotations

import os
import select
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from warehouse_tui.scanning.scale import (
    Reading,
    Scale,
    ScaleError,
    parse_answer,
    parse_weight,
)

LB = 453.59237
OZ = 28.349523125


def even_parity(data: bytes) -> bytes:
    """7E1 bytes as an 8N1 port reads them: the parity bit lands in bit 7."""
    return bytes(b | (0x80 if bin(b).count("1") % 2 else 0) for b in data)


# -- MT-SICS ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("S S      100.00 g", Reading(100.0, True)),
        ("S D      100.00 g", Reading(100.0, False)),
        ("S S     1234.5 g\r\n", Reading(1234.5, True)),
        (b"S S     1234.5 g\r\n", Reading(1234.5, True)),
        ("S S     1.23456 kg", Reading(1234.56, True)),
        ("S S      -12.50 g", Reading(-12.5, True)),
        ("S S       2.000 lb", Reading(round(2 * LB, 3), True)),
        ("S D       3.5 oz", Reading(round(3.5 * OZ, 3), False)),
        ("S S     250 mg", Reading(0.25, True)),
        ("S S        0.00 g", Reading(0.0, True)),
        ("S S     12,5 g", Reading(12.5, True)),
        ("SI S     7.0 g", Reading(7.0, True)),
    ],
)
def test_mt_sics_weights(line, expected):
    assert parse_weight("mt-sics", line) == expected


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("S I", "busy"),
        ("S +", "over"),
        ("S -", "under"),
        ("ES", "did not understand"),
        ("ET", "garbled"),
        ("EL", "cannot carry out"),
        ("", "not an MT-SICS weight"),
        ("S S  heavy g", "not an MT-SICS weight"),
        ("S S     12 PCS", "unknown weight unit"),
        ("S X     12.0 g", "not an MT-SICS weight"),
    ],
)
def test_mt_sics_answers_without_a_weight(line, why):
    assert parse_weight("mt-sics", line) is None
    with pytest.raises(ScaleError, match=why):
        parse_answer("mt-sics", line)


# -- NCI ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("\n  0.45lb\r\n00\r\x03", Reading(round(0.45 * LB, 3), True)),
        (b"\n  0.45lb\r\n00\r\x03", Reading(round(0.45 * LB, 3), True)),
        ("\n  0.45lb\r\n10\r\x03", Reading(round(0.45 * LB, 3), False)),  # in motion
        ("\n  0.00lb\r\n20\r\x03", Reading(0.0, True)),  # at zero
        ("\n 1.250kg\r\n00\r\x03", Reading(1250.0, True)),
        ("\n 1250g \r\n00\r\x03", Reading(1250.0, True)),
        ("\n 12.5oz\r\n00\r\x03", Reading(round(12.5 * OZ, 3), True)),
        ("\n  0.45LB\r\n00\r\x03", Reading(round(0.45 * LB, 3), True)),
        ("\n 1lb  2.5oz\r\n00\r\x03", Reading(round(LB + 2.5 * OZ, 3), True)),
        ("\n -0.10kg\r\n00\r\x03", Reading(-100.0, True)),
        ("\n 0.45 lb\r\n0p0\r\x03", Reading(round(0.45 * LB, 3), True)),  # three status bytes
        ("\n 0.45lb\r\nS00\r\x03", Reading(round(0.45 * LB, 3), True)),  # SCP-02 style
        ("\n  2.00lb\r\n00\r", Reading(round(2 * LB, 3), True)),  # ETX already cut off
    ],
)
def test_nci_weights(answer, expected):
    assert parse_weight("nci", answer) == expected


def test_nci_from_a_7e1_scale_read_as_8n1():
    answer = even_parity(b"\n  0.45lb\r\n10\r\x03")
    assert answer != b"\n  0.45lb\r\n10\r\x03"
    assert parse_weight("nci", answer) == Reading(round(0.45 * LB, 3), False)


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ("\n?\r\x03", "did not understand"),
        ("\n00\r\x03", "not an NCI weight answer"),  # a status answer: no weight
        ("\n^^^^^^lb\r\n02\r\x03", "over the scale's capacity"),
        ("\n______lb\r\n01\r\x03", "under the scale's capacity"),
        ("\n  0.45lb\r\n40\r\x03", "RAM error"),
        ("\n  0.45lb\r\n80\r\x03", "EEPROM error"),
        ("\n  0.45lb\r\n04\r\x03", "ROM error"),
        ("\n  0.45lb\r\n08\r\x03", "faulty calibration"),
        ("\n  0.45lb\r\n0p8\r\x03", "initial zero error"),
        ("\n  0.45lb\r\nAB\r\x03", "not NCI status bytes"),
        ("\n  -----\r\n00\r\x03", "shows no weight"),
        ("\n  0.45st\r\n00\r\x03", "shows no weight"),
        ("", "not an NCI weight answer"),
    ],
)
def test_nci_answers_without_a_weight(answer, why):
    assert parse_weight("nci", answer) is None
    with pytest.raises(ScaleError, match=why):
        parse_answer("nci", answer)


def test_an_unknown_protocol_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown scale protocol"):
        parse_weight("dibal", "S S 1 g")


# -- a fake scale on a pty ------------------------------------------------------------------


class FakeScale:
    """Answers each request written to the pty the way `respond` says (None: stay silent)."""

    def __init__(self, terminator: bytes, respond: Callable[[bytes], bytes | None]) -> None:
        self.master, self.slave = os.openpty()
        self.path = os.ttyname(self.slave)
        self.terminator = terminator
        self.respond = respond
        self.requests: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        pending = b""
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.02)
            if not ready:
                continue
            try:
                pending += os.read(self.master, 256)
            except OSError:
                return
            while self.terminator in pending:
                request, pending = pending.split(self.terminator, 1)
                self.requests.append(request + self.terminator)
                answer = self.respond(request)
                if answer:
                    os.write(self.master, answer)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        assert not self._thread.is_alive()
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass


@pytest.fixture
def fake_scale() -> Iterator[Callable[..., FakeScale]]:
    made: list[FakeScale] = []

    def make(terminator: bytes, respond: Callable[[bytes], bytes | None]) -> FakeScale:
        scale = FakeScale(terminator, respond)
        made.append(scale)
        return scale

    yield make
    for scale in made:
        scale.close()


def test_an_mt_sics_scale_is_asked_with_si_and_read(fake_scale):
    answers = iter([b"S D     1230.0 g\r\n", b"S S     1234.5 g\r\n"])
    fake = fake_scale(b"\r\n", lambda request: next(answers) if request == b"SI" else b"ES\r\n")
    with Scale(f"{fake.path}?protocol=mt-sics") as scale:
        assert scale.read() == Reading(1230.0, False)
        assert scale.read() == Reading(1234.5, True)
        assert scale.last_error == ""
    assert fake.requests == [b"SI\r\n", b"SI\r\n"]


def test_an_mt_sics_error_answer_reads_as_none_and_says_why(fake_scale):
    fake = fake_scale(b"\r\n", lambda request: b"S +\r\n")
    with Scale(f"{fake.path}?protocol=mt-sics&baud=19200") as scale:
        assert scale.read(timeout=1.0) is None
        assert "over the scale's range" in scale.last_error


def test_an_mt_sics_answer_that_comes_in_pieces(fake_scale):
    def respond(request: bytes) -> bytes:
        time.sleep(0.02)
        return b"\r\nS S       "  # an empty line, then half the answer; the rest below

    fake = fake_scale(b"\r\n", respond)
    with Scale(f"{fake.path}?protocol=mt-sics") as scale:
        threading.Timer(0.15, lambda: os.write(fake.master, b"  42.0 g\r\n")).start()
        assert scale.read(timeout=2.0) == Reading(42.0, True)


def test_an_nci_scale_is_asked_with_w_and_read(fake_scale):
    fake = fake_scale(b"\r", lambda request: b"\n  0.45lb\r\n00\r\x03" if request == b"W" else b"\n?\r\x03")
    with Scale(f"{fake.path}?protocol=nci") as scale:
        assert scale.read() == Reading(round(0.45 * LB, 3), True)
    assert fake.requests == [b"W\r"]


def test_an_nci_scale_at_7e1(fake_scale):
    fake = fake_scale(b"\r", lambda request: even_parity(b"\n 2.500kg\r\n10\r\x03"))
    with Scale(f"{fake.path}?protocol=nci&frame=7E1") as scale:
        assert scale.read() == Reading(2500.0, False)


def test_an_nci_scale_over_capacity_reads_as_none(fake_scale):
    fake = fake_scale(b"\r", lambda request: b"\n^^^^^^lb\r\n02\r\x03")
    with Scale(f"{fake.path}?protocol=nci") as scale:
        assert scale.read() is None
        assert "over the scale's capacity" in scale.last_error


def test_a_silent_scale_times_out_quickly(fake_scale):
    fake = fake_scale(b"\r", lambda request: None)
    with Scale(f"{fake.path}?protocol=nci") as scale:
        started = time.monotonic()
        assert scale.read(timeout=0.3) is None
        assert time.monotonic() - started < 0.6
        assert "no answer" in scale.last_error


def test_a_late_answer_is_not_taken_for_the_next_request(fake_scale):
    answers = iter([None, b"\n 9.99lb\r\n00\r\x03", b"\n 1.00lb\r\n00\r\x03"])
    fake = fake_scale(b"\r", lambda request: next(answers))
    with Scale(f"{fake.path}?protocol=nci") as scale:
        assert scale.read(timeout=0.2) is None
        # an answer that arrives between requests is stale: read() clears it first
        os.write(fake.master, b"\n 5.00lb\r\n00\r\x03")
        time.sleep(0.1)
        assert scale.read() == Reading(round(9.99 * LB, 3), True)
        assert scale.read() == Reading(round(1.00 * LB, 3), True)


def test_a_missing_scale_reads_as_none_and_comes_back(tmp_path, fake_scale):
    path = tmp_path / "scale"
    with Scale(f"{path}?protocol=mt-sics") as scale:
        assert scale.read(timeout=0.2) is None
        assert str(path) in scale.last_error
        fake = fake_scale(b"\r\n", lambda request: b"S S     500.0 g\r\n")
        path.symlink_to(fake.path)
        assert scale.read() == Reading(500.0, True)


def test_an_unplugged_scale_reads_as_none(fake_scale):
    fake = fake_scale(b"\r\n", lambda request: b"S S     500.0 g\r\n")
    with Scale(f"{fake.path}?protocol=mt-sics") as scale:
        assert scale.read() == Reading(500.0, True)
        fake.close()
        assert scale.read(timeout=0.3) is None
        assert scale.last_error


def test_reads_from_several_threads_take_turns(fake_scale):
    fake = fake_scale(b"\r\n", lambda request: b"S S     10.0 g\r\n")
    results: list[Reading | None] = []
    with Scale(f"{fake.path}?protocol=mt-sics") as scale:
        threads = [threading.Thread(target=lambda: results.append(scale.read())) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(5)
    assert results == [Reading(10.0, True)] * 4


@pytest.mark.parametrize(
    "spec",
    ["/dev/ttyUSB0", "/dev/ttyUSB0?protocol=dibal", "/dev/ttyUSB0?protocol=nci&baud=x"],
)
def test_a_scale_spec_needs_a_known_protocol(spec):
    with pytest.raises(ValueError):
        Scale(spec)
