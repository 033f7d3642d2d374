"""Serial scanners through a real pseudo-terminal and a real TCP listener.

The pty stands in for a USB serial scanner; the spec is a symlink to its slave, the way
udev names a scanner under /dev/serial/by-id, so unplugging (closing the pty pair) and
plugging in again (a new pty behind the same name) look to the reader as they would on
the floor. The TCP listener stands in for a scanner behind a network serial server
(``socket://``), stopped and started again.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from warehouse_tui.scanning.devices import KEYBOARD, is_keyboard, scanner_specs, serial_specs
from warehouse_tui.scanning.serial_reader import (
    MAX_SCAN_BYTES,
    ScanSplitter,
    SerialScanner,
    is_valid_utf8,
    parse_device_spec,
    printable,
    raw_bytes,
)

WAIT = 5.0  # upper bound for anything to happen; tests pass in a fraction of it


def wait_until(condition: Callable[[], bool], timeout: float = WAIT) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("timed out waiting")
        time.sleep(0.005)


class FakeSerialScanner:
    """A pseudo-terminal behind a stable device name."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.master: int | None = None
        self.slave: int | None = None

    def plug(self) -> None:
        self.master, self.slave = os.openpty()
        staged = self.path.with_name(self.path.name + ".new")
        os.symlink(os.ttyname(self.slave), staged)
        os.replace(staged, self.path)

    def write(self, data: bytes) -> None:
        assert self.master is not None
        os.write(self.master, data)

    def unplug(self) -> None:
        for fd in (self.master, self.slave):
            if fd is not None:
                os.close(fd)
        self.master = self.slave = None
        self.path.unlink(missing_ok=True)


class Recorder:
    """What the console would receive from the reader thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.scans: list[tuple[str, str]] = []
        self.states: list[tuple[str, str, str]] = []

    def on_scan(self, source: str, text: str) -> None:
        with self.lock:
            self.scans.append((source, text))

    def on_state(self, source: str, state: str, reason: str) -> None:
        with self.lock:
            self.states.append((source, state, reason))

    @property
    def texts(self) -> list[str]:
        with self.lock:
            return [text for _source, text in self.scans]

    @property
    def state_names(self) -> list[str]:
        with self.lock:
            return [state for _source, state, _reason in self.states]

    def wait_scans(self, count: int) -> list[str]:
        wait_until(lambda: len(self.texts) >= count)
        return self.texts

    def wait_states(self, *names: str) -> None:
        wait_until(lambda: self.state_names[: len(names)] == list(names) and len(self.state_names) >= len(names))


class Running:
    def __init__(self, reader: SerialScanner, recorder: Recorder) -> None:
        self.reader = reader
        self.recorder = recorder
        self.stop = threading.Event()
        self.thread = threading.Thread(target=reader.run, args=(self.stop,), daemon=True)
        self.thread.start()

    def finish(self, within: float = 2.0) -> float:
        started = time.monotonic()
        self.stop.set()
        self.thread.join(within)
        assert not self.thread.is_alive(), "the reader did not stop"
        return time.monotonic() - started


@pytest.fixture
def device(tmp_path: Path) -> Iterator[FakeSerialScanner]:
    fake = FakeSerialScanner(tmp_path / "usb-Scanner_0001-if00")
    yield fake
    fake.unplug()


@pytest.fixture
def start() -> Iterator[Callable[..., Running]]:
    running: list[Running] = []

    def _start(spec: str, recorder: Recorder | None = None, **options) -> Running:
        recorder = recorder or Recorder()
        options.setdefault("retry_interval", 0.05)
        run = Running(SerialScanner(spec, recorder.on_scan, recorder.on_state, **options), recorder)
        running.append(run)
        return run

    yield _start
    for run in running:
        run.finish()


# -- through a pseudo-terminal --------------------------------------------------------------


def test_scans_arrive_in_order_from_a_pty(device, start):
    device.plug()
    run = start(str(device.path))
    run.recorder.wait_states("connected")
    device.write(b"5012345678900\r")
    assert run.recorder.wait_scans(1) == ["5012345678900"]
    device.write(b"TOTE-0")  # a scan split across writes
    time.sleep(0.05)
    device.write(b"042\r\n")  # CRLF: one scan, no empty one after it
    device.write(b"BIN-A1\rBIN-A2\nBIN-A3\r\n%DONE\r")  # several in one write, every terminator
    assert run.recorder.wait_scans(6) == [
        "5012345678900",
        "TOTE-0042",
        "BIN-A1",
        "BIN-A2",
        "BIN-A3",
        "%DONE",
    ]
    time.sleep(0.1)
    assert len(run.recorder.texts) == 6
    assert {source for source, _ in run.recorder.scans} == {str(device.path)}
    assert run.reader.name == str(device.path)


def test_a_crlf_split_between_writes_gives_no_empty_scan(device, start):
    device.plug()
    run = start(str(device.path))
    run.recorder.wait_states("connected")
    device.write(b"OP-ANNA\r")
    run.recorder.wait_scans(1)
    device.write(b"\nOP-BOB\r")
    device.write(b"\n")
    assert run.recorder.wait_scans(2) == ["OP-ANNA", "OP-BOB"]
    time.sleep(0.1)
    assert run.recorder.texts == ["OP-ANNA", "OP-BOB"]


def test_a_burst_of_many_scans_loses_none(device, start):
    device.plug()
    run = start(f"{device.path}?baud=115200")
    run.recorder.wait_states("connected")
    codes = [f"ITEM-{n:04d}" for n in range(300)]
    payload = b"".join(code.encode() + b"\r\n" for code in codes)
    for at in range(0, len(payload), 97):  # odd-sized pieces, cutting scans anywhere
        device.write(payload[at : at + 97])
    assert run.recorder.wait_scans(300) == codes


def test_gs_and_utf8_pass_through_and_invalid_utf8_is_recognisable(device, start):
    device.plug()
    run = start(str(device.path))
    run.recorder.wait_states("connected")
    device.write(b"0109501101530003\x1d10ABC\r")
    device.write("Caf\u00e9".encode()[:4])  # a UTF-8 character split across writes
    time.sleep(0.05)
    device.write("Caf\u00e9".encode()[4:] + b"\r")
    device.write(b"\xffAB\xc3\r")
    texts = run.recorder.wait_scans(3)
    assert texts[0] == "0109501101530003\x1d10ABC"
    assert texts[1] == "Caf\u00e9" and is_valid_utf8(texts[1])
    assert not is_valid_utf8(texts[2])
    assert raw_bytes(texts[2]) == b"\xffAB\xc3"
    assert printable(texts[2]) == "\\xffAB\\xc3"
    assert is_valid_utf8(texts[0])


def test_unplug_and_replug_a_pty_loses_no_complete_scan_and_repeats_none(device, start):
    device.plug()
    run = start(str(device.path))
    recorder = run.recorder
    recorder.wait_states("connected")
    device.write(b"BEFORE-1\r\nBEFORE-2\r")
    recorder.wait_scans(2)
    device.write(b"PART")  # the cable comes out in the middle of a scan
    wait_until(lambda: run.reader.pending == 4)

    device.unplug()
    recorder.wait_states("connected", "disconnected")
    reason = recorder.states[1][2]
    assert "incomplete scan (4 bytes) was dropped" in reason
    time.sleep(0.2)  # several failed reopenings: reported once
    assert recorder.state_names == ["connected", "disconnected"]

    device.plug()
    recorder.wait_states("connected", "disconnected", "connected")
    device.write(b"AFTER-1\r\n")
    assert recorder.wait_scans(3) == ["BEFORE-1", "BEFORE-2", "AFTER-1"]
    time.sleep(0.1)
    assert recorder.texts == ["BEFORE-1", "BEFORE-2", "AFTER-1"]


def test_a_scanner_missing_at_start_is_picked_up_when_plugged_in(device, start):
    run = start(str(device.path))
    run.recorder.wait_states("disconnected")
    source, _state, reason = run.recorder.states[0]
    assert source == str(device.path)
    assert str(device.path) in reason
    device.plug()
    run.recorder.wait_states("disconnected", "connected")
    device.write(b"%NEXT\r")
    assert run.recorder.wait_scans(1) == ["%NEXT"]


def test_stop_is_honoured_quickly_with_the_default_timeouts(device, tmp_path):
    device.plug()
    recorder = Recorder()
    connected = Running(SerialScanner(str(device.path), recorder.on_scan, recorder.on_state), recorder)
    recorder.wait_states("connected")
    assert connected.finish() < 0.5
    assert recorder.state_names == ["connected", "disconnected"]
    assert recorder.states[-1][2] == "stopped"

    absent = Recorder()
    waiting = Running(
        SerialScanner(str(tmp_path / "nothing-here"), absent.on_scan, absent.on_state), absent
    )
    absent.wait_states("disconnected")
    assert waiting.finish() < 0.3


def test_a_failing_callback_does_not_stop_the_reader(device, start):
    device.plug()
    seen: list[str] = []

    class Fussy(Recorder):
        def on_scan(self, source: str, text: str) -> None:
            seen.append(text)
            if text == "BAD":
                raise RuntimeError("handler bug")
            super().on_scan(source, text)

    run = start(str(device.path), Fussy())
    run.recorder.wait_states("connected")
    device.write(b"BAD\rGOOD\r")
    assert run.recorder.wait_scans(1) == ["GOOD"]
    assert seen == ["BAD", "GOOD"]


# -- through a TCP listener (socket://) -----------------------------------------------------


class FakeNetworkScanner:
    """A network serial server on 127.0.0.1 that can be stopped and started on its port."""

    def __init__(self) -> None:
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.listener: socket.socket | None = None
        self.conn: socket.socket | None = None

    @property
    def spec(self) -> str:
        return f"socket://127.0.0.1:{self.port}"

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(1)
        listener.settimeout(WAIT)
        self.listener = listener

    def accept(self) -> None:
        assert self.listener is not None
        self.conn, _ = self.listener.accept()

    def send(self, data: bytes) -> None:
        assert self.conn is not None
        self.conn.sendall(data)

    def stop(self) -> None:
        for sock in (self.conn, self.listener):
            if sock is not None:
                sock.close()
        self.conn = self.listener = None


@pytest.fixture
def network() -> Iterator[FakeNetworkScanner]:
    fake = FakeNetworkScanner()
    yield fake
    fake.stop()


def test_a_network_scanner_stopped_and_restarted(network, start):
    network.start()
    run = start(network.spec)
    recorder = run.recorder
    network.accept()
    recorder.wait_states("connected")
    # the server goes away right after sending: what was sent in full still arrives
    network.send(b"S-1\rS-2\r\nPAR")
    network.stop()
    recorder.wait_states("connected", "disconnected")
    assert recorder.wait_scans(2) == ["S-1", "S-2"]
    assert "socket disconnected" in recorder.states[1][2]
    assert "incomplete scan (3 bytes) was dropped" in recorder.states[1][2]
    time.sleep(0.5)  # reconnection refused meanwhile, not reported again
    assert recorder.state_names == ["connected", "disconnected"]

    network.start()
    network.accept()
    recorder.wait_states("connected", "disconnected", "connected")
    network.send(b"S-3\r")
    assert recorder.wait_scans(3) == ["S-1", "S-2", "S-3"]
    time.sleep(0.1)
    assert recorder.texts == ["S-1", "S-2", "S-3"]
    assert {source for source, _ in recorder.scans} == {network.spec}


def test_our_options_are_kept_from_pyserial(network, start):
    network.start()
    run = start(f"{network.spec}?baud=19200&logging=warning")
    network.accept()
    run.recorder.wait_states("connected")
    assert run.reader.url == f"{network.spec}?logging=warning"
    assert run.reader.baud == 19200
    network.send(b"X-1\r")
    assert run.recorder.wait_scans(1) == ["X-1"]


# -- splitting --------------------------------------------------------------------------


def test_splitter_terminators_and_empty_lines():
    splitter = ScanSplitter()
    assert splitter.feed(b"A\rB\nC\r\nD") == ["A", "B", "C"]
    assert splitter.pending == 1
    assert splitter.feed(b"\r\r\n\n\r") == ["D"]
    assert splitter.feed(b"") == []
    assert splitter.pending == 0


def test_splitter_keeps_an_overlong_scan_long_enough_to_be_refused():
    splitter = ScanSplitter()
    scans = splitter.feed(b"9" * (MAX_SCAN_BYTES + 500) + b"\rOK\r")
    assert [len(s) for s in scans] == [MAX_SCAN_BYTES, 2]
    assert len(scans[0]) > 4096


def test_splitter_discard_counts_what_it_drops():
    splitter = ScanSplitter()
    splitter.feed(b"HALF")
    assert splitter.discard() == 4
    assert splitter.feed(b"\r") == []


# -- specs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("/dev/ttyACM0", ("/dev/ttyACM0", 9600, {})),
        ("/dev/ttyACM0?baud=115200", ("/dev/ttyACM0", 115200, {})),
        (" COM3?baud=4800 ", ("COM3", 4800, {})),
        ("socket://10.0.0.5:4001", ("socket://10.0.0.5:4001", 9600, {})),
        ("socket://10.0.0.5:4001?baud=19200&logging=debug", ("socket://10.0.0.5:4001?logging=debug", 19200, {})),
        ("rfc2217://host:2217?ign_set_control&baud=38400", ("rfc2217://host:2217?ign_set_control", 38400, {})),
        ("loop://", ("loop://", 9600, {})),
        ("/dev/ttyUSB0?protocol=nci&frame=7E1", ("/dev/ttyUSB0", 9600, {"protocol": "nci", "frame": "7E1"})),
        ("/dev/ttyUSB0?BAUD=9600&Protocol=mt-sics", ("/dev/ttyUSB0", 9600, {"protocol": "mt-sics"})),
    ],
)
def test_parse_device_spec(spec, expected):
    assert parse_device_spec(spec) == expected


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "   ",
        "?baud=9600",
        "/dev/ttyACM0?baud=fast",
        "/dev/ttyACM0?baud=0",
        "/dev/ttyACM0?baud=9600&baud=19200",
        "/dev/ttyACM0?speed=9600",
        "/dev/ttyACM0?frame=9Z1",
    ],
)
def test_bad_device_specs_are_refused(spec):
    with pytest.raises(ValueError):
        parse_device_spec(spec)


def test_a_bad_spec_is_refused_before_any_thread_starts():
    with pytest.raises(ValueError, match="baud"):
        SerialScanner("/dev/ttyACM0?baud=x", lambda *a: None, lambda *a: None)


def test_scanner_specs_normalises_the_scanner_list():
    assert scanner_specs([]) == [KEYBOARD]
    assert scanner_specs(None) == [KEYBOARD]
    assert scanner_specs(["Keyboard"]) == [KEYBOARD]
    assert scanner_specs(["/dev/ttyACM0"]) == ["/dev/ttyACM0"]  # given values replace the default
    assert scanner_specs(["keyboard,/dev/ttyACM0?baud=115200", " ", "KEYBOARD", "socket://h:1"]) == [
        KEYBOARD,
        "/dev/ttyACM0?baud=115200",
        "socket://h:1",
    ]
    assert scanner_specs(["/dev/ttyACM0", "/dev/ttyACM0"]) == ["/dev/ttyACM0"]
    with pytest.raises(ValueError, match="twice"):
        scanner_specs(["/dev/ttyACM0", "/dev/ttyACM0?baud=115200"])
    with pytest.raises(ValueError):
        scanner_specs(["/dev/ttyACM0?baud=many"])


def test_is_keyboard_and_serial_specs():
    assert is_keyboard("keyboard") and is_keyboard(" KEYBOARD ")
    assert not is_keyboard("/dev/keyboard")
    assert serial_specs(["keyboard", "/dev/ttyACM0", "loop://"]) == ["/dev/ttyACM0", "loop://"]
