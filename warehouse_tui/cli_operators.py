"""The command line's operators, PINs and overrides: ``operator add|pin|list``, ``order cancel``
and ``order release``, and the supervisor's PIN for any override.

The supervisor is ``--operator NAME``; the PIN comes from ``WAREHOUSE_PIN``, or a prompt when
standard input is a terminal. A refused PIN exits 1 with ``PIN refused`` on stderr.
"""

from __future__ import annotations

import getpass
import os
import sys

from warehouse_tui.config import Settings
from warehouse_tui.db import open_for
from warehouse_tui.errors import Refusal, Usage
from warehouse_tui.workflow import pins

PIN_VARIABLE = "WAREHOUSE_PIN"


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def supervisor_pin(name: str | None) -> str | None:
    pin = os.environ.get(PIN_VARIABLE)
    if pin:
        return pin.strip()
    if name and sys.stdin.isatty():
        try:
            return getpass.getpass(f"PIN of {name}: ").strip()
        except EOFError:
            return None
    return None


def override(db, settings: Settings, action: str, order=None) -> pins.Allowed:
    """The supervisor's PIN for ACTION, or PinRefused (the refusal is an event)."""
    who = settings.operator
    with db.session() as s:
        op = pins.find(s, who)
        # no prompt for a PIN that cannot be taken: the refusal says why
        ask = op is not None and op.role == "supervisor" and op.pin_hash is not None
    return pins.authorize(db, who, supervisor_pin(who) if ask else None, action=action, asked_by=who,
                          station=settings.station, order=order)


def check_operator(settings: Settings) -> None:
    """An ``--operator`` that no ``operator add`` made is refused, whatever the command."""
    if settings.operator:
        try:
            db = open_for(settings, create=False)
        except Usage:  # no database there yet: a command that only reads says so itself
            return
        try:
            pins.check_known(db, settings.operator)
        finally:
            db.dispose()


# -- operator add | pin | list ------------------------------------------------------------

def cmd_operator(args, settings: Settings) -> int:
    db = open_for(settings, create=args.operator_command != "list")
    if args.operator_command == "add":
        return _add(db, args, settings)
    if args.operator_command == "pin":
        return _pin(db, args, settings)
    from sqlmodel import select

    from warehouse_tui.domain.models import Operator

    with db.session() as s:
        for op in s.exec(select(Operator).order_by(Operator.name)):
            pin = "PIN set" if op.pin_hash else "no PIN"
            sys.stdout.write(f"{op.name:<20} {op.role:<11} OP-{op.name:<20} {pin}\n")
    return 0


def _add(db, args, settings: Settings) -> int:
    try:
        name = pins.valid_name(args.name)
    except ValueError as exc:
        raise Usage(str(exc)) from None
    who = {"station": settings.station, "by": settings.operator}
    action = f"make {name} {'an' if args.role == 'operator' else 'a'} {args.role}"
    with db.session() as s:
        needed = pins.add_needs_supervisor(s, name, args.role)
        first = args.role == "supervisor" and pins.first_setup(s)
    allowed = override(db, settings, action) if needed else None
    if first and not needed:
        allowed = pins.allow_first_setup(action, asked_by=settings.operator, station=settings.station)
    with db.write() as s:
        op = pins.find(s, name)
        unchanged = op is not None and op.role == args.role
        if not unchanged and pins.add_needs_supervisor(s, name, args.role) and allowed is None:
            raise Refusal(f"{action} now needs a supervisor: try again")
        msg = pins.add_operator(s, name, args.role, **who)
        if allowed is not None and not unchanged:
            pins.record_override(s, allowed)
    _err(msg)
    if first and not needed:
        _err(f"first set-up: give {name} a PIN now with `warehouse-tui operator pin {name}`")
    return 0


def _read_new_pin(name: str) -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(f"new PIN for {name} (4 to 12 digits): ").strip()
        pins.check_format(first)
        if getpass.getpass("the same PIN again: ").strip() != first:
            raise ValueError("the two PINs differ")
        return first
    line = sys.stdin.readline()
    return pins.check_format(line.strip())


def _pin(db, args, settings: Settings) -> int:
    name, by = args.name, settings.operator
    with db.session() as s:
        needs = pins.pin_change_needs(s, name, by)  # UnknownOperator for a name no one added
    action = f"set the PIN of {name}"
    if needs == "supervisor":
        allowed = override(db, settings, action)
    elif needs == "own":
        allowed = pins.authorize(db, by, supervisor_pin(by), action=f"change own PIN ({name})", asked_by=by,
                                 station=settings.station, role=None)
    else:
        allowed = pins.allow_first_setup(action, asked_by=by, station=settings.station)
    try:
        pin = _read_new_pin(name)
    except ValueError as exc:
        _err(f"warehouse-tui: {name}: {exc}; the PIN was not changed")
        return 1
    with db.write() as s:
        msg = pins.set_pin(s, name, pin, station=settings.station, by=by)
        if needs != "own":
            pins.record_override(s, allowed)
    _err(msg)
    return 0


# -- order cancel | release ---------------------------------------------------------------

def cmd_order_override(args, settings: Settings, find_one) -> int:
    """``order cancel`` and ``order release``; FIND_ONE(s, ref) is the order or None (said why)."""
    from warehouse_tui.domain.models import Order
    from warehouse_tui.workflow.cancel import cancel, needs_supervisor
    from warehouse_tui.workflow.supervisor import release

    db = open_for(settings)
    with db.session() as s:
        order = find_one(s, args.ref)
        if order is None:
            return 1
        order_id, name = order.id, order.display_name
        needed = args.order_command == "release" or needs_supervisor(order)
    verb = "cancel" if args.order_command == "cancel" else "release"
    allowed = override(db, settings, f"{verb} {name}", order=order_id) if needed else None
    who = {"station": settings.station, "operator": settings.operator}
    try:
        with db.write() as s:
            order = s.get(Order, order_id)
            if verb == "cancel":
                if allowed is None and needs_supervisor(order):
                    raise Refusal(f"{name} is {order.status} now: cancelling it needs a supervisor")
                msg = cancel(s, order, args.reason, **who)
            else:
                msg = release(s, order, repick=args.repick, **who)
            if allowed is not None:
                pins.record_override(s, allowed, order=order_id)
    except ValueError as exc:
        _err(f"warehouse-tui: {exc}")
        return 1
    _err(msg)
    return 0
