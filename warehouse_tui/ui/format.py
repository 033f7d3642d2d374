"""Formatting for the floor: ship-by in words, plain text for anything from a marketplace."""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo

from rich.text import Text

from warehouse_tui.text import safe, safe_lines


def aware(t: datetime | None) -> datetime | None:
    """SQLite hands datetimes back naive; they were written in UTC."""
    if t is None:
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def ship_by(t: datetime | None, now: datetime, tz: tzinfo | None, *, short: bool = False) -> str:
    t = aware(t)
    if t is None:
        return "-"
    local, today = t.astimezone(tz), now.astimezone(tz)
    days = (local.date() - today.date()).days
    clock = local.strftime("%H:%M")
    if days == 0:
        return clock if short else f"today {clock}"
    if days == 1:
        return "tmrw" if short else f"tomorrow {clock}"
    if days == -1:
        return "yday" if short else f"yesterday {clock}"
    return local.strftime("%d %b") if short else local.strftime("%a %d %b %H:%M")


def late_note(t: datetime | None, now: datetime) -> str:
    t = aware(t)
    if t is None:
        return ""
    hours = (t - now).total_seconds() / 3600
    if hours < 0:
        return "LATE"
    if hours < 4:
        return f"due in {max(1, round(hours))} h"
    return ""


def plain(value: object, style: str = "") -> Text:
    """Untrusted text as it is: never read as markup, and no control character in it reaches
    the terminal."""
    return Text(safe(value), style=style, no_wrap=True, overflow="ellipsis")


class SafeText(Text):
    """A Text whose every string is made terminal-safe (``warehouse_tui.text.safe_lines``) as it
    goes in: the widgets that show order, product and address text build it with this, so an
    escape sequence in imported data is shown as ``\x1b`` and never sent to the terminal."""

    def __init__(self, text: str = "", *args, **kwargs) -> None:
        super().__init__(safe_lines(text), *args, **kwargs)

    def append(self, text, style=None) -> "SafeText":
        return super().append(safe_lines(text) if isinstance(text, str) else text, style)


def units(n: int) -> str:
    return f"{n} unit" if n == 1 else f"{n} units"


SPARK = " ▁▂▃▄▅▆▇█"


def sparkline(values: list[int]) -> str:
    top = max(values, default=0)
    if top <= 0:
        return "▁" * len(values)
    return "".join(SPARK[max(1, round(v / top * 8))] if v else "▁" for v in values)
