"""`serve` as a user starts it on a fresh machine: no config file, localhost only, nothing
from the internet, and a browser session that asks for a badge."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from urllib.parse import urlsplit

import pytest

from tests.ui.conftest import copy_db

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as r:
        assert r.status == 200, url
        return r.read().decode("utf-8", "replace")


@pytest.fixture
def served(tmp_path, demo_db_file):
    """`serve` with nothing but a database: no config file anywhere, no operator."""
    db_path = copy_db(demo_db_file, tmp_path / "warehouse.db")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAREHOUSE_")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               WAREHOUSE_DB=str(db_path), WAREHOUSE_OPERATOR="alice")  # an operator the tabs must not get
    p = subprocess.Popen([sys.executable, "-m", "warehouse_tui", "serve", "--port", str(port)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                page = fetch(base + "/")
                break
            except OSError:
                if time.monotonic() > deadline or p.poll() is not None:
                    raise
                time.sleep(0.3)
        yield base, page, port, tmp_path
    finally:
        p.terminate()
        p.wait(timeout=20)


def urls_in(text: str) -> list[str]:
    return re.findall(r"""(?:https?|wss?)://[^\s"'<>)]+""", text)


def referenced(page: str) -> list[str]:
    """What the page makes a browser load: src=, href= and CSS url(...)."""
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", page)
    refs += re.findall(r"""url\(\s*["']?([^"')]+)""", page)
    return refs


def test_the_page_needs_nothing_from_off_this_machine(served):
    base, page, port, _ = served
    assert "warehouse-tui" in page
    for url in urls_in(page):
        assert urlsplit(url).hostname in LOCAL_HOSTS, f"the page refers to {url}"
    loads = referenced(page)
    assert any(u.endswith("textual.js") for u in loads)
    assert any(u.endswith(".ttf") for u in loads)  # the font is served here, not by a CDN
    for url in loads:
        assert urlsplit(url).hostname in LOCAL_HOSTS, url
        body = fetch(url)  # and each of them is really there
        if url.endswith(".css"):
            for ref in referenced(body) + re.findall(r"""@import\s+["']([^"']+)""", body):
                assert not urlsplit(ref).scheme, f"{url} loads {ref}"


def test_it_listens_on_localhost_only(served):
    _, _, port, _ = served
    with socket.socket() as s:
        s.settimeout(5)
        # 127.0.0.2 reaches this machine too, but not a server bound to 127.0.0.1 alone
        assert s.connect_ex(("127.0.0.2", port)) != 0


def test_a_browser_session_asks_for_a_badge(served):
    aiohttp = pytest.importorskip("aiohttp")
    base, _, port, tmp_path = served

    async def session() -> bytes:
        seen = b""
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(f"ws://127.0.0.1:{port}/ws?width=80&height=24") as ws:
                end = time.monotonic() + 60
                while time.monotonic() < end and b"scan your badge" not in seen.lower():
                    try:
                        msg = await ws.receive(timeout=5)
                    except asyncio.TimeoutError:
                        continue
                    if msg.type == aiohttp.WSMsgType.BINARY:
                        seen += msg.data
                    elif msg.type == aiohttp.WSMsgType.TEXT:
                        seen += msg.data.encode()
                    else:
                        break
                await ws.send_json(["stdin", "\x11"])  # ctrl+q
        return seen

    seen = asyncio.run(session())
    text = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", seen).decode("utf-8", "replace")
    assert "config file not found" not in text
    assert "LOG IN" in text, text[-2000:]
    assert "operator alice" not in text
