"""Each marketplace's settings: ``[channels.NAME]`` in the config file, overridden by
``WAREHOUSE_<CHANNEL>_<KEY>`` variables. Secrets are kept in ``Secret`` so they never show in a
repr, a log line or a traceback."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Mapping

from warehouse_tui.errors import Usage

CHANNELS = ("amazon", "ebay", "etsy", "shopify")

REQUIRED = {
    "amazon": ("client_id", "client_secret", "refresh_token"),
    "ebay": ("client_id", "client_secret", "refresh_token"),
    "etsy": ("api_key", "refresh_token", "shop_id"),
    "shopify": ("shop", "access_token"),
}
SECRET_KEYS = {"client_secret", "refresh_token", "access_token", "api_key"}
OPTIONAL = {
    "amazon": ("marketplace_ids", "endpoint", "token_url"),
    "ebay": ("endpoint", "token_url", "scope"),
    "etsy": ("endpoint", "token_url", "token_file"),
    "shopify": ("api_version", "endpoint"),
}
DEFAULTS = {
    "amazon": {"endpoint": "https://sellingpartnerapi-na.amazon.com", "token_url": "https://api.amazon.com/auth/o2/token",
               "marketplace_ids": ["ATVPDKIKX0DER"]},
    "ebay": {"endpoint": "https://api.ebay.com", "token_url": "https://api.ebay.com/identity/v1/oauth2/token"},
    "etsy": {"endpoint": "https://openapi.etsy.com", "token_url": "https://api.etsy.com/v3/public/oauth/token"},
    "shopify": {"api_version": "2025-07"},
}


class Secret:
    """A credential: its value only through ``.value``."""

    __slots__ = ("value",)

    def __init__(self, value: str):
        self.value = value

    def __repr__(self) -> str:
        return "Secret(***)"

    __str__ = __repr__


@dataclass
class ChannelConfig:
    name: str
    values: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    def __getitem__(self, key: str) -> Any:
        v = self.values.get(key)
        return v.value if isinstance(v, Secret) else v

    def get(self, key: str, default: Any = None) -> Any:
        v = self[key]
        return default if v in (None, "") else v

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(v.value for v in self.values.values() if isinstance(v, Secret) and v.value)


def channel_config(settings, name: str, env: Mapping[str, str] | None = None) -> ChannelConfig | None:
    """The channel's settings, or None when neither the config file nor the environment says
    anything about it (a channel with no credentials is not synced)."""
    env = os.environ if env is None else env
    given = dict(settings.channels.get(name, {}))
    for key in REQUIRED[name] + OPTIONAL[name]:
        var = f"WAREHOUSE_{name.upper()}_{key.upper()}"
        if env.get(var, "").strip():
            given[key] = env[var].strip()
    if name == "etsy" and not given.get("shop_id") and getattr(settings, "etsy_shop_id", None):
        given["shop_id"] = settings.etsy_shop_id
    if not any(given.get(k) for k in REQUIRED[name] if k in SECRET_KEYS):
        return None
    values: dict[str, Any] = dict(DEFAULTS[name])
    for key, value in given.items():
        if key not in REQUIRED[name] + OPTIONAL[name]:
            continue
        if key == "marketplace_ids" and isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        values[key] = Secret(str(value)) if key in SECRET_KEYS else value
    if name == "shopify" and not values.get("endpoint") and values.get("shop"):
        values["endpoint"] = f"https://{values['shop']}"
    missing = [k for k in REQUIRED[name] if not (values[k].value if isinstance(values.get(k), Secret) else values.get(k))]
    return ChannelConfig(name, values, missing)


def configured(settings, only: str | None = None, env: Mapping[str, str] | None = None) -> list[ChannelConfig]:
    if only is not None and only not in CHANNELS:
        raise Usage(f"unknown channel {only!r} (known: {', '.join(CHANNELS)})")
    found = [c for c in (channel_config(settings, n, env) for n in CHANNELS if only in (None, n)) if c is not None]
    if only and not found:
        raise Usage(f"{only} has no credentials: add a [channels.{only}] section to the config file "
                    f"or set WAREHOUSE_{only.upper()}_* variables")
    return found
