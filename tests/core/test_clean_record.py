"""Imported orders are cleaned whole: the quick look (a repr with no escape in it) skips only
orders that have nothing to clean, wherever the control character hides."""

from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest

from warehouse_tui.channels.base import Address, ImportedLine, ImportedOrder
from warehouse_tui.text import clean_all, clean_record


def order(**changes) -> ImportedOrder:
    o = ImportedOrder(channel="ebay", ref="12-345", display_name="12-345",
                      ship_by=datetime(2027, 1, 4, tzinfo=timezone.utc),
                      ship_to=Address(name="Chloé Dupont", address1="1 Rue", city="Paris", country="FR"),
                      buyer_name="Chloé", extra={"ids": ["a", {"b": "c"}]},
                      lines=[ImportedLine(line_id="1", sku="MUG", title="Mug", quantity=1, extra={"x": "y"})])
    for path, value in changes.items():
        *where, last = path.split(".")
        obj = o
        for step in where:
            obj = obj[int(step)] if step.isdigit() else (obj[step] if isinstance(obj, dict) else getattr(obj, step))
        if isinstance(obj, (dict, list)):
            obj[int(last) if last.isdigit() else last] = value
        else:
            setattr(obj, last, value)
    return o


def test_a_clean_order_is_left_as_it_is():
    o = order()
    before = copy.deepcopy(o)
    assert clean_record(o) is o
    assert o == before


@pytest.mark.parametrize("path", ["ref", "ship_to.name", "buyer_name", "lines.0.title", "lines.0.extra.x",
                                  "extra.ids.1.b", "extra.ids.0"])
@pytest.mark.parametrize("bad", ["\x1b[31mred", "a\nb", "bell\x07", "c1\x85", "lone\ud800"])
def test_control_characters_anywhere_are_cleaned(path, bad):
    o, expected = order(**{path: bad}), order(**{path: bad})
    clean_all(expected)
    got = clean_record(o)
    assert got == expected
    assert "\\" not in repr(got)  # nothing left that is not printable


def test_a_backslash_that_is_text_costs_the_walk_and_changes_nothing():
    o = order(**{"lines.0.title": "C:\\mugs"})
    assert clean_record(o).lines[0].title == "C:\\mugs"
