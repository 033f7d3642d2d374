"""Each screen in a state worth seeing, for the snapshot tests and docs/screens."""

from __future__ import annotations

from tests.ui.conftest import Keyboard, settle


async def _scan(pilot, *codes: str) -> None:
    kb = getattr(pilot.app, "_test_keyboard", None) or Keyboard(pilot.app)
    pilot.app._test_keyboard = kb
    for code in codes:
        kb.scan(code)
        await settle(pilot)


async def _done(pilot) -> None:
    await settle(pilot)
    await pilot.pause(0.8)  # the quiet confirmation's flash is over


async def home(pilot) -> None:
    await _done(pilot)


async def login(pilot) -> None:
    await _done(pilot)


async def pick_queue(pilot) -> None:
    await pilot.app.show("pick")
    await _done(pilot)


async def pick(pilot) -> None:
    await pilot.app.show("pick")
    await settle(pilot)
    await _scan(pilot, "%NEXT")
    fb = pilot.app.screen.feedback
    await _scan(pilot, fb.bin, fb.sku)
    await _done(pilot)


async def pick_refused(pilot) -> None:
    await pick(pilot)
    await _scan(pilot, "9780306406157")
    await settle(pilot)


async def pick_done(pilot) -> None:
    """A whole order picked: the tote scan's result stays in the instruction."""
    await pilot.app.show("pick")
    await settle(pilot)
    await _scan(pilot, "%NEXT")
    fb = pilot.app.screen.feedback
    while fb.expect in ("bin", "item"):
        await _scan(pilot, fb.bin if fb.expect == "bin" else fb.sku)
        fb = pilot.app.screen.feedback
    await _scan(pilot, "TOTE-101")
    await _done(pilot)


async def pack(pilot) -> None:
    await pilot.app.show("pack")
    await settle(pilot)
    await _scan(pilot, "%NEXT")  # refused: pack takes a tote or an order
    queue = pilot.app.screen.query_one("#queue")
    first = queue.coordinate_to_cell_key((0, 0)).row_key.value
    await _scan(pilot, f"ORD-{first}")
    fb = pilot.app.screen.feedback
    if fb.expect == "item":
        await _scan(pilot, fb.sku)
    await _done(pilot)


async def label(pilot) -> None:
    await pilot.app.show("label")
    await settle(pilot)
    queue = pilot.app.screen.query_one("#queue")
    first = queue.coordinate_to_cell_key((0, 0)).row_key.value
    await _scan(pilot, f"ORD-{first}")
    await _done(pilot)


async def returns(pilot) -> None:
    await pilot.app.show("returns")
    await settle(pilot)
    queue = pilot.app.screen.query_one("#queue")
    first = queue.coordinate_to_cell_key((0, 0)).row_key.value
    await _scan(pilot, f"ORD-{first}")
    view = pilot.app.screen.view
    await _scan(pilot, view.lines[0].sku)
    await _done(pilot)


async def lookup(pilot) -> None:
    await pilot.app.show("lookup")
    await settle(pilot)
    await _scan(pilot, "[red]x")
    await _done(pilot)


async def scancheck(pilot) -> None:
    """The scanner check after a good Code 128, then a UPC-A from a scanner that types too
    slowly: the fault, the gap measured and the setting that would fit."""
    from warehouse_tui.scanning.check import SHEET

    await pilot.app.show("scancheck")
    await settle(pilot)
    kb = getattr(pilot.app, "_test_keyboard", None) or Keyboard(pilot.app)
    pilot.app._test_keyboard = kb
    kb.scan(SHEET[0].data)
    await settle(pilot)
    kb.scan(SHEET[1].data, gap=0.045)
    await _done(pilot)


SCENARIOS = {"home": home, "login": login, "pick-queue": pick_queue, "pick": pick, "pick-refused": pick_refused,
             "pick-done": pick_done, "pack": pack, "label": label, "returns": returns, "lookup": lookup,
             "scancheck": scancheck}
