"""Settings: defaults, then the TOML config file, then WAREHOUSE_* variables, then the command line."""

from __future__ import annotations

import logging
import os
import socket
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import platformdirs

from warehouse_tui.channels.base import Address

APP = "warehouse-tui"


class ConfigError(Exception):
    pass


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def default_db() -> str:
    return str(data_dir() / "warehouse.db")


DEFAULT_RETURNS_TEXT = (
    "To return an item, pack it with this slip within 30 days and write the order number "
    "on the parcel."
)


@dataclass
class Settings:
    db: str = field(default_factory=default_db)
    config: str | None = None
    station: str = field(default_factory=lambda: socket.gethostname().split(".")[0].upper() or "STATION")
    operator: str | None = None
    scanners: list[str] = field(default_factory=lambda: ["keyboard"])
    printer: str = field(default_factory=lambda: f"dir:{data_dir() / 'printed'}")
    label_format: str = "zpl"
    label_dpi: int = 203
    scale: str | None = None
    ship_from: Address = field(default_factory=Address)
    carriers: dict[str, dict[str, Any]] = field(default_factory=dict)
    batch_size: int = 4
    # keyboard-wedge scanners: keys closer together than this are a scanner's burst
    wedge_gap_ms: float = 30.0
    wedge_min_length: int = 4
    scanner_prefix: str | None = None
    scanner_suffix: str = "enter"
    return_instructions: str = DEFAULT_RETURNS_TEXT
    print_packing_slip: bool = False  # print the packing slip when an order is packed
    slip_page: str = "a4"  # a4 | letter | 4x6
    print_pick_list: bool = False  # print the pick list when a %BATCH starts
    etsy_shop_id: str | None = None  # Etsy confirmations need the shop's id
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)  # [channels.NAME]: marketplace APIs
    sync_backoff_s: float = 2.0  # first retry wait of a marketplace call (doubling, with jitter)
    sync_max_wait_s: float = 120.0  # the longest wait a Retry-After or a rate limit may ask for
    sync_timeout_s: float = 30.0  # each marketplace call

    @property
    def carrier_order(self) -> list[str]:
        return list(self.carriers)


# option name -> (type, is_list); the config key is the option name with "_" for "-"
OPTIONS: dict[str, tuple[type, bool]] = {
    "db": (str, False),
    "station": (str, False),
    "operator": (str, False),
    "scanner": (str, True),
    "printer": (str, False),
    "label_format": (str, False),
    "label_dpi": (int, False),
    "scale": (str, False),
    "batch_size": (int, False),
    "wedge_gap_ms": (float, False),
    "wedge_min_length": (int, False),
    "scanner_prefix": (str, False),
    "scanner_suffix": (str, False),
    "return_instructions": (str, False),
    "print_packing_slip": (bool, False),
    "slip_page": (str, False),
    "print_pick_list": (bool, False),
    "etsy_shop_id": (str, False),
    "sync_backoff_s": (float, False),
    "sync_max_wait_s": (float, False),
    "sync_timeout_s": (float, False),
}
FILE_KEYS = {"scanners": "scanner"}  # the config file's one list is called "scanners"


def _coerce(name: str, value: Any, where: str) -> Any:
    kind, is_list = OPTIONS[name]
    if kind is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{where}: {name} must be true or false, not {value!r}")
    if is_list:
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list):
            raise ConfigError(f"{where}: {name} must be a list")
        return [str(v) for v in value]
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: {name} must be {kind.__name__}, not {value!r}") from None


def _read_file(path: Path, explicit: bool) -> dict[str, Any]:
    if not path.exists():
        if explicit:
            raise ConfigError(f"{path}: config file not found")
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None


def load_settings(cli: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """``cli`` holds only the options given on the command line (option name -> value)."""
    cli = dict(cli or {})
    env = os.environ if env is None else env
    explicit = cli.get("config") or env.get("WAREHOUSE_CONFIG")
    path = Path(explicit).expanduser() if explicit else config_dir() / "warehouse.toml"
    raw = _read_file(path, bool(explicit))

    values: dict[str, Any] = {}
    for key, value in raw.items():
        name = FILE_KEYS.get(key, key.replace("-", "_"))
        if name in OPTIONS:
            values[name] = _coerce(name, value, f"{path}: {key}")
        elif key not in ("ship_from", "carriers", "channels", "config"):
            logging.getLogger("warehouse_tui").warning("%s: unknown key %r ignored", path, key)
    for name in OPTIONS:
        var = f"WAREHOUSE_{name.upper()}"
        if env.get(var):
            values[name] = _coerce(name, env[var], var)
    for name, value in cli.items():
        if name in OPTIONS and value is not None:
            values[name] = _coerce(name, value, f"--{name.replace('_', '-')}")

    s = Settings(config=str(path))
    for name, value in values.items():
        setattr(s, "scanners" if name == "scanner" else name, value)
    if s.label_format not in ("zpl", "pdf"):
        raise ConfigError(f"label_format must be zpl or pdf, not {s.label_format!r}")
    if s.label_dpi not in (203, 300):
        raise ConfigError(f"label_dpi must be 203 or 300, not {s.label_dpi}")
    ship_from = raw.get("ship_from", {})
    if not isinstance(ship_from, dict):
        raise ConfigError(f"{path}: [ship_from] must be a table")
    known = set(Address.__dataclass_fields__)
    s.ship_from = Address(**{k: str(v) for k, v in ship_from.items() if k in known})
    carriers = raw.get("carriers", {})
    if not isinstance(carriers, dict) or not all(isinstance(v, dict) for v in carriers.values()):
        raise ConfigError(f"{path}: [carriers.NAME] must be tables")
    s.carriers = {k.lower(): dict(v) for k, v in carriers.items()}
    channels = raw.get("channels", {})
    if not isinstance(channels, dict) or not all(isinstance(v, dict) for v in channels.values()):
        raise ConfigError(f"{path}: [channels.NAME] must be tables")
    s.channels = {k.lower(): dict(v) for k, v in channels.items()}
    return s
