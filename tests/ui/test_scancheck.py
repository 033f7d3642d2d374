"""The scanner check screen, driven as a scanner types: a good one, and each misconfiguration."""

from __future__ import annotations

from tests.ui.conftest import Keyboard, screen_text, settle
from warehouse_tui.scanning.check import SHEET
from warehouse_tui.ui.scancheck import ScanCheckScreen

GS = "\x1d"
CODE128, UPCA, EAN13, GS1_128, DATAMATRIX = SHEET
QWERTZ = str.maketrans({"y": "z", "z": "y", "Y": "Z", "Z": "Y"})
UK = str.maketrans({"@": '"', '"': "@"})


async def open_check(app, pilot) -> Keyboard:
    await settle(pilot)
    kb = Keyboard(app)
    kb.press("f11")
    await settle(pilot)
    assert isinstance(app.screen, ScanCheckScreen)
    return kb


def seen(app) -> str:
    return " ".join(screen_text(app).split())


async def test_a_good_scanner_passes_every_code_of_the_sheet(app_factory):
    app = app_factory(start="home")
    async with app.run_test(size=(80, 24)) as pilot:
        kb = await open_check(app, pilot)
        assert "SCAN CODE 1 OF 5: CODE 128" in seen(app)
        for i, code in enumerate(SHEET):
            kb.scan(code.data)
            await settle(pilot)
            screen = app.screen
            assert screen.last.ok and screen.last.code == code, screen.last.faults
            if i + 1 < len(SHEET):
                assert f"NOW SCAN CODE {i + 2} OF 5: {SHEET[i + 1].name.upper()}" in seen(app)
        text = seen(app)
        assert "THIS SCANNER IS SET UP RIGHT" in text
        assert text.count("✓") >= len(SHEET)


async def test_a_qwertz_scanner_is_told_apart_with_the_cure(app_factory):
    app = app_factory(start="home")
    async with app.run_test(size=(80, 24)) as pilot:
        kb = await open_check(app, pilot)
        kb.scan(CODE128.data.translate(QWERTZ))
        await settle(pilot)
        text = seen(app)
        assert "Z and Y swapped" in text and "QWERTZ" in text
        assert 'sheet Zy@"scan-7/x' in text and 'arrived Yz@"scan-7/x' in text
        assert "keyboard language" in text
        assert "SCAN CODE" not in text  # the fault is what the operator reads first


async def test_a_uk_layout_at_40x16(app_factory):
    app = app_factory(start="home")
    async with app.run_test(size=(40, 16)) as pilot:
        kb = await open_check(app, pilot)
        kb.scan(CODE128.data.translate(UK))
        await settle(pilot)
        assert "UK" in seen(app)
        assert [f.kind for f in app.screen.last.faults] == ["layout"]


async def test_no_enter_is_found_when_the_wedge_gap_passes_with_a_whole_code(app_factory):
    app = app_factory(start="home")
    async with app.run_test(size=(80, 24)) as pilot:
        kb = await open_check(app, pilot)
        kb.scan(EAN13.data, suffix="")
        await pilot.pause(max(0.0, kb.t - app.clock()) + 0.3)
        await settle(pilot)
        text = seen(app)
        assert "no suffix" in text and "never ended" in text
        assert "Enter after each code" in text
        assert app.screen.last.code == EAN13


async def test_slow_keys_with_pauses_show_the_gap_and_the_setting_that_fits(app_factory):
    app = app_factory(start="home")
    async with app.run_test(size=(80, 24)) as pilot:
        kb = await open_check(app, pilot)
        kb.scan(UPCA.data, gap=0.05)
        await settle(pilot)
        text = seen(app)
        assert "keys too slow: up to 50 ms apart, wedge_gap_ms is 30" in text
        assert "wedge_gap_ms = 80" in text
        assert app.screen.last.code == UPCA


async def test_the_setting_it_gives_takes_the_same_scanner(app_factory):
    app = app_factory(start="home", wedge_gap_ms=80.0)
    async with app.run_test(size=(80, 24)) as pilot:
        kb = await open_check(app, pilot)
        kb.scan(UPCA.data, gap=0.05)
        await settle(pilot)
        assert app.screen.last.ok


async def test_gs_lost_and_a_prefix(app_factory):
    app = app_factory(start="home")
    async with app.run_test(size=(80, 24)) as pilot:
        kb = await open_check(app, pilot)
        kb.scan(GS1_128.data.replace(GS, ""))
        await settle(pilot)
        assert "GS separator was lost" in seen(app)
        kb.scan("#" + DATAMATRIX.data)
        await settle(pilot)
        text = seen(app)
        assert "# came before the code" in text and "set scanner_prefix =" in text
        assert "scanner_prefix = '#'" in app.screen.last.faults[0].cure


async def test_scan_codes_open_and_leave_the_check(app_factory):
    app = app_factory(start="home")
    async with app.run_test(size=(80, 24)) as pilot:
        kb = Keyboard(app)
        await settle(pilot)
        kb.scan("%SCANCHECK")
        await settle(pilot)
        assert isinstance(app.screen, ScanCheckScreen)
        kb.scan("%HOME")
        await settle(pilot)
        assert app.current_mode == "home"
        kb.press("f11")
        await settle(pilot)
        assert isinstance(app.screen, ScanCheckScreen)
        kb.press("f1")  # function keys still reach the bindings
        await settle(pilot)
        assert app.current_mode == "home"


async def test_a_serial_scanners_codes_are_checked_without_timing(app_factory):
    from warehouse_tui.ui.messages import ScanReceived

    app = app_factory(start="home")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_check(app, pilot)
        app.post_message(ScanReceived("ttyACM0", DATAMATRIX.data))
        await settle(pilot)
        assert app.screen.last.ok and app.screen.last.max_gap_ms is None
        app.post_message(ScanReceived("ttyACM0", DATAMATRIX.data.replace(GS, "")))
        await settle(pilot)
        assert "GS separator was lost" in seen(app)
