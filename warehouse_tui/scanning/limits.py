"""Limits of a scan, apart from the grammar (whose GS1 parser is a slow import at start-up)."""

from __future__ import annotations

MAX_SCAN = 4096  # characters: a longer scan is refused whole
