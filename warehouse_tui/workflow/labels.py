"""Shipping labels: a tracking number from the carrier's sequence, the label, the printer.

The number is drawn inside the caller's write transaction and the label is sent before that
transaction commits: a label the printer did not take rolls the number back, so no number is
spent on a label not printed and the sequence has no gaps. Stations serialise on the
counter's row, so no number is issued twice.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from warehouse_tui.carriers import CARRIERS, ups_tracking_number, usps_barcode_data, usps_tracking_number
from warehouse_tui.channels.base import Address
from warehouse_tui.config import Settings
from warehouse_tui.documents.base import Document, LabelData, PrintError
from warehouse_tui.domain.models import Counter, Order, Parcel, utcnow


class LabelError(Exception):
    pass


def next_serial(s: Session, name: str) -> int:
    counter = s.exec(select(Counter).where(Counter.name == name).with_for_update()).first()
    if counter is None:
        try:  # a first number: two stations may create the row at once where writes overlap
            with s.begin_nested():
                s.add(Counter(name=name, value=0))
        except IntegrityError:
            pass
        counter = s.exec(select(Counter).where(Counter.name == name).with_for_update()).one()
    counter.value += 1
    s.add(counter)
    s.flush()
    return counter.value


def issue_tracking(s: Session, settings: Settings, carrier: str, order: Order) -> tuple[str, str, str]:
    """(tracking number, service, barcode data) for the next parcel of this carrier."""
    conf = settings.carriers.get(carrier, {})
    if carrier == "ups":
        shipper = str(conf.get("shipper_number", "")).upper()
        service = str(conf.get("service", "03"))
        if len(shipper) != 6:
            raise LabelError("carriers.ups.shipper_number must be the 6-character UPS shipper number")
        n = next_serial(s, f"ups:{shipper}")
        number = ups_tracking_number(shipper, service, n)
        return number, service, number
    if carrier == "usps":
        mid = str(conf.get("mailer_id", ""))
        stc = str(conf.get("service_type_code", "001"))
        if not mid.isdigit() or len(mid) not in (6, 9):
            raise LabelError("carriers.usps.mailer_id must be a 6- or 9-digit Mailer ID")
        n = next_serial(s, f"usps:{mid}")
        number = usps_tracking_number(stc, mid, n)
        zip_code = "".join(ch for ch in order.ship_postal_code if ch.isdigit())[:9]
        if len(zip_code) not in (5, 9):
            raise LabelError(f"USPS needs a 5- or 9-digit ZIP code, not {order.ship_postal_code!r}")
        return number, str(conf.get("service", stc)), usps_barcode_data(zip_code, number)
    raise LabelError(f"labels for carrier {carrier!r} are not printed here: scan a label bought elsewhere")


def ship_to(order: Order) -> Address:
    return Address(name=order.ship_name, address1=order.ship_address1, address2=order.ship_address2,
                   city=order.ship_city, region=order.ship_region, postal_code=order.ship_postal_code,
                   country=order.ship_country, phone=order.ship_phone, email=order.ship_email)


def render(label: LabelData, fmt: str, dpi: int) -> Document:
    name = f"label-{label.order_ref}-{label.parcel_seq}".replace("/", "_").replace("#", "")
    if fmt == "pdf":
        from warehouse_tui.documents.pdf import label_pdf

        return Document(kind="label", format="pdf", data=label_pdf(label), name=name)
    from warehouse_tui.documents.zpl import label_zpl

    return Document(kind="label", format="zpl", data=label_zpl(label, dpi), name=name)


def open_printer(settings: Settings):
    from warehouse_tui.documents.printers import open_printer as _open

    return _open(settings.printer)


def print_label(s: Session, settings: Settings, printer, order: Order, parcel: Parcel, count: int,
                carrier: str) -> Document:
    number, service, barcode = issue_tracking(s, settings, carrier, order)
    label = LabelData(
        ship_from=settings.ship_from, ship_to=ship_to(order), carrier=carrier,
        carrier_name=CARRIERS[carrier].name if carrier in CARRIERS else carrier.upper(),
        service=service, weight_g=parcel.weight_g, order_ref=order.display_name,
        parcel_seq=parcel.seq, parcel_count=count, tracking_number=number,
        barcode_type="gs1-128" if carrier == "usps" else "code128", barcode_data=barcode,
    )
    doc = render(label, settings.label_format, settings.label_dpi)
    try:
        (printer or open_printer(settings)).send(doc)
    except (PrintError, ValueError) as exc:
        raise LabelError(str(exc)) from None
    parcel.tracking_number, parcel.carrier, parcel.service = number, carrier, service
    parcel.status, parcel.labeled_at = "labeled", utcnow()
    s.add(parcel)
    return doc
