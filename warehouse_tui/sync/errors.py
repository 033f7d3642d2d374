"""What can go wrong talking to a marketplace, in words safe to print: never a URL's query, a
header or a credential."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def clean(text: object, secrets: tuple[str, ...] = (), limit: int = 300) -> str:
    """Marketplace text made safe for one line on a terminal, with any secret blanked out."""
    s = str(text if text is not None else "")
    for secret in secrets:
        if secret and len(secret) >= 4:
            s = s.replace(secret, "***")
    s = " ".join(_CONTROL.sub(" ", s).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


class SyncError(Exception):
    """A channel that could not be synced; the message is safe to print."""


class CredentialsRefused(SyncError):
    pass


class NotTheApi(SyncError):
    """An answer that is not what the marketplace's API gives."""


class Unreachable(SyncError):
    """No good answer after every retry (timeouts, 429, 5xx)."""


class Refused(SyncError):
    """The marketplace answered a request with a refusal of its own (a 4xx and its error body)."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status
