"""A line's unit price from its total: to the total's precision, however many digits it has."""

from warehouse_tui.channels._common import unit_price


def test_unit_price_to_the_totals_precision():
    assert unit_price("12.99", 3) == "4.33"
    assert unit_price("10", 1) == "10"


def test_a_total_longer_than_the_default_precision_still_divides():
    # 29 digits: more than decimal's default 28 (Hypothesis found it in an Amazon file)
    assert unit_price("19999999999999999999999999999", 2) == "10000000000000000000000000000"
    assert unit_price("1E+30", 2) == "500000000000000000000000000000"
