"""The console in a browser, as its user sees it: `warehouse-tui serve` on a free port over a
demo database, headless Chromium (Debian's package) driven by Playwright, a badge typed into
the terminal page, an order picked by typed scans, and what the screen says read from the
page's own terminal (xterm.js's buffer). docs/screens/browser-pick.png is written here (when
missing, or anew with WAREHOUSE_UPDATE_SCREENS=1)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlmodel import select

from tests import engines
from tests.ui.conftest import copy_db
from warehouse_tui.db import open_database
from warehouse_tui.domain.models import Order
from warehouse_tui.workflow.queues import queue_page

CHROMIUM = "/usr/bin/chromium"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screens"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# textual-serve keeps its xterm.js Terminal in a closure; the page is watched from its start
# so that the object holding the terminal (the one given a fit addon) is kept where the test
# can read the terminal's buffer: the characters on screen, whichever renderer draws them.
HOOK = """
Object.defineProperty(Object.prototype, "fitAddon", {configurable: true, set(v) {
  Object.defineProperty(this, "fitAddon", {value: v, writable: true, configurable: true, enumerable: true});
  (window.__terminals = window.__terminals || []).push(this);
}});
"""
READ = """() => {
  const t = window.__terminals && window.__terminals.length && window.__terminals[0].terminal;
  if (!t) return "";
  const b = t.buffer.active, rows = [];
  for (let i = 0; i < t.rows; i++) {
    const line = b.getLine(b.viewportY + i);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def browser_ready():
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (Debian package chromium)")
    return pytest.importorskip("playwright.sync_api")


@pytest.fixture
def served(tmp_path, demo_db_file):
    ref = copy_db(demo_db_file, tmp_path / "warehouse.db")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAREHOUSE_")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               WAREHOUSE_DB=str(ref), WAREHOUSE_STATION="WEB-1",
               # keys typed by hand pass straight to the scan field (no timing): a browser's keys
               # reach the console in bunches whenever the machine is busy, and a bunch that
               # follows a pause would pass for a wedge scan of part of the code
               WAREHOUSE_SCANNER_PREFIX="f12")
    log = open(tmp_path / "serve.log", "wb")
    p = subprocess.Popen([sys.executable, "-m", "warehouse_tui", "serve", "--port", str(port)], env=env,
                         stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or p.poll() is not None:
                    raise AssertionError((tmp_path / "serve.log").read_text(errors="replace")[-3000:])
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}/", ref
    finally:
        p.terminate()
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=10)
        log.close()
        engines.drop(ref)


class Page:
    """The terminal page: keys typed into it, its screen read back as text."""

    def __init__(self, page):
        self.page = page

    def text(self) -> str:
        return self.page.evaluate(READ)

    def wait_for(self, pattern: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.text()
            if re.search(pattern, text):
                return text
            time.sleep(0.2)
        raise AssertionError(f"{pattern!r} never showed; the screen:\n{text}")

    def settled(self, before: str, timeout: float = 60) -> str:
        """The screen once it has changed from `before` and stopped changing."""
        deadline = time.monotonic() + timeout
        last = before
        while time.monotonic() < deadline:
            time.sleep(0.3)
            now = self.text()
            if now != before and now == last:
                return now
            last = now
        raise AssertionError(f"the screen did not answer; it shows:\n{last}")

    def scan(self, code: str) -> str:
        """Typed as an operator types a code the scanner cannot read: the text, then Enter."""
        before = self.text()
        self.page.keyboard.type(code)
        self.page.keyboard.press("Enter")
        return self.settled(before)


def test_a_picker_logs_in_and_picks_an_order_in_a_browser(browser_ready, served, tmp_path):
    url, ref = served
    db = open_database(ref)
    try:
        with db.session() as s:
            order = queue_page(s, "pick", limit=1)[0]
            oid, order_ref = order.id, s.get(Order, order.id).ref
    finally:
        db.dispose()

    with browser_ready.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 760, "height": 540})
        try:
            page = context.new_page()
            page.add_init_script(HOOK)
            page.goto(url)
            term = Page(page)
            text = term.wait_for(r"scan your badge")
            assert "LOG IN" in text and "operator alice" not in text
            page.click(".textual-terminal")

            term.scan("OP-alice")
            term.wait_for(r"operator alice")
            page.keyboard.press("F2")
            term.wait_for(r"SCAN AN ORDER")

            text = term.scan(order_ref)
            steps, shot = 0, False
            while "SCAN A TOTE" not in text:
                steps += 1
                assert steps < 60, text
                if m := re.search(r"GO TO BIN (\S+)", text):
                    text = term.scan(m[1])
                    continue
                m = re.search(r"TAKE \d+ x (\S+)", text)
                assert m, f"no bin or item to scan on screen:\n{text}"
                text = term.scan(m[1])
                if not shot:
                    # the picture in the docs is taken anew when asked for (a PNG differs run to run)
                    picture = DOCS / "browser-pick.png"
                    if os.environ.get("WAREHOUSE_UPDATE_SCREENS") or not picture.exists():
                        DOCS.mkdir(parents=True, exist_ok=True)
                    else:
                        picture = tmp_path / "browser-pick.png"
                    page.wait_for_timeout(1000)  # the accepted scan's green flash is over
                    page.screenshot(path=str(picture))
                    shot = True
                    assert order_ref[:12] in text  # the order in hand, in the banner
            assert shot
            text = term.scan("TOTE-WEB1")
            # the result stays in the large instruction until the next scan
            assert "picked into TOTE-WEB1" in text, text
            assert "SCAN AN ORDER" in text.upper()
        finally:
            context.close()

    db = open_database(ref)
    try:
        with db.session() as s:
            o = s.exec(select(Order).where(Order.id == oid)).one()
            assert (o.status, o.tote) == ("picked", "TOTE-WEB1")
    finally:
        db.dispose()
    shutil.rmtree(tmp_path / "chromium-profile", ignore_errors=True)
