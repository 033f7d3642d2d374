"""Where documents go: a raw TCP port, a CUPS queue, or a folder.

``open_printer(spec)`` reads the ``--printer`` option: ``tcp://HOST:PORT`` (raw bytes, as Zebra
printers take on port 9100, the default), ``cups:QUEUE`` (through ``lp``) or ``dir:PATH`` (one
file per document, never overwriting one). ``Printer.send`` returns where the document went,
in a few words for the operator, or raises ``PrintError`` saying why it did not.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from warehouse_tui.documents.base import Document, PrintError

CONNECT_TIMEOUT = 3.0
WRITE_TIMEOUT = 15.0
LP_TIMEOUT = 30.0


class Printer(Protocol):
    spec: str

    def send(self, doc: Document) -> str:
        """Print ``doc``; return where it went; raise PrintError if it did not."""


def _reason(error: OSError) -> str:
    if isinstance(error, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(error, socket.gaierror):
        return "no such host"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if error.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return "no route to host"
    return error.strerror or str(error) or type(error).__name__


class TcpPrinter:
    """Raw bytes over a socket: a label printer's port 9100, or any JetDirect-style port."""

    def __init__(
        self,
        spec: str,
        host: str,
        port: int,
        connect_timeout: float = CONNECT_TIMEOUT,
        write_timeout: float = WRITE_TIMEOUT,
    ):
        self.spec = spec
        self.host = host
        self.port = port
        self.connect_timeout = connect_timeout
        self.write_timeout = write_timeout

    def send(self, doc: Document) -> str:
        try:
            conn = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
        except OSError as e:
            raise PrintError(f"printer {self.spec} did not answer: {_reason(e)}") from e
        try:
            with conn:
                conn.settimeout(self.write_timeout)
                conn.sendall(doc.data)
                conn.shutdown(socket.SHUT_WR)
        except OSError as e:
            raise PrintError(f"printer {self.spec} stopped taking data: {_reason(e)}") from e
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


class CupsPrinter:
    """A CUPS queue, through ``lp``: ZPL raw, so CUPS hands it to the printer untouched."""

    def __init__(self, spec: str, queue: str):
        self.spec = spec
        self.queue = queue

    def send(self, doc: Document) -> str:
        lp = shutil.which("lp")
        if lp is None:
            raise PrintError(f"printer {self.spec}: the lp command is not installed (CUPS)")
        argv = [lp, "-d", self.queue]
        if doc.format == "zpl":
            argv += ["-o", "raw"]
        argv += ["-t", doc.name or doc.kind]
        try:
            done = subprocess.run(argv, input=doc.data, capture_output=True, timeout=LP_TIMEOUT)
        except subprocess.TimeoutExpired as e:
            raise PrintError(f"printer {self.spec}: lp did not finish in {LP_TIMEOUT:.0f} s") from e
        except OSError as e:
            raise PrintError(f"printer {self.spec}: cannot run lp: {_reason(e)}") from e
        out = done.stdout.decode("utf-8", "replace").strip()
        if done.returncode != 0:
            err = done.stderr.decode("utf-8", "replace").strip() or out
            raise PrintError(
                f"printer {self.spec}: lp failed (exit {done.returncode})"
                + (f": {err}" if err else "")
            )
        job = re.search(r"request id is (\S+)", out)
        return f"cups:{self.queue}" + (f" ({job.group(1)})" if job else "")


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def file_stem(name: str, fallback: str = "document") -> str:
    """A document name as a safe file name stem: no path, no leading dot, no odd characters."""
    stem = _UNSAFE.sub("_", name).strip("._")
    return stem[:120] or fallback


class DirPrinter:
    """One file per document in a folder; an existing file is never overwritten."""

    def __init__(self, spec: str, path: Path):
        self.spec = spec
        self.path = path

    def send(self, doc: Document) -> str:
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise PrintError(f"printer {self.spec}: cannot create {self.path}: {_reason(e)}") from e
        stem = file_stem(doc.name, doc.kind or "document")
        ext = file_stem(doc.format, "bin")
        n = 1
        while True:
            target = self.path / (f"{stem}.{ext}" if n == 1 else f"{stem}-{n}.{ext}")
            try:
                # exclusive create: two stations printing to one folder cannot overwrite
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                n += 1
                continue
            except OSError as e:
                raise PrintError(f"printer {self.spec}: cannot write {target}: {_reason(e)}") from e
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(doc.data)
            except OSError as e:
                raise PrintError(f"printer {self.spec}: cannot write {target}: {_reason(e)}") from e
            return str(target)


def open_printer(spec: str) -> Printer:
    """The printer a ``--printer`` spec names; ValueError naming the spec if it is not one."""
    text = (spec or "").strip()
    if text.startswith("tcp://"):
        try:
            parts = urlsplit(text)
            host, port = parts.hostname, parts.port or 9100
        except ValueError:
            host = None
        if not host or parts.path not in ("", "/") or parts.query or parts.username:
            raise ValueError(f"printer spec {spec!r}: expected tcp://HOST:PORT")
        return TcpPrinter(text, host, port)
    if text.startswith("cups:"):
        queue = text[len("cups:") :]
        if not re.fullmatch(r"[^\s/#]+", queue):
            raise ValueError(f"printer spec {spec!r}: expected cups:QUEUE with a queue name")
        return CupsPrinter(text, queue)
    if text.startswith("dir:"):
        path = text[len("dir:") :]
        if not path:
            raise ValueError(f"printer spec {spec!r}: expected dir:PATH with a folder")
        return DirPrinter(text, Path(path).expanduser())
    raise ValueError(f"printer spec {spec!r}: expected tcp://HOST:PORT, cups:QUEUE or dir:PATH")
