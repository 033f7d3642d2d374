"""The --scanner list: "keyboard" (a wedge scanner typing into the console) and serial specs."""

from __future__ import annotations

from collections.abc import Iterable

from warehouse_tui.scanning.serial_reader import parse_device_spec

KEYBOARD = "keyboard"


def is_keyboard(spec: str) -> bool:
    return spec.strip().lower() == KEYBOARD


def scanner_specs(values: Iterable[str] | None) -> list[str]:
    """Normalise --scanner values (or the scanners config list) into a list of specs.

    Each value may itself hold several specs separated by commas (as in
    ``WAREHOUSE_SCANNER=keyboard,/dev/ttyACM0``). Blanks are skipped, "keyboard" is
    matched in any case, a spec given twice counts once, and nothing given means
    ``["keyboard"]``. Raises ValueError for a malformed serial spec, or for one device
    given twice with different options.
    """
    specs: list[str] = []
    devices: dict[str, str] = {}
    for value in values or ():
        for part in value.split(","):
            spec = part.strip()
            if not spec:
                continue
            if is_keyboard(spec):
                spec = KEYBOARD
            else:
                url, _baud, _params = parse_device_spec(spec)
                device = url.partition("?")[0]
                if device in devices and devices[device] != spec:
                    raise ValueError(f"scanner {device} is given twice: {devices[device]!r} and {spec!r}")
                devices[device] = spec
            if spec not in specs:
                specs.append(spec)
    return specs or [KEYBOARD]


def serial_specs(specs: Iterable[str]) -> list[str]:
    """The specs that are serial devices (not the keyboard)."""
    return [spec for spec in specs if not is_keyboard(spec)]
