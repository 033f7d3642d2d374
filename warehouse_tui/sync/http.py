"""One HTTP client per marketplace: timeouts on every call, retries with backoff and jitter on
429, 5xx and dropped connections (honouring ``Retry-After``), pacing by the marketplace's rate
limit headers, a fresh token on 401/403, and errors that never carry a URL's query, a header or
a credential."""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from datetime import datetime, timezone
from typing import Any, Callable

import httpx
from tenacity import RetryCallState, Retrying, stop_after_attempt, wait_random_exponential

from warehouse_tui.sync.errors import CredentialsRefused, NotTheApi, Refused, Unreachable, clean

# httpx logs every request's full URL at INFO: keep it quiet
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)

log = logging.getLogger("warehouse_tui.sync")


class _Again(Exception):
    """A transient failure. ``safe``: the request surely did nothing (a 429, no connection), so
    even a request that must not run twice can be tried again."""

    def __init__(self, what: str, retry_after: float | None = None, safe: bool = False):
        super().__init__(what)
        self.what = what
        self.retry_after = retry_after
        self.safe = safe


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def error_text(response: httpx.Response, secrets: tuple[str, ...] = ()) -> str:
    """The marketplace's own reason from its error body (each API words it its own way)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    parts: list[str] = []
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list):
            for e in errors:
                if isinstance(e, dict):
                    parts.append(" ".join(str(x) for x in (e.get("code") or e.get("errorId") or "",
                                                             e.get("message") or e.get("longMessage") or "") if x))
                else:
                    parts.append(str(e))
        elif isinstance(errors, (str, dict)):
            parts.append(str(errors))
        if not parts:  # OAuth errors: {"error": "invalid_grant", "error_description": "..."}
            words = [body[k] for k in ("error", "error_description", "message") if isinstance(body.get(k), str)]
            if words:
                parts.append(": ".join(words))
    elif response.text:
        parts.append(response.text[:200])
    reason = "; ".join(p for p in parts if p) or response.reason_phrase or "no reason given"
    return clean(f"{response.status_code} {reason}", secrets)


def new_client(timeout: float) -> httpx.Client:
    """A marketplace's one HTTP client: a timeout on every call, no redirects followed (a
    redirect would carry the credentials elsewhere)."""
    return httpx.Client(timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)), follow_redirects=False,
                        headers={"User-Agent": "warehouse-tui"})


class Api:
    """Calls to one marketplace. ``auth(headers)`` adds the credentials to a request;
    ``reauth()`` forgets a token the marketplace refused, so the next ``auth`` fetches a new one."""

    def __init__(self, channel: str, base_url: str, *, timeout: float = 30.0, backoff: float = 2.0,
                 max_wait: float = 120.0, attempts: int = 5, auth: Callable[[dict], None] | None = None,
                 reauth: Callable[[], None] | None = None, secrets: Callable[[], tuple[str, ...]] = tuple,
                 pace: Callable[[str, httpx.Response], float | None] | None = None,
                 client: httpx.Client | None = None):
        self.channel = channel
        self.base = base_url.rstrip("/")
        self.owned = client is None
        self.client = client or new_client(timeout)
        self.backoff, self.max_wait, self.attempts = backoff, max_wait, attempts
        self.auth, self.reauth, self.secrets, self._pace = auth, reauth, secrets, pace
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()
        self.calls = 0

    def close(self) -> None:
        if self.owned:
            self.client.close()

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.base + path

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Again) and exc.retry_after is not None:
            return min(exc.retry_after, self.max_wait)
        return wait_random_exponential(multiplier=self.backoff, max=self.max_wait)(state)

    def _wait_for_slot(self, op: str) -> None:
        with self._lock:
            due = self._next.get(op, 0.0)
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(min(delay, self.max_wait))

    def call(self, method: str, path: str, *, op: str | None = None, expect_json: bool = True,
             refusal_ok: bool = False, once_only: bool = False, **kwargs: Any) -> httpx.Response:
        """The answer to one request, after retries. A 4xx raises ``Refused`` with the
        marketplace's reason (``CredentialsRefused`` for 401/403 even with a fresh token).
        ``once_only``: a request that must not take effect twice (a confirmation e-mails the
        buyer) is tried again only when it surely did nothing; after a timeout or a 5xx it may
        have, so ``Unreachable`` is raised and the caller checks before sending it again."""
        op = op or path
        where = f"{method} {httpx.URL(path).path or path.split('?', 1)[0]}"

        def once() -> httpx.Response:
            self._wait_for_slot(op)
            for fresh in (False, True):
                headers = dict(kwargs.get("headers") or {})
                if self.auth:
                    self.auth(headers)
                try:
                    self.calls += 1
                    r = self.client.request(method, self.url(path), **{**kwargs, "headers": headers})
                except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                    raise _Again(f"{where}: {type(exc).__name__}", safe=True) from None
                except httpx.TimeoutException:
                    raise _Again(f"{where}: no answer in time") from None
                except httpx.TransportError as exc:
                    raise _Again(f"{where}: {type(exc).__name__}") from None
                if self._pace:
                    gap = self._pace(op, r)
                    if gap:
                        with self._lock:
                            self._next[op] = time.monotonic() + gap
                if r.status_code in (401, 403) and self.reauth and not fresh:
                    self.reauth()
                    continue
                break
            if r.status_code == 429 or r.status_code >= 500:
                raise _Again(f"{where}: {error_text(r, self.secrets())}", retry_after(r.headers.get("Retry-After")),
                             safe=r.status_code == 429)
            return r

        def worth_another(state: RetryCallState) -> bool:
            exc = state.outcome.exception() if state.outcome else None
            return isinstance(exc, _Again) and (exc.safe or not once_only)

        tries = 0
        try:
            for attempt in Retrying(stop=stop_after_attempt(self.attempts), wait=self._wait, retry=worth_another,
                                    reraise=True, before_sleep=self._log_retry):
                with attempt:
                    tries += 1
                    r = once()
        except _Again as exc:
            raise Unreachable(f"{exc.what} (after {tries} {'try' if tries == 1 else 'tries'})") from None
        if r.status_code in (401, 403):
            raise CredentialsRefused(f"refused credentials: {where}: {error_text(r, self.secrets())}")
        if r.status_code >= 400:
            if refusal_ok:
                return r
            raise Refused(error_text(r, self.secrets()), r.status_code)
        if expect_json and r.status_code != 204:
            try:
                r.json()
            except ValueError:
                raise NotTheApi(f"{where}: the answer is not JSON ({r.headers.get('content-type', 'no type')})") from None
        return r

    def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0
        log.info("%s: %s; trying again in %.1f s", self.channel, getattr(exc, "what", "failed"), wait)
