"""`serve` puts the console in a browser: the page answers on localhost."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_on_localhost(db_path, tmp_path):
    port = free_port()
    env = dict(os.environ, WAREHOUSE_DB=str(db_path), XDG_CONFIG_HOME=str(tmp_path))
    p = subprocess.Popen([sys.executable, "-m", "warehouse_tui", "serve", "--port", str(port)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                    body = r.read().decode()
                break
            except OSError:
                if time.monotonic() > deadline or p.poll() is not None:
                    raise
                time.sleep(0.3)
        assert "warehouse-tui" in body
    finally:
        p.terminate()
        p.wait(timeout=10)
