"""Coverage partitioned over a local dask cluster (worker processes) sums to the one-machine figures."""

from __future__ import annotations

import distributed
import numpy as np
import pytest

from models.control import Cancelled, Control
from models.costs import straight_line
from models.coverage import coverage
from models.coverage_partitioned import partitioned_coverage


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as c:
        yield c


def _case(n: int = 60_000, seed: int = 4):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 20_000, (n, 2))
    weights = rng.lognormal(1.0, 1.0, n)
    groups = np.where(xy[:, 0] < 7_000, "鹿城区", np.where(xy[:, 1] < 10_000, "瓯海区", "龙湾区"))
    sites = rng.uniform(0, 20_000, (40, 2))
    return xy, weights, groups, sites


def test_strips_on_worker_processes_sum_to_the_one_machine_coverage(client):
    xy, weights, groups, sites = _case()
    seen: list[float] = []
    control = Control(progress=lambda f, _msg: seen.append(f))
    parted = partitioned_coverage(client, xy, weights, groups, sites, straight_line(), 1_500.0, 7, control)
    whole = coverage(xy, weights, groups, sites, straight_line(), 1_500.0)
    assert parted.partitions == 7
    assert list(parted.by_group) == list(whole.by_group)  # same groups, same order
    for name, g in whole.by_group.items():
        assert parted.by_group[name].total == pytest.approx(g.total, rel=1e-12)
        assert parted.by_group[name].covered == pytest.approx(g.covered, rel=1e-12)
    assert 0 < parted.share < 1 and parted.share == pytest.approx(whole.share, rel=1e-12)
    assert seen and seen[-1] == pytest.approx(1.0)


def test_a_cancelled_partitioned_run_stops(client):
    xy, weights, groups, sites = _case(20_000)
    control = Control()
    control.cancel.set()
    with pytest.raises(Cancelled):
        partitioned_coverage(client, xy, weights, groups, sites, straight_line(), 1_500.0, 4, control)
