"""Shipping labels: a tracking number from the carrier's sequence, the label, the printer.

A parcel's number is drawn and committed on the parcel before its label is sent, so a
station killed between printing and recording can never hand the same number to another
parcel: started again, it prints the same number for the same parcel. A label the printer
did not take gives its number back to the sequence when it is still the last one drawn
(no gap), or else keeps it on the parcel for the next try. Stations serialise on the
counter's row, so no number is issued twice.
"""

from __future__ import annotations

from sqlalchemy import bindparam, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from warehouse_tui.carriers import CARRIERS, ups_tracking_number, usps_barcode_data, usps_tracking_number
from warehouse_tui.channels.base import Address
from warehouse_tui.config import Settings
from warehouse_tui.documents.base import Document, LabelData, PrintError
from warehouse_tui.domain.models import Counter, Order, Parcel, utcnow


class LabelError(Exception):
    pass


# built once: each label draws its number with one statement, under the counter row's lock
_COUNTERS = Counter.__table__
_BUMP = (update(_COUNTERS).where(_COUNTERS.c.name == bindparam("which"))
         .values(value=_COUNTERS.c.value + 1).returning(_COUNTERS.c.value))
_GIVE_BACK = (update(_COUNTERS).where(_COUNTERS.c.name == bindparam("which"), _COUNTERS.c.value == bindparam("serial"))
              .values(value=_COUNTERS.c.value - 1))


def next_serial(s: Session, name: str) -> int:
    """The next number of a sequence, counted in the database under the row's lock."""
    s.flush()
    bumped = s.connection().execute(_BUMP, {"which": name}).scalar()
    if bumped is None:
        try:  # a first number: two stations may create the row at once where writes overlap
            with s.begin_nested():
                s.add(Counter(name=name, value=0))
        except IntegrityError:
            pass
        bumped = s.connection().execute(_BUMP, {"which": name}).scalar_one()
    return int(bumped)


def give_back(s: Session, name: str, serial: int) -> bool:
    """Return a number not printed to its sequence, if no one has drawn a later one."""
    s.flush()
    return s.connection().execute(_GIVE_BACK, {"which": name, "serial": serial}).rowcount == 1


def _ups(settings: Settings) -> tuple[str, str]:
    conf = settings.carriers.get("ups", {})
    shipper = str(conf.get("shipper_number", "")).upper()
    if len(shipper) != 6:
        raise LabelError("carriers.ups.shipper_number must be the 6-character UPS shipper number")
    return shipper, str(conf.get("service", "03"))


def _usps(settings: Settings, order: Order) -> tuple[str, str, str, str]:
    conf = settings.carriers.get("usps", {})
    mid = str(conf.get("mailer_id", ""))
    stc = str(conf.get("service_type_code", "001"))
    if not mid.isdigit() or len(mid) not in (6, 9):
        raise LabelError("carriers.usps.mailer_id must be a 6- or 9-digit Mailer ID")
    zip_code = "".join(ch for ch in order.ship_postal_code if ch.isdigit())[:9]
    if len(zip_code) not in (5, 9):
        raise LabelError(f"USPS needs a 5- or 9-digit ZIP code, not {order.ship_postal_code!r}")
    return mid, stc, str(conf.get("service", stc)), zip_code


def barcode_data(settings: Settings, carrier: str, order: Order, number: str) -> str:
    if carrier == "usps":
        return usps_barcode_data(_usps(settings, order)[3], number)
    return number


def issue_tracking(s: Session, settings: Settings, carrier: str, order: Order) -> tuple[str, str, str, int]:
    """(tracking number, service, counter name, serial) for the next parcel of this carrier."""
    if carrier == "ups":
        shipper, service = _ups(settings)
        name = f"ups:{shipper}"
        n = next_serial(s, name)
        return ups_tracking_number(shipper, service, n), service, name, n
    if carrier == "usps":
        mid, stc, service, _zip = _usps(settings, order)
        name = f"usps:{mid}"
        n = next_serial(s, name)
        return usps_tracking_number(stc, mid, n), service, name, n
    raise LabelError(f"labels for carrier {carrier!r} are not printed here: scan a label bought elsewhere")


def ship_to(order: Order) -> Address:
    return Address(name=order.ship_name, address1=order.ship_address1, address2=order.ship_address2,
                   city=order.ship_city, region=order.ship_region, postal_code=order.ship_postal_code,
                   country=order.ship_country, phone=order.ship_phone, email=order.ship_email)


def load_renderer(fmt: str) -> None:
    """Import the renderer of the label format (its fonts' metrics with it) ahead of the first label."""
    if fmt == "pdf":
        import warehouse_tui.documents.pdf  # noqa: F401
    else:
        from warehouse_tui.documents.zpl import text_width

        text_width("0", 20)  # the font's widths are read on first use


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
    """Draw the parcel's number (committed at once), print its label, mark it labeled.

    The caller commits the ``labeled`` state with whatever else it records."""
    drawn = None
    if not (parcel.tracking_number and parcel.carrier == carrier and parcel.labeled_at is None):
        number, service, name, serial = issue_tracking(s, settings, carrier, order)
        parcel.tracking_number, parcel.carrier, parcel.service = number, carrier, service
        s.add(parcel)
        s.commit()  # the number belongs to this parcel before any label shows it
        drawn = (name, serial)
    number, service = parcel.tracking_number, parcel.service
    label = LabelData(
        ship_from=settings.ship_from, ship_to=ship_to(order), carrier=carrier,
        carrier_name=CARRIERS[carrier].name if carrier in CARRIERS else carrier.upper(),
        service=service, weight_g=parcel.weight_g, order_ref=order.display_name,
        parcel_seq=parcel.seq, parcel_count=count, tracking_number=number,
        barcode_type="gs1-128" if carrier == "usps" else "code128",
        barcode_data=barcode_data(settings, carrier, order, number),
    )
    doc = render(label, settings.label_format, settings.label_dpi)
    try:
        (printer or open_printer(settings)).send(doc)
    except (PrintError, ValueError) as exc:
        if drawn is not None and give_back(s, *drawn):
            parcel.tracking_number = parcel.carrier = parcel.service = None
            s.add(parcel)
        s.commit()
        raise LabelError(str(exc)) from None
    parcel.status, parcel.labeled_at = "labeled", utcnow()
    s.add(parcel)
    return doc
