"""Errors that the core raises and the command line turns into exit statuses."""

from __future__ import annotations


class Usage(Exception):
    """A request that cannot be acted on as given (a missing folder, a bad device spec):
    the command line exits 2 with this message."""
