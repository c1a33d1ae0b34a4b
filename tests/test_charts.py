"""Charts tell the truth: time to scale, round value ticks, bars as long as their counts, gaps as gaps."""
from __future__ import annotations

import re

import pytest

from portal.charts import line_chart, nice_ticks, status_bars

pytestmark = pytest.mark.once("postgresql")  # independent of the database: make test runs it on one backend (conftest)


def _xs(svg: str) -> list[float]:
    return [float(x) for x in re.findall(r'<circle cx="([0-9.]+)"', svg)]


def test_the_time_axis_is_proportional_to_time():
    svg = str(line_chart([("2016", 10), ("2017", 12), ("2018", 11), ("2024-Q3", 15)], "t", unit="aantal"))
    x16, x17, x18, x24 = _xs(svg)
    one_year = x17 - x16
    assert abs((x18 - x17) - one_year) < 1
    assert (x24 - x18) > 5.5 * one_year  # 2018 -> 2024-Q3 is more than six years, not one step
    assert "2024-Q3" in svg and 'x="' in svg


def test_value_ticks_are_round_and_the_unit_is_named_once():
    assert nice_ticks(154574) == [0, 50000, 100000, 150000, 200000]
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    svg = str(line_chart([("2009", 154574), ("2010", 142954)], "Uren", unit="uren"))
    labels = re.findall(r'text-anchor="end" fill="#1a1a1a">([0-9.]+)</text>', svg)
    assert labels == ["0", "50.000", "100.000", "150.000", "200.000"]
    assert svg.count(">uren</text>") == 1 and "0 uren" not in svg and "1 aantal" not in svg


def test_a_gap_breaks_the_line_and_is_never_zero():
    svg = str(line_chart([("2009", None), ("2010", 10), ("2011", 1)], "t"))
    assert "n.b." in svg and len(_xs(svg)) == 2


def test_bars_are_as_long_as_their_counts():
    svg = str(status_bars([("3.1", {"done": 2, "open": 2}), ("3.2", {"open": 2})], "t"))
    widths = [float(w) for w in re.findall(r'<rect x="[0-9.]+" y="[0-9]+" width="([0-9.]+)" height="24"', svg)]
    first_total, second_total = widths[0] + widths[1], widths[2]
    assert abs(first_total - 2 * second_total) < 0.5
