"""The four marketplaces' APIs, emulated on loopback: the paths, parameters, bodies, error
bodies and headers of their specifications (../shared/fixtures/marketplaces/specs), with the
project's own orders. Each emulator keeps what it received, so tests can check every request."""

from __future__ import annotations

import base64
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class Fault:
    op: str  # the operation it hits: "orders", "confirm", "token", ...
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    times: int = 1


def iso(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(s: str) -> datetime:
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


class Emulator:
    """A threaded HTTP server on 127.0.0.1 that answers with ``self.route``."""

    token_path = "/token"
    page_size = 2  # small pages: every sync pages

    def __init__(self):
        self.lock = threading.Lock()
        self.received: list[Request] = []
        self.faults: list[Fault] = []
        self.tokens: dict[str, int] = {}  # access token -> calls left before it expires
        self.token_calls = 0
        self.token_life = 1000  # API calls an access token lasts
        self.confirmations: list[Request] = []
        self.hold = threading.Event()  # set: a confirmation is recorded, then its answer waits
        self.holding = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.hold.clear()
        self.server.shutdown()
        self.server.server_close()

    def fail(self, op: str, status: int, body: Any = None, times: int = 1, **headers: str) -> None:
        self.faults.append(Fault(op, status, {k.replace("_", "-"): v for k, v in headers.items()}, body, times))

    def expire_tokens_after(self, calls: int) -> None:
        with self.lock:
            for t in self.tokens:
                self.tokens[t] = calls

    def requests(self, op: str) -> list[Request]:
        return [r for r in self.received if self.op(r) == op]

    # the server side
    def _handler(self):
        emu = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):  # quiet
                pass

            def _any(self):
                u = urlsplit(self.path)
                n = int(self.headers.get("Content-Length") or 0)
                req = Request(self.command, u.path, parse_qs(u.query), {k.lower(): v for k, v in self.headers.items()},
                              self.rfile.read(n) if n else b"")
                status, headers, body = emu.answer(req)
                data = body if isinstance(body, bytes) else (b"" if body is None else json.dumps(body).encode())
                self.send_response(status)
                if body is not None and not isinstance(body, bytes):
                    self.send_header("Content-Type", "application/json")
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = _any

        return Handler

    def answer(self, req: Request):
        with self.lock:
            self.received.append(req)
            op = self.op(req)
            for f in self.faults:
                if f.op == op and f.times > 0:
                    f.times -= 1
                    return f.status, f.headers, f.body if f.body is not None else {"errors": [{"message": "fault"}]}
        if req.path == self.token_path:
            with self.lock:
                self.token_calls += 1
                return self.token(req)
        with self.lock:
            if not self.authorised(req):
                return self.unauthorised()
        return self.route(op, req)

    def issue(self) -> str:
        token = f"at-{self.__class__.__name__.lower()}-{len(self.tokens) + 1:04d}-secret"
        self.tokens[token] = self.token_life
        return token

    def check_token(self, token: str | None) -> bool:
        left = self.tokens.get(token or "", 0)
        if left <= 0:
            return False
        self.tokens[token] = left - 1
        return True

    def page(self, items: list, offset: int) -> tuple[list, int | None]:
        chunk = items[offset:offset + self.page_size]
        nxt = offset + self.page_size
        return chunk, (nxt if nxt < len(items) else None)

    def wait_if_held(self) -> None:
        if self.hold.is_set():
            self.holding.set()
            while self.hold.is_set():
                threading.Event().wait(0.05)

    # per marketplace
    def op(self, req: Request) -> str:
        raise NotImplementedError

    def token(self, req: Request):
        raise NotImplementedError

    def authorised(self, req: Request) -> bool:
        raise NotImplementedError

    def unauthorised(self):
        raise NotImplementedError

    def route(self, op: str, req: Request):
        raise NotImplementedError


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


_NUM = re.compile(r"\d+")
