"""Documents ready for a printer: the bytes, their format, and a name to file them under."""

from __future__ import annotations

from warehouse_tui.documents.base import (
    Document,
    LabelData,
    ManifestData,
    PickListData,
    SlipData,
)
from warehouse_tui.documents.printers import file_stem

LABEL_FORMATS = ("zpl", "pdf")


def render_label(label: LabelData, fmt: str = "zpl", dpi: int = 203) -> Document:
    """The shipping label in ``fmt`` (zpl or pdf); ``dpi`` (203 or 300) matters to ZPL only."""
    if fmt == "zpl":
        from warehouse_tui.documents.zpl import label_zpl

        data = label_zpl(label, dpi)
    elif fmt == "pdf":
        from warehouse_tui.documents.pdf import label_pdf

        data = label_pdf(label)
    else:
        raise ValueError(f"label format must be zpl or pdf, not {fmt!r}")
    name = f"label-{file_stem(label.order_ref, 'order')}-{label.parcel_seq}"
    return Document(kind="label", format=fmt, data=data, name=name)


def render_packing_slip(slip: SlipData, page: str = "a4") -> Document:
    from warehouse_tui.documents.pdf import packing_slip_pdf

    name = f"packing-slip-{file_stem(slip.order_ref, 'order')}"
    return Document(kind="packing_slip", format="pdf", data=packing_slip_pdf(slip, page), name=name)


def render_pick_list(pick_list: PickListData) -> Document:
    from warehouse_tui.documents.pdf import pick_list_pdf

    name = f"pick-list-{file_stem(pick_list.title, 'batch')}"
    return Document(kind="pick_list", format="pdf", data=pick_list_pdf(pick_list), name=name)


def render_manifest(manifest: ManifestData, fmt: str = "pdf") -> Document:
    from warehouse_tui.documents.pdf import manifest_csv, manifest_pdf

    if fmt == "pdf":
        data = manifest_pdf(manifest)
    elif fmt == "csv":
        data = manifest_csv(manifest)
    else:
        raise ValueError(f"manifest format must be pdf or csv, not {fmt!r}")
    name = f"manifest-{file_stem(manifest.carrier, 'carrier')}-{file_stem(manifest.manifest_id)}"
    return Document(kind="manifest", format=fmt, data=data, name=name)


def render_command_sheet(badges: list[str]) -> Document:
    from warehouse_tui.documents.pdf import command_sheet_pdf

    return Document(
        kind="command_sheet", format="pdf", data=command_sheet_pdf(badges), name="command-sheet"
    )
