"""Printers: a real TCP listener, a stand-in ``lp`` on PATH, and a folder."""

from __future__ import annotations

import os
import socket
import stat
import threading
import time

import pytest

from warehouse_tui.documents.base import Document, PrintError
from warehouse_tui.documents.printers import (
    CupsPrinter,
    DirPrinter,
    TcpPrinter,
    file_stem,
    open_printer,
)

ZPL = Document(kind="label", format="zpl", data=b"^XA^FDhello\xc3\xab^FS^XZ\n", name="label-1001-1")
PDF = Document(kind="packing_slip", format="pdf", data=b"%PDF-1.4 fake\n", name="packing-slip-1001")


class Listener:
    """A raw port like a Zebra printer's 9100: takes whatever comes until the sender closes."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.sock.settimeout(5)
        self.port = self.sock.getsockname()[1]
        self.received = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        conn, _ = self.sock.accept()
        with conn:
            conn.settimeout(5)
            while chunk := conn.recv(65536):
                self.received += chunk

    def close(self):
        self.thread.join(5)
        self.sock.close()


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_tcp_printer_receives_the_bytes_exactly():
    listener = Listener()
    big = Document(kind="label", format="zpl", data=ZPL.data * 20000, name="big")
    try:
        where = open_printer(f"tcp://127.0.0.1:{listener.port}").send(big)
    finally:
        listener.close()
    assert listener.received == big.data
    assert where == f"127.0.0.1:{listener.port}"


def test_tcp_printer_that_does_not_answer_fails_fast_with_a_clear_message():
    spec = f"tcp://127.0.0.1:{closed_port()}"
    started = time.monotonic()
    with pytest.raises(PrintError) as caught:
        open_printer(spec).send(ZPL)
    assert time.monotonic() - started < 3
    assert str(caught.value) == f"printer {spec} did not answer: connection refused"


def test_tcp_spec_defaults_to_port_9100_and_takes_ipv6():
    printer = open_printer("tcp://10.0.0.40")
    assert isinstance(printer, TcpPrinter) and (printer.host, printer.port) == ("10.0.0.40", 9100)
    assert printer.connect_timeout == 3.0
    printer = open_printer("tcp://[::1]:9101")
    assert (printer.host, printer.port) == ("::1", 9101)


@pytest.mark.parametrize(
    "spec",
    [
        "tcp://",
        "tcp://host:notaport",
        "tcp://host:99999",
        "tcp://host:9100/path",
        "cups:",
        "dir:",
        "lpt1",
        "",
        "http://10.0.0.40:9100",
        "cups:two words",
    ],
)
def test_bad_spec_is_a_value_error_naming_it(spec):
    with pytest.raises(ValueError) as caught:
        open_printer(spec)
    assert repr(spec) in str(caught.value)


@pytest.fixture
def fake_lp(tmp_path, monkeypatch):
    """An ``lp`` first on PATH that records its arguments and standard input."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "lp-calls"
    script = bin_dir / "lp"
    script.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$@" > "{record}.argv"\n'
        f'cat > "{record}.stdin"\n'
        'if [ -n "$LP_FAIL" ]; then echo "lp: $LP_FAIL" >&2; exit 1; fi\n'
        'echo "request id is $2-17 (1 file(s))"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")

    class Calls:
        def argv(self):
            return (tmp_path / "lp-calls.argv").read_text().splitlines()

        def stdin(self):
            return (tmp_path / "lp-calls.stdin").read_bytes()

    return Calls()


def test_cups_sends_zpl_raw_on_standard_input(fake_lp):
    printer = open_printer("cups:Zebra_GK420d")
    assert isinstance(printer, CupsPrinter)
    where = printer.send(ZPL)
    assert fake_lp.argv() == ["-d", "Zebra_GK420d", "-o", "raw", "-t", "label-1001-1"]
    assert fake_lp.stdin() == ZPL.data
    assert where == "cups:Zebra_GK420d (Zebra_GK420d-17)"


def test_cups_sends_pdf_for_the_queue_to_filter(fake_lp):
    open_printer("cups:Office").send(PDF)
    assert fake_lp.argv() == ["-d", "Office", "-t", "packing-slip-1001"]
    assert fake_lp.stdin() == PDF.data


def test_cups_failure_says_what_lp_said(fake_lp, monkeypatch):
    monkeypatch.setenv("LP_FAIL", "The printer or class does not exist.")
    with pytest.raises(PrintError, match="lp failed \\(exit 1\\): lp: The printer or class"):
        open_printer("cups:Nowhere").send(PDF)


def test_cups_without_lp_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PrintError, match="lp command is not installed"):
        open_printer("cups:Zebra").send(ZPL)


def test_dir_printer_writes_one_file_per_document_and_never_overwrites(tmp_path):
    folder = tmp_path / "out" / "labels"
    printer = open_printer(f"dir:{folder}")
    assert isinstance(printer, DirPrinter)
    first = printer.send(ZPL)
    second = printer.send(Document("label", "zpl", b"second", "label-1001-1"))
    third = printer.send(Document("label", "zpl", b"third", "label-1001-1"))
    slip = printer.send(PDF)
    assert [os.path.basename(p) for p in (first, second, third, slip)] == [
        "label-1001-1.zpl",
        "label-1001-1-2.zpl",
        "label-1001-1-3.zpl",
        "packing-slip-1001.pdf",
    ]
    assert (folder / "label-1001-1.zpl").read_bytes() == ZPL.data
    assert (folder / "label-1001-1-2.zpl").read_bytes() == b"second"
    assert (folder / "label-1001-1-3.zpl").read_bytes() == b"third"


def test_dir_printer_keeps_names_inside_its_folder(tmp_path):
    printer = open_printer(f"dir:{tmp_path}")
    where = printer.send(Document("label", "zpl", b"x", "../../etc/label-#1001/1"))
    assert os.path.dirname(where) == str(tmp_path)
    assert file_stem("../../etc/passwd") == "etc_passwd"
    assert file_stem("...") == "document"


def test_dir_printer_that_cannot_write_raises_print_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(PrintError, match="cannot create"):
        open_printer(f"dir:{blocker / 'sub'}").send(ZPL)


def test_tcp_printer_that_stops_reading_times_out_with_print_error():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True)
    thread.start()
    printer = TcpPrinter(f"tcp://127.0.0.1:{port}", "127.0.0.1", port, write_timeout=0.5)
    jam = Document(kind="label", format="zpl", data=b"^XA" * (32 * 1024 * 1024), name="jam")
    started = time.monotonic()
    try:
        with pytest.raises(PrintError, match="stopped taking data: timed out"):
            printer.send(jam)
    finally:
        thread.join(5)
        for conn, _ in accepted:
            conn.close()
        server.close()
    assert time.monotonic() - started < 5
