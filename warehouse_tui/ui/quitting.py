"""Nothing keeps the console from quitting.

Two things could: a thread still busy when the event loop closes (``asyncio.run`` waits for
every thread of its default executor, and Python waits for pool threads at exit: a query
held up by a busy database, a printer that does not answer, a device read), and a shutdown
that never finishes. So the console's threads are daemon threads: work in flight gets a
moment to finish (a scan being written commits), then nobody waits for it (a write
transaction left open is rolled back by SQLite or PostgreSQL when the process ends, and a
scan not answered is not done). And once ctrl+q is pressed a watchdog gives the shutdown a
few seconds; after that it puts the terminal back as it found it, logs what every thread
was doing, and ends the process.
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
import sys
import threading
import time
import traceback

log = logging.getLogger(__name__)

QUIT_GRACE_SECONDS = 5.0
FINISH_SECONDS = 2.0  # what work in flight gets to finish when the console closes

# what Textual's driver undoes on a normal exit: keyboard protocol, alternate screen, cursor,
# focus reports, mouse reports, bracketed paste, line wrap
_RESTORE = ("\x1b[<u\x1b[?1049l\x1b[?25h\x1b[?1004l\x1b[?1000l\x1b[?1003l\x1b[?1015l\x1b[?1006l"
            "\x1b[?2004l\x1b[?7h")


class DaemonExecutor(concurrent.futures.ThreadPoolExecutor):
    """The event loop's executor (thread workers, ``asyncio.to_thread``): one daemon thread a
    call. At shutdown, work in flight (a scan being written) gets `finish_seconds` to end;
    a call that hangs is left behind and cannot hold the process."""

    def __init__(self, finish_seconds: float = FINISH_SECONDS) -> None:
        super().__init__(max_workers=1)  # the pool itself is never used
        self.finish_seconds = finish_seconds
        self._running: set[threading.Thread] = set()
        self._lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs):
        future: concurrent.futures.Future = concurrent.futures.Future()

        def run() -> None:
            try:
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(fn(*args, **kwargs))
                    except BaseException as exc:  # handed to whoever awaits it
                        future.set_exception(exc)
            finally:
                with self._lock:
                    self._running.discard(thread)

        thread = threading.Thread(target=run, name="console-work", daemon=True)
        with self._lock:
            self._running.add(thread)
        thread.start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if not wait:
            return
        deadline = time.monotonic() + self.finish_seconds
        with self._lock:
            running = list(self._running)
        for thread in running:
            thread.join(max(0.0, deadline - time.monotonic()))


class QuitWatchdog:
    """Armed when the operator quits; ends the process if the shutdown has not in `grace` s."""

    def __init__(self, driver_of, grace: float = QUIT_GRACE_SECONDS) -> None:
        self._driver_of = driver_of  # () -> the app's driver, or None
        self.grace = grace
        self._timer: threading.Timer | None = None

    def arm(self) -> None:
        if self._timer is None:
            self._timer = threading.Timer(self.grace, self._fire)
            self._timer.daemon = True
            self._timer.start()

    def disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _fire(self) -> None:
        stacks = "".join(
            f"\nthread {t.name}:\n" + "".join(traceback.format_stack(sys._current_frames()[t.ident]))
            for t in threading.enumerate() if t.ident in sys._current_frames() and t is not threading.current_thread()
        )
        log.warning("the console did not finish quitting in %.0f s; ending it now%s", self.grace, stacks)
        _restore_terminal(self._driver_of())
        logging.shutdown()
        os._exit(0)


def _restore_terminal(driver) -> None:
    try:
        import termios

        fd = driver.fileno if driver is not None else sys.__stderr__.fileno()
        os.write(fd, _RESTORE.encode())
        attrs = getattr(driver, "attrs_before", None)
        if attrs is not None:
            termios.tcsetattr(fd, termios.TCSANOW, attrs)
    except Exception:  # no terminal (a browser session, a pipe): nothing to put back
        pass
