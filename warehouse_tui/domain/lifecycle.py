"""The order lifecycle: the statuses and the one table of allowed transitions."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    NEW = "new"
    READY = "ready"
    BACKORDERED = "backordered"
    ON_HOLD = "on_hold"
    CANCELLED = "cancelled"
    PICKING = "picking"
    PICKED = "picked"
    SHORT = "short"
    PACKING = "packing"
    PACKED = "packed"
    LABELED = "labeled"
    SHIPPED = "shipped"


S = Status

# from -> the statuses it may move to. on_hold returns only to the status it was held from
# (Order.held_from), which must itself be able to move to on_hold. A cancellation once picking
# has begun is a supervisor's, and gives the picked units back to their bins (workflow/cancel.py).
TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.NEW: frozenset({S.READY, S.BACKORDERED, S.ON_HOLD, S.CANCELLED}),
    S.BACKORDERED: frozenset({S.READY, S.ON_HOLD, S.CANCELLED}),
    S.READY: frozenset({S.PICKING, S.BACKORDERED, S.ON_HOLD, S.CANCELLED}),
    S.PICKING: frozenset({S.PICKED, S.SHORT, S.READY, S.ON_HOLD, S.CANCELLED}),
    S.SHORT: frozenset({S.READY, S.BACKORDERED, S.PICKED, S.ON_HOLD, S.CANCELLED}),
    S.PICKED: frozenset({S.PACKING, S.ON_HOLD, S.CANCELLED}),
    S.PACKING: frozenset({S.PACKED, S.PICKED, S.ON_HOLD, S.CANCELLED}),
    S.PACKED: frozenset({S.LABELED, S.SHIPPED, S.PACKING, S.ON_HOLD, S.CANCELLED}),
    S.LABELED: frozenset({S.SHIPPED, S.PACKED, S.ON_HOLD, S.CANCELLED}),
    S.ON_HOLD: frozenset(
        {S.NEW, S.READY, S.BACKORDERED, S.PICKING, S.PICKED, S.SHORT, S.PACKING, S.PACKED,
         S.LABELED, S.CANCELLED}
    ),
    S.CANCELLED: frozenset(),
    S.SHIPPED: frozenset({S.PACKED}),  # a voided label: the parcel is labelled again
}

# statuses in which the order's units are reserved in bins and not yet all picked
RESERVING = frozenset({S.READY, S.PICKING})
# statuses in which picking has begun: a cancellation then needs a supervisor
PICK_STARTED = frozenset({S.PICKING, S.PICKED, S.SHORT, S.PACKING, S.PACKED, S.LABELED})
# statuses a station holds the order in
IN_HAND = frozenset({S.PICKING, S.PACKING, S.LABELED})
OPEN = frozenset(set(Status) - {S.CANCELLED, S.SHIPPED})


class TransitionError(Exception):
    pass


def can_move(current: str, target: str, held_from: str | None = None) -> bool:
    cur, tgt = Status(current), Status(target)
    if tgt not in TRANSITIONS[cur]:
        return False
    if cur is S.ON_HOLD and tgt is not S.CANCELLED:
        return held_from is not None and Status(held_from) is tgt
    return True


def check_move(current: str, target: str, held_from: str | None = None) -> None:
    if not can_move(current, target, held_from):
        raise TransitionError(f"an order that is {current} cannot become {target}")
