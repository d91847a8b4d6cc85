"""The scaling run's plan and arithmetic (the run itself makes databases and servers: it is
run by hand, and its figures are in bench/README.md)."""

from __future__ import annotations

import math
import os

from bench import scale
from bench.seed import Sizes


def test_the_two_axes_change_one_thing_each():
    sizes = scale.sizes()
    districts = [s.sizes for s in sizes if s.axis == "districts"]
    items = [s.sizes for s in sizes if s.axis == "feedback items"]
    assert [s.tenants for s in districts] == [10, 100, 1000]
    # The same district size at every count of districts: nothing skewed, 1,000 items each.
    assert all(s.skew == 0 and s.feedback == 1000 * s.tenants and s.notices == 100 * s.tenants for s in districts)
    assert [(s.tenants, s.feedback) for s in items] == [(1000, 10_000), (1000, 1_000_000)]
    assert items[0].skew == items[1].skew > 0


def test_each_size_gets_its_own_database_on_the_same_server():
    assert scale.with_database("postgresql://app@db.example:5432/gongzhi", "gongzhi_scale") == \
        "postgresql://app@db.example:5432/gongzhi_scale"


def _measured(axis: str, label: str, p95: dict[str, float]) -> scale.Measured:
    return scale.Measured(scale.Size(axis, label, Sizes(1, 1, 1, 1)), p95=p95, errors={"home": 0},
                          memory={"app 1": 120.0, "worker": 80.0})


def test_the_report_gives_each_scenario_the_last_size_over_the_first():
    measured = [_measured("districts", "10", {"home": 4.0, "submit": 10.0}),
                _measured("districts", "100", {"home": 5.0, "submit": 11.0}),
                _measured("districts", "1,000", {"home": 6.0, "submit": 20.0})]
    assert scale.ratio(measured, "home", "10", "1,000") == 1.5
    assert scale.ratio(measured, "submit", "10", "1,000") == 2.0
    assert math.isnan(scale.ratio(measured, "missing", "10", "1,000"))
    text = scale.report(measured)
    home = next(line for line in text.splitlines() if line.startswith("home"))
    assert home.split()[-1] == "1.50" and "6.0" in home
    assert "app 1 120 MB, worker 80 MB" in text


def test_memory_is_read_from_proc():
    assert scale.resident_mb(os.getpid()) > 10
    assert scale.resident_mb(2 ** 22 + 7) == 0.0  # no such process
