"""Commands for documents: manifests, voiding labels, slips, pick lists, the command sheet."""

from __future__ import annotations

COMMANDS: dict = {}  # command name -> handler(args, settings) -> exit code


def add_parsers(sub, common) -> None:
    """Add this module's commands to the top-level subparsers; ``common(parser, top=False)``
    adds the shared options to a parser."""
