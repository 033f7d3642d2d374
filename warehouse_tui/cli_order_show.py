"""``order show REF`` as text: the order, its lines, parcels, returns and events.

Events are many on a busy order: the last ``EVENTS_SHOWN`` are printed, and the line above
them says how many are hidden and how to see them all (``--all``). Every field is printed
with control characters escaped: marketplace text never reaches the terminal raw.
"""

from __future__ import annotations

EVENTS_SHOWN = 20


def _plain(value: object) -> str:
    text = "" if value is None else str(value)
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)


def order_show_lines(detail: dict, ref: str, *, every_event: bool = False) -> list[str]:
    d = {k: v for k, v in detail.items()}
    st = {k: _plain(v) for k, v in d["ship_to"].items()}
    out = [f"{_plain(d['display_name'])}  ({d['channel']} {_plain(d['ref'])})  {d['status']}",
           f"  ship by {d['ship_by'] or '-'}   to {st['name']}, {st['city']} {st['country']}"]
    if d.get("tote"):
        out.append(f"  in {_plain(d['tote'])}")
    out.append("lines:")
    for ln in d["lines"]:
        out.append(f"  {_plain(ln['sku']):<16} {ln['quantity']:>3}  picked {ln['picked']}  packed {ln['packed']}"
                   f"{'  short ' + str(ln['short']) if ln.get('short') else ''}  {_plain(ln['title'])}")
        for lot in ln.get("lots", []):
            out.append(f"    lot {_plain(lot['lot'] or '-')}  expiry {lot['expiry'] or '-'}  x{lot['quantity']}")
    if d["parcels"]:
        out.append("parcels:")
    for p in d["parcels"]:
        weight = f"  {p['weight_g']} g" if p.get("weight_g") else ""
        out.append(f"  {p['seq']}: {p['carrier'] or '-'} {p['tracking_number'] or '-'}  {p['status']}{weight}")
    if d["returns"]:
        out.append("returns:")
    for n, r in enumerate(d["returns"], 1):
        units = ", ".join(f"{ln['quantity']} x {_plain(ln['sku'])} {ln['disposition'] or 'undecided'}"
                          for ln in r["lines"]) or "no units yet"
        out.append(f"  {n}: {r['status']}  opened {r.get('opened_at') or '-'}  {units}")
    events = d["events"]
    hidden = 0 if every_event else max(0, len(events) - EVENTS_SHOWN)
    if hidden:
        out.append(f"events: the last {EVENTS_SHOWN} of {len(events)}; {hidden} earlier hidden "
                   f"(order show {ref} --all shows every one):")
    else:
        out.append(f"events ({len(events)}):")
    for e in events[hidden:]:
        mark = " " if e.get("ok") is not False else "✗"
        at = (e["at"] or "")[:19].replace("T", " ")  # to the second; --json has it whole
        out.append(f"  {at}  {e['type']:<7} {_plain(e['station'] or '-'):<10} {_plain(e['operator'] or '-'):<10}"
                   f" {mark} {_plain(e['message'] or e.get('scan') or '')}")
    return out
