"""The console's stylesheet parses a source once, and again only when the variables change
(a theme): switching to a new screen mode reuses what was parsed, a theme still restyles."""

from __future__ import annotations

import textual.css.stylesheet as stylesheet_module
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from warehouse_tui.ui.app import KeptRulesStylesheet, WarehouseApp


class _Page(Screen):
    def compose(self) -> ComposeResult:
        yield Static("a page", id="page")


class _TwoModes(App):
    CSS = "#page { background: $primary; }"
    MODES = {"one": _Page, "two": _Page}

    def __init__(self) -> None:
        super().__init__()
        self.stylesheet = KeptRulesStylesheet(variables=self.get_css_variables())

    def on_mount(self) -> None:
        self.switch_mode("one")


async def test_a_new_mode_parses_nothing_again_and_a_theme_restyles(monkeypatch):
    parsed: list = []
    real = stylesheet_module.parse

    def counting(scope, css, read_from, **kw):
        parsed.append(read_from)
        return real(scope, css, read_from, **kw)

    monkeypatch.setattr(stylesheet_module, "parse", counting)
    app = _TwoModes()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        before = app.screen.query_one("#page").styles.background
        assert any("CSS" in str(where) for where in parsed)  # the app's own CSS was parsed
        seen = len(parsed)
        await app.switch_mode("two")
        await pilot.pause()
        assert type(app.screen) is _Page and app.current_mode == "two"
        assert parsed[seen:] == []  # same sources, same variables: nothing parsed again
        dark = app.theme
        app.theme = "textual-light" if dark != "textual-light" else "textual-dark"
        await pilot.pause()
        assert len(parsed) > seen  # new variables: parsed again
        assert app.screen.query_one("#page").styles.background != before


def test_the_console_uses_it():
    from warehouse_tui.config import Settings

    app = WarehouseApp(None, Settings(), open_db=lambda: None)
    assert isinstance(app.stylesheet, KeptRulesStylesheet)
