"""Demand by age group: children (0–14), working age (15–64) and elderly (65+), split from
district shares, each group with its own walking speed and threshold.

The default speeds are planning assumptions, not measurements (the user can change them):
children and the elderly walk slower than the 4.8 km/h used for everyone else, so the same
15-minute circle reaches less far for them.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.costs import Mode, StraightLineCost
from models.coverage import GroupCoverage, group_coverage

#: Where the embedded Wenzhou table lives (see its `source` column).
WENZHOU_SHARES = Path(__file__).resolve().parent.parent / "gis_data" / "age_shares_wenzhou.csv"
_COLUMNS = ("share_0_14", "share_15_64", "share_65_plus")


@dataclass(frozen=True)
class AgeGroup:
    """An age group, its walking speed and its coverage threshold."""

    key: str  # children, working, elderly
    column: str  # its share column in the shares table
    walk_kph: float
    threshold_s: float = 900.0
    circuity: float = 1.25

    @property
    def cost(self) -> StraightLineCost:
        """Straight-line walking seconds at this group's speed."""
        return StraightLineCost(Mode(f"walk-{self.key}", self.walk_kph, self.circuity))

    @property
    def reach_m(self) -> float:
        """Straight-line metres this group covers within its threshold."""
        return self.threshold_s * self.walk_kph / 3.6 / self.circuity


DEFAULT_GROUPS: tuple[AgeGroup, ...] = (
    AgeGroup("children", "share_0_14", 4.0),
    AgeGroup("working", "share_15_64", 4.8),
    AgeGroup("elderly", "share_65_plus", 3.6),
)


@dataclass(frozen=True)
class AgeShares:
    """Share of each age group per district (rows sum to 1), with the table's source."""

    by_district: Mapping[str, tuple[float, ...]]  # district → shares in _COLUMNS order
    source: str

    def of(self, district: str) -> tuple[float, ...]:
        """A district's shares; the mean over districts when the district is not listed."""
        if district in self.by_district:
            return self.by_district[district]
        values = np.array(list(self.by_district.values()), float)
        return tuple(values.mean(axis=0)) if len(values) else (0.0, 1.0, 0.0)


def read_shares(path: Path = WENZHOU_SHARES) -> AgeShares:
    """A shares table (district, share_0_14, share_15_64, share_65_plus[, source]); raises
    ValueError naming the row when a share is not a number in [0, 1] or a row does not sum
    to 1 (±0.005)."""
    out: dict[str, tuple[float, ...]] = {}
    sources: list[str] = []
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        for row_no, row in enumerate(csv.DictReader(handle), start=2):
            try:
                shares = tuple(float(row[c]) for c in _COLUMNS)
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"row {row_no}: shares must be numbers ({exc})") from exc
            if any(not 0.0 <= s <= 1.0 for s in shares) or abs(sum(shares) - 1.0) > 0.005:
                raise ValueError(f"row {row_no}: shares must be in [0, 1] and sum to 1")
            out[str(row["district"]).strip()] = shares
            if row.get("source") and row["source"] not in sources:
                sources.append(row["source"])
    return AgeShares(out, "; ".join(sources))


def split_weights(
    weights: np.ndarray,
    districts: np.ndarray,
    shares: AgeShares,
    groups: Sequence[AgeGroup] = DEFAULT_GROUPS,
) -> dict[str, np.ndarray]:
    """Each group's weight per demand point: the point's weight × its district's share."""
    districts = np.asarray(districts).astype(str)
    out = {g.key: np.zeros(len(weights)) for g in groups}
    for name in np.unique(districts):
        mine = districts == name
        row = dict(zip(_COLUMNS, shares.of(str(name)), strict=True))
        for g in groups:
            out[g.key][mine] = np.asarray(weights, float)[mine] * row[g.column]
    return out


def coverage_by_age(
    demand_xy: np.ndarray,
    weights: np.ndarray,
    districts: np.ndarray,
    sites_xy: np.ndarray,
    shares: AgeShares,
    groups: Sequence[AgeGroup] = DEFAULT_GROUPS,
) -> dict[str, dict[str, GroupCoverage]]:
    """Per age group, coverage by district within the group's own walking threshold."""
    split = split_weights(weights, districts, shares, groups)
    out: dict[str, dict[str, GroupCoverage]] = {}
    for g in groups:
        covered = g.cost.within(demand_xy, sites_xy, g.threshold_s).covered_by_any()
        out[g.key] = group_coverage(split[g.key], districts, covered)
    return out


def closure_impact(
    demand_xy: np.ndarray,
    weights: np.ndarray,
    districts: np.ndarray,
    sites_xy: np.ndarray,
    shares: AgeShares,
    groups: Sequence[AgeGroup] = DEFAULT_GROUPS,
) -> list[dict[str, dict[str, float]]]:
    """For each site, the people who lose access if it alone closes: per age group and
    district, the weight covered by it and by no other site within the group's threshold."""
    split = split_weights(weights, districts, shares, groups)
    names, codes = np.unique(np.asarray(districts).astype(str), return_inverse=True)
    n_sites = len(sites_xy)
    out: list[dict[str, dict[str, float]]] = [{} for _ in range(n_sites)]
    for g in groups:
        pairs = g.cost.within(demand_xy, sites_xy, g.threshold_s)
        count = np.bincount(pairs.origin, minlength=len(weights))
        only = count[pairs.origin] == 1
        lost = np.zeros((n_sites, names.size))
        points = pairs.origin[only]
        np.add.at(lost, (pairs.destination[only], codes[points]), split[g.key][points])
        for site, k in zip(*np.nonzero(lost), strict=True):
            out[int(site)].setdefault(g.key, {})[str(names[k])] = float(lost[site, k])
    return out


def lost_access(
    demand_xy: np.ndarray,
    weights: np.ndarray,
    districts: np.ndarray,
    before_xy: np.ndarray,
    after_xy: np.ndarray,
    shares: AgeShares,
    groups: Sequence[AgeGroup] = DEFAULT_GROUPS,
) -> dict[str, dict[str, float]]:
    """Per age group and district, the people within reach of a site before and of none after
    (a plan that closes sites: who loses access)."""
    split = split_weights(weights, districts, shares, groups)
    names = np.asarray(districts).astype(str)
    out: dict[str, dict[str, float]] = {}
    for g in groups:
        before = g.cost.within(demand_xy, before_xy, g.threshold_s).covered_by_any()
        after = g.cost.within(demand_xy, after_xy, g.threshold_s).covered_by_any()
        lost = before & ~after
        rows = {
            str(d): float(split[g.key][lost & (names == d)].sum()) for d in np.unique(names[lost])
        }
        if rows:
            out[g.key] = rows
    return out
