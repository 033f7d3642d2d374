"""The terminal driver, with keys stamped at the time their bytes could first be read.

The keyboard-wedge detector tells a scanner from a person by the time between keys. Textual
stamps each key when its parser makes the event, in the input thread; when the console is
busy (drawing, answering the scan before, a loaded machine) that thread stalls between and
inside reads, and a burst that arrived all at once (a long code, scans uploaded from a
scanner's memory, a remote terminal's bunched keys) looks cut by pauses: a code split in two,
its tail taken for a shorter scan. Here every key parsed from one read carries the time of
that read, and bytes that were already waiting when the previous read had been handled carry
the previous read's time: they arrived while the console was busy, not after a pause of the
sender's. A person's keys arrive one read each, each read after a wait, so their timing is kept.
"""

from __future__ import annotations

import os
import selectors
from codecs import getincrementaldecoder
from time import monotonic

from textual import events
from textual._parser import ParseError
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver

READ_SIZE = 4096


class StampedLinuxDriver(LinuxDriver):
    """LinuxDriver whose input thread stamps keys as the module doc says."""

    def run_input_thread(self) -> None:
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode
        stamp = 0.0

        def deliver(made, at: float) -> None:
            for event in made:
                if isinstance(event, events.Key):
                    event.time = at
                self.process_message(event)

        def read_ready(ready, waiting: bool, final: bool = False) -> bool:
            """Read what is ready; True when anything was read."""
            nonlocal stamp
            got = False
            for n, (_key, mask) in enumerate(ready):
                if not mask & selectors.EVENT_READ:
                    continue
                if not waiting:
                    stamp = monotonic()
                data = decode(os.read(self.fileno, READ_SIZE), final=final and n == len(ready) - 1)
                if not data:
                    break
                got = True
                deliver(parser.feed(data), stamp)
            # a lone Escape is only known for one when no more bytes follow it
            deliver(parser.tick(), monotonic())
            return got

        try:
            waiting = False
            while not self.exit_event.is_set():
                ready = selector.select(0) if waiting else []
                waiting = bool(ready)
                waiting = read_ready(ready or selector.select(0.1), waiting)
            selector.unregister(self.fileno)
            read_ready(selector.select(0.1), False, final=True)
        finally:
            selector.close()
            try:
                for _event in parser.feed(""):
                    pass
            except (EOFError, ParseError):
                pass
