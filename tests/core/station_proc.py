"""A headless station run as a subprocess that a test talks to one scan at a time."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import queue


class LiveStation:
    """``warehouse-tui station`` with its standard input kept open: ``scan()`` writes one
    line and waits for its one JSON answer."""

    def __init__(self, mode: str, env: dict, *extra: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "warehouse_tui", "station", "--mode", mode, *extra],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.lines: queue.Queue = queue.Queue()
        self.stderr: list[bytes] = []
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.lines.put), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr.append), daemon=True).start()

    @staticmethod
    def _pump(stream, put) -> None:
        for line in stream:
            put(line)
        put(None) if put.__name__ == "put" else None

    def scan(self, text: str, timeout: float = 60) -> dict:
        self.proc.stdin.write(text.encode() + b"\n")
        self.proc.stdin.flush()
        line = self.lines.get(timeout=timeout)
        if line is None:
            raise AssertionError(f"the station ended: {b''.join(self.stderr).decode(errors='replace')}")
        return json.loads(line)

    def close(self, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.stdin.close()
        return self.proc.wait(timeout=timeout)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=30)

    @property
    def log(self) -> str:
        return b"".join(self.stderr).decode(errors="replace")
