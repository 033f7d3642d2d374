"""A serial scanner through a real pseudo-terminal, unplugged and plugged back while the console runs.

The pty's slave is reached through a symlink, the way udev names a scanner under
/dev/serial/by-id, so unplugging (closing the pair) and plugging in again (a new pty behind
the same name) look to the reader as they do on the floor.
"""

from __future__ import annotations

import asyncio

from sqlmodel import select

from tests.scanning.test_serial import FakeSerialScanner as PlugPty
from tests.ui.conftest import screen_text, settle
from warehouse_tui.domain.models import Event, Order
from warehouse_tui.workflow.queues import queue_page


async def until(pilot, condition, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not condition():
        assert loop.time() < end, "timed out"
        await pilot.pause(0.05)
    await settle(pilot, rounds=1)


def scans(db) -> list[str]:
    with db.session() as s:
        return [e.scan for e in s.exec(select(Event).where(Event.type == "scan", Event.station == "PACK-1")
                                        .order_by(Event.id))]


async def test_serial_scanner_unplugged_and_plugged_back(app_factory, db, tmp_path):
    device = PlugPty(tmp_path / "scanner0")
    device.plug()
    with db.session() as s:
        oid = queue_page(s, "pick", limit=1)[0].id
    app = app_factory(start="pick", scanners=["keyboard", str(device.path)])
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.scanners["scanner0"][0] == "connected")
            assert "scanner0" in screen_text(app)
            device.write(f"ORD-{oid}\r\n".encode())
            await until(pilot, lambda: len(scans(db)) == 1)
            with db.session() as s:
                assert s.get(Order, oid).status == "picking"
            fb = app.screen.feedback
            device.write(f"{fb.bin}\r".encode())
            await until(pilot, lambda: len(scans(db)) == 2)

            device.unplug()
            await until(pilot, lambda: app.scanners["scanner0"][0] == "disconnected")
            device.plug()
            await until(pilot, lambda: app.scanners["scanner0"][0] == "connected")
            device.write(f"{fb.sku}\n".encode())
            await until(pilot, lambda: len(scans(db)) == 3)
            await pilot.pause(0.3)
            # each scan answered once, in order, across the replug
            assert scans(db) == [f"ORD-{oid}", fb.bin, fb.sku]
            assert app.screen.feedback.ok
    finally:
        device.unplug()
