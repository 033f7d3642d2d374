"""Documents and printers: labels (ZPL, PDF), packing slips, pick lists, manifests, the command
sheet, and the printers they go to.

The names below are imported on first use, so ``import warehouse_tui.documents.base`` (what the
stations need to hand data over) does not load reportlab.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "Document": "base",
    "LabelData": "base",
    "ManifestData": "base",
    "ManifestParcel": "base",
    "PickLine": "base",
    "PickListData": "base",
    "PickOrder": "base",
    "PrintError": "base",
    "SlipData": "base",
    "SlipLine": "base",
    "label_zpl": "zpl",
    "zpl_escape": "zpl",
    "label_pdf": "pdf",
    "packing_slip_pdf": "pdf",
    "pick_list_pdf": "pdf",
    "manifest_pdf": "pdf",
    "manifest_csv": "pdf",
    "command_sheet_pdf": "pdf",
    "csv_safe": "text",
    "COMMANDS": "command_sheet",
    "open_printer": "printers",
    "Printer": "printers",
    "render_label": "render",
    "render_packing_slip": "render",
    "render_pick_list": "render",
    "render_manifest": "render",
    "render_command_sheet": "render",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
