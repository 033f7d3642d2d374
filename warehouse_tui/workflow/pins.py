"""Operators, their PINs, and a supervisor's override.

A PIN is kept only as a salted scrypt hash (``scrypt$n$r$p$salt$hash``, hex), so the cost
parameters travel with each hash. Wrong PINs are counted in the operator's row with an SQL
increment, so the lockout holds across stations and processes: five in a row lock that
operator's overrides for five minutes. Every override, allowed or refused, is an ``override``
event naming who asked and who allowed it; never the PIN.

The check of a PIN commits on its own (a refusal must be remembered even though the action it
guarded changes nothing); an allowed override is recorded by ``record_override`` in the
transaction of the action itself.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import update
from sqlmodel import Session, select

from warehouse_tui.domain.models import Operator, Order, utcnow
from warehouse_tui.errors import PinRefused, UnknownOperator
from warehouse_tui.workflow.ledger import record

PIN_FORMAT = re.compile(r"[0-9]{4,12}")
# about 16 MiB and a few tens of milliseconds a check: slow for a guesser, quick for a person
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=5)
ROLES = ("operator", "supervisor")


# -- hashes -------------------------------------------------------------------------------

def check_format(pin: str) -> str:
    """The PIN as typed, or ValueError: 4 to 12 digits."""
    if not PIN_FORMAT.fullmatch(pin or ""):
        raise ValueError("a PIN is 4 to 12 digits")
    return pin


def hash_pin(pin: str) -> str:
    check_format(pin)
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def pin_matches(pin: str, stored: str | None) -> bool:
    if not stored or not pin:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(digest) // 2)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


# -- operators ----------------------------------------------------------------------------

def find(s: Session, name: str | None) -> Operator | None:
    return s.exec(select(Operator).where(Operator.name == name)).first() if name else None


def require(s: Session, name: str) -> Operator:
    """The operator of that name; UnknownOperator if no ``operator add`` made it."""
    op = find(s, name)
    if op is None:
        raise UnknownOperator(name)
    return op


def check_known(db, name: str | None) -> None:
    if name:
        with db.session() as s:
            require(s, name)


def first_setup(s: Session) -> bool:
    """True while no supervisor has a PIN: the first supervisor and their PIN need none."""
    q = select(Operator.id).where(Operator.role == "supervisor", Operator.pin_hash.is_not(None)).limit(1)
    return s.exec(q).first() is None


def valid_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 100 or any(ch.isspace() for ch in name) or not name.isprintable():
        raise ValueError(f"operator name {name!r}: letters, digits and punctuation, no spaces")
    return name


def add_needs_supervisor(s: Session, name: str, role: str) -> bool:
    """Making a supervisor, or changing a supervisor's role, is an override (but the first set-up)."""
    op = find(s, name)
    if op is not None and op.role == role:
        return False
    touches_supervisor = role == "supervisor" or (op is not None and op.role == "supervisor")
    return touches_supervisor and not first_setup(s)


def add_operator(s: Session, name: str, role: str, *, station: str | None, by: str | None) -> str:
    if role not in ROLES:
        raise ValueError(f"role {role!r}: operator or supervisor")
    op = find(s, name)
    if op is not None and op.role == role:
        return f"operator {name} ({role}) already there: badge OP-{name}"
    was = op.role if op is not None else None
    op = op or Operator(name=name)
    op.role = role
    s.add(op)
    record(s, "operator", station=station, operator=by,
           message=f"{name} is now a {role}" if was else f"added {name} ({role})", name=name, role=role, was=was)
    return f"operator {name} ({role}): badge OP-{name}"


# -- PINs -------------------------------------------------------------------------------

def pin_change_needs(s: Session, name: str, by: str | None) -> str:
    """What setting NAME's PIN asks of BY: ``none``, ``own`` (BY's current PIN) or
    ``supervisor`` (a supervisor's override, BY being the supervisor)."""
    target = require(s, name)
    if target.role == "supervisor" and target.pin_hash is None and first_setup(s):
        return "none"
    if by == name:
        if target.pin_hash is not None:
            return "own"
        # a supervisor without a PIN has it set by another supervisor: a name is no proof
        return "supervisor" if target.role == "supervisor" else "none"
    return "supervisor"


def set_pin(s: Session, name: str, pin: str, *, station: str | None, by: str | None) -> str:
    digest = hash_pin(pin)
    op = require(s, name)
    had = op.pin_hash is not None
    s.execute(update(Operator).where(Operator.id == op.id)
              .values(pin_hash=digest, pin_failures=0, pin_locked_until=None)
              .execution_options(synchronize_session=False))
    record(s, "pin", station=station, operator=by,
           message=f"PIN of {name} {'changed' if had else 'set'}" + (f" by {by}" if by and by != name else ""),
           name=name)
    return f"PIN of {name} {'changed' if had else 'set'}"


# -- overrides --------------------------------------------------------------------------

@dataclass
class Allowed:
    """A supervisor allowed ACTION, asked for by ASKED_BY (at a station or on the command line)."""

    action: str
    supervisor: str | None
    asked_by: str | None
    station: str | None
    first_setup: bool = False


def _aware(dt: datetime | None) -> datetime | None:
    return dt.replace(tzinfo=timezone.utc) if dt is not None and dt.tzinfo is None else dt


def authorize(db, supervisor: str | None, pin: str | None, *, action: str, asked_by: str | None,
              station: str | None, order: Order | int | None = None, role: str = "supervisor") -> Allowed:
    """Check SUPERVISOR's PIN for ACTION: Allowed, or PinRefused once the refusal (and a wrong
    PIN's count) is committed. ``role=None`` accepts any operator's own PIN (changing it)."""
    order_id = order.id if isinstance(order, Order) else order
    now = utcnow()
    with db.session() as s:
        op = find(s, supervisor)
        reason = wrong = None
        if not supervisor:
            reason = f"{action} needs a supervisor: --operator NAME of a supervisor and the PIN"
        elif op is None:
            reason = f"unknown operator {supervisor!r}"
        elif role and op.role != role:
            reason = f"{supervisor} is not a supervisor"
        elif _aware(op.pin_locked_until) and _aware(op.pin_locked_until) > now:
            until = _aware(op.pin_locked_until)
            reason = (f"{supervisor}'s overrides are locked after {LOCK_AFTER} wrong PINs, "
                      f"for {max(1, int((until - now).total_seconds() + 59) // 60)} min more")
        elif op.pin_hash is None:
            reason = f"{supervisor} has no PIN yet"
        elif not pin:
            reason = "no PIN given"
        elif not pin_matches(pin, op.pin_hash):
            reason = wrong = "wrong PIN"
        op_id, failures = (op.id, op.pin_failures) if op is not None else (None, 0)
    if reason is None and not failures:
        return Allowed(action, supervisor, asked_by, station)
    with db.write() as s:
        if wrong:
            s.execute(update(Operator).where(Operator.id == op_id)
                      .values(pin_failures=Operator.pin_failures + 1)
                      .execution_options(synchronize_session=False))
            count = s.exec(select(Operator.pin_failures).where(Operator.id == op_id)).one()
            if count >= LOCK_AFTER:
                s.execute(update(Operator).where(Operator.id == op_id, Operator.pin_failures >= LOCK_AFTER)
                          .values(pin_failures=0, pin_locked_until=now + LOCK_FOR)
                          .execution_options(synchronize_session=False))
                reason = f"wrong PIN, {LOCK_AFTER} in a row: {supervisor}'s overrides are locked for 5 minutes"
            else:
                reason = f"wrong PIN ({count} of {LOCK_AFTER} before a 5-minute lockout)"
        elif reason is None and failures:
            s.execute(update(Operator).where(Operator.id == op_id).values(pin_failures=0)
                      .execution_options(synchronize_session=False))
        if reason is not None:
            record(s, "override", order=order_id, station=station, operator=asked_by, ok=False,
                   message=f"{action}: refused, {reason}; asked by {asked_by or '-'}, "
                           f"supervisor {supervisor or '-'}",
                   action=action, asked_by=asked_by, allowed_by=None, supervisor=supervisor, reason=reason)
    if reason is not None:
        raise PinRefused(reason)
    return Allowed(action, supervisor, asked_by, station)


def allow_first_setup(action: str, *, asked_by: str | None, station: str | None) -> Allowed:
    return Allowed(action, None, asked_by, station, first_setup=True)


def record_override(s: Session, allowed: Allowed, *, order: Order | int | None = None) -> None:
    """The allowed override, in the transaction of the action it allowed."""
    who = "first set-up, no supervisor PIN yet" if allowed.first_setup else f"allowed by {allowed.supervisor}"
    record(s, "override", order=order, station=allowed.station, operator=allowed.asked_by, ok=True,
           message=f"{allowed.action}: asked by {allowed.asked_by or '-'}, {who}",
           action=allowed.action, asked_by=allowed.asked_by, allowed_by=allowed.supervisor,
           first_setup=allowed.first_setup or None)
