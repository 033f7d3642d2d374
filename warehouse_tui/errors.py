"""Errors that the core raises and the command line turns into exit statuses."""

from __future__ import annotations


class Usage(Exception):
    """A request that cannot be acted on as given (a missing folder, a bad device spec):
    the command line exits 2 with this message."""


class Refusal(Exception):
    """A request refused as it stands (an unknown operator, a PIN refused): the command line
    exits 1 with this message, and nothing was changed."""


class UnknownOperator(Refusal):
    def __init__(self, name: str):
        self.name = name
        super().__init__(f"unknown operator {name!r}: only `warehouse-tui operator add {name}` makes an operator")


class PinRefused(Refusal):
    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(f"PIN refused: {reason}")
