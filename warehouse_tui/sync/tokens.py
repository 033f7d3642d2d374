"""OAuth 2 refresh-token grants: an access token kept in memory and fetched again before it
expires (or when the marketplace refuses it); Etsy's rotating refresh tokens kept in a file of
their own (mode 0600 in the user data directory), never in the database or the config file."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

from warehouse_tui.sync.errors import CredentialsRefused, NotTheApi
from warehouse_tui.sync.http import Api, error_text

EARLY_S = 120  # refresh this long before the token expires


class TokenFile:
    """The latest refresh token of a marketplace that rotates them. It remembers which token
    of the config file it descends from: a new one put in the config (a new authorisation)
    starts the chain again."""

    def __init__(self, path: Path, seed: str):
        self.path = Path(path)
        self.seed = hashlib.sha256(seed.encode()).hexdigest()[:16]

    def load(self) -> str | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if isinstance(data, dict) and data.get("seed") == self.seed and isinstance(data.get("refresh_token"), str):
            return data["refresh_token"]
        return None

    def save(self, token: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".token-", dir=self.path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"seed": self.seed, "refresh_token": token}, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


class RefreshGrant:
    """Access tokens by the refresh-token grant at ``token_api``."""

    def __init__(self, token_api: Api, url: str, refresh_token: str, form: dict[str, str], *,
                 basic: tuple[str, str] | None = None, store: TokenFile | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.api, self.url, self.form, self.basic, self.store, self.clock = token_api, url, form, basic, store, clock
        self.refresh_token = (store.load() if store else None) or refresh_token
        self.access_token: str | None = None
        self.expires = 0.0
        self._lock = threading.Lock()
        self.refreshes = 0

    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.refresh_token, self.access_token) if s)

    def token(self) -> str:
        with self._lock:
            if self.access_token is None or self.clock() >= self.expires - EARLY_S:
                self._refresh()
            return self.access_token

    def forget(self) -> None:
        with self._lock:
            self.access_token = None

    def _refresh(self) -> None:
        form = {"grant_type": "refresh_token", "refresh_token": self.refresh_token, **self.form}
        auth = self.basic
        r = self.api.call("POST", self.url, data=form, auth=auth, refusal_ok=True, op="token")
        if r.status_code >= 400:
            raise CredentialsRefused(f"refused credentials: {error_text(r, self.secrets() + tuple(self.form.values()))}")
        body = r.json()
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise NotTheApi("the token answer holds no access_token")
        self.access_token = body["access_token"]
        expires_in = body.get("expires_in")
        self.expires = self.clock() + (float(expires_in) if isinstance(expires_in, (int, float)) else 3600.0)
        self.refreshes += 1
        new = body.get("refresh_token")
        if isinstance(new, str) and new and new != self.refresh_token:
            self.refresh_token = new
            if self.store:
                self.store.save(new)
