"""The national standard for public library buildings, 建标[2008]74号 (公共图书馆建设标准,
建标108-2008), against a project: service radius by library tier met or not, people per
library, and the share of people within the 15-minute reading circle; as report HTML and as
an XLSX sheet.

The standard gives a service radius per tier (large 9 km, medium 6.5 km, small 2.5 km) and the
population a tier serves (large ≥ 1.5 million, medium 0.2–1.5 million, small ≤ 0.2 million).
Two readings are this planner's, stated here and in the report: a radius counts as met in a
district when at least RADIUS_MET_SHARE of its people are within it (straight line) of a
library of that tier or above; people per library is compared with the small tier's ceiling
(one public library per 200,000 people at most).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from html import escape
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from models.control import Control, quiet
from models.costs import straight_line
from models.coverage import group_coverage
from planner.geo import points_xy
from planner.i18n import text
from planner.jobs.coverage import cost_and_crs, load_demand, load_supply
from planner.store import Project

SOURCE = "建标[2008]74号《公共图书馆建设标准》(建标108-2008)"


@dataclass(frozen=True)
class Tier:
    """A library tier of the standard and the project kinds that count as it."""

    key: str  # large, medium, small
    kinds: tuple[str, ...]
    radius_km: float
    population_min: int | None
    population_max: int | None


TIERS: tuple[Tier, ...] = (
    Tier("large", ("central",), 9.0, 1_500_000, None),
    Tier("medium", ("district",), 6.5, 200_000, 1_500_000),
    Tier("small", ("branch",), 2.5, None, 200_000),
)
#: Kinds that are public libraries under the standard (stations, study rooms and school
#: libraries count for the reading circle only).
PUBLIC_KINDS = tuple(k for tier in TIERS for k in tier.kinds)
#: A tier's radius counts as met where at least this share of people are within it.
RADIUS_MET_SHARE = 0.9
#: People per public library at most (the small tier's ceiling).
STANDARD_PEOPLE_PER_LIBRARY = 200_000
#: The 15-minute reading circle, on foot.
READING_CIRCLE_S = 900.0


@dataclass(frozen=True)
class StandardsRow:
    """One district (or the city, district None) against the standard."""

    district: str | None
    population: float
    radius_share: dict[str, float]  # tier key → share of people within its radius
    libraries: int
    people_per_library: float | None  # None without a public library
    reading_circle_share: float

    def radius_met(self, tier: str) -> bool:
        return self.radius_share[tier] >= RADIUS_MET_SHARE

    @property
    def people_per_library_met(self) -> bool:
        return (
            self.people_per_library is not None
            and self.people_per_library <= STANDARD_PEOPLE_PER_LIBRARY
        )


def _nearest_m(points: np.ndarray, sites: np.ndarray) -> np.ndarray:
    """Straight-line metres from each point to its nearest site (inf without sites)."""
    if len(sites) == 0:
        return np.full(len(points), np.inf)
    return cKDTree(sites).query(points)[0]


def standards_rows(project: Project, control: Control | None = None) -> list[StandardsRow]:
    """Each district of the population layer, then the city (district None)."""
    control = control or quiet()
    _, crs = cost_and_crs(project, None, None)
    demand = load_demand(project, crs)
    libraries = load_supply(project, None)
    kinds = libraries["kind"].astype(str).to_numpy()
    xy = points_xy(libraries, crs) if len(libraries) else np.zeros((0, 2))
    shares: dict[str, dict[str, float]] = {}
    city_share: dict[str, float] = {}
    for k, tier in enumerate(TIERS):
        control.report(k / (len(TIERS) + 1), f"standard: {tier.key}")
        # A library of this tier or above serves this tier's radius.
        eligible = np.isin(kinds, [kind for t in TIERS[: k + 1] for kind in t.kinds])
        within = _nearest_m(demand.xy, xy[eligible]) <= tier.radius_km * 1000.0
        for name, g in group_coverage(demand.weights, demand.groups, within).items():
            shares.setdefault(name, {})[tier.key] = g.share
        total = demand.weights.sum()
        city_share[tier.key] = float((demand.weights * within).sum() / total) if total else 0.0
    walk = straight_line("walk")
    circle_m = float(walk.matrix(np.zeros((1, 2)), np.array([[1.0, 0.0]]))[0, 0])  # s per metre
    circle = _nearest_m(demand.xy, xy) * circle_m <= READING_CIRCLE_S
    circle_by = group_coverage(demand.weights, demand.groups, circle)
    # A library's district: its own field, else that of its nearest demand point.
    lib_district = (
        libraries["district"].fillna("").astype(str).to_numpy()
        if "district" in libraries.columns
        else np.full(len(libraries), "", dtype=object)
    )
    missing = lib_district == ""
    if missing.any() and len(demand.xy):
        nearest = cKDTree(demand.xy).query(xy[missing])[1]
        lib_district[missing] = np.asarray(demand.groups)[nearest]
    public = np.isin(kinds, PUBLIC_KINDS)
    rows = []
    for name, g in circle_by.items():
        count = int((public & (lib_district == name)).sum())
        rows.append(
            StandardsRow(
                name, g.total, shares[name], count, g.total / count if count else None, g.share
            )
        )
    total = float(demand.weights.sum())
    count = int(public.sum())
    rows.append(
        StandardsRow(
            None,
            total,
            city_share,
            count,
            total / count if count else None,
            float((demand.weights * circle).sum() / total) if total else 0.0,
        )
    )
    control.report(1.0, "standard done")
    return rows


def _head(lang: str) -> list[str]:
    head = [text("district", lang), text("population", lang)]
    for tier in TIERS:
        head.append(f"{text('tier_' + tier.key, lang)} {tier.radius_km:g} km")
    return [
        *head,
        text("people_per_library", lang),
        text("reading_circle_share", lang),
    ]


def _cells(row: StandardsRow, lang: str) -> list[str]:
    yes, no = ("✓", "✗")
    name = row.district if row.district is not None else ("全市" if lang == "zh" else "City")
    cells = [name, f"{round(row.population):,}"]
    for tier in TIERS:
        mark = yes if row.radius_met(tier.key) else no
        cells.append(f"{row.radius_share[tier.key]:.1%} {mark}")
    ppl = row.people_per_library
    cells.append(
        "—" if ppl is None else f"{round(ppl):,} {yes if row.people_per_library_met else no}"
    )
    cells.append(f"{row.reading_circle_share:.1%}")
    return cells


def _note(lang: str) -> str:
    if lang == "zh":
        return (
            f"依据 {SOURCE}。服务半径按直线距离计，区县内 {RADIUS_MET_SHARE:.0%} 以上人口在半径内记为达标（✓）；"
            f"每馆服务人口以小型馆上限 {STANDARD_PEOPLE_PER_LIBRARY:,} 人为标准；"
            "阅读圈为步行 15 分钟内有任一服务点。"
        )
    return (
        f"After {SOURCE}. Radii are straight-line; a radius is met (✓) where at least "
        f"{RADIUS_MET_SHARE:.0%} of a district's people are within it; people per public library "
        f"against the small tier's ceiling of {STANDARD_PEOPLE_PER_LIBRARY:,}; the reading circle "
        "is any service point within a 15-minute walk."
    )


def standards_section(project: Project, lang: str = "zh") -> str:
    """The report's standards section as HTML (the one call the report makes)."""
    rows = standards_rows(project)
    head = "".join(f"<th>{escape(h)}</th>" for h in _head(lang))
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in _cells(r, lang)) + "</tr>" for r in rows
    )
    return (
        f"<h2>{escape(text('standards', lang))}</h2><p class='note'>{escape(_note(lang))}</p>"
        f"<table><tr>{head}</tr>{body}</table>"
    )


def write_standards_sheet(path: Path, rows: list[StandardsRow], lang: str = "zh") -> Path:
    """The standards table as its own XLSX sheet; every cell is a value (text stays text)."""
    from openpyxl import Workbook, load_workbook

    path = Path(path)
    book = load_workbook(path) if path.is_file() else Workbook()
    if not path.is_file():
        book.remove(book.active)
    title = "标准对照" if lang == "zh" else "Standards"
    if title in book.sheetnames:
        book.remove(book[title])
    sheet = book.create_sheet(title)
    head = [
        text("district", lang),
        text("population", lang),
        *[f"{text('tier_' + t.key, lang)} {t.radius_km:g} km" for t in TIERS],
        *[f"{text('standard_radius_met', lang)} {t.radius_km:g} km" for t in TIERS],
        text("people_per_library", lang),
        text("standard_people_per_library", lang),
        text("reading_circle_share", lang),
    ]
    sheet.append(head)
    for r in rows:
        sheet.append(
            [
                r.district if r.district is not None else ("全市" if lang == "zh" else "City"),
                round(r.population),
                *[round(r.radius_share[t.key], 4) for t in TIERS],
                *[r.radius_met(t.key) for t in TIERS],
                None if r.people_per_library is None else round(r.people_per_library),
                STANDARD_PEOPLE_PER_LIBRARY,
                round(r.reading_circle_share, 4),
            ]
        )
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # user text is data, never a formula
    sheet.append([])
    sheet.append([_note(lang)])
    sheet.cell(sheet.max_row, 1).data_type = "s"
    partial = path.with_name(path.name + ".partial")
    book.save(partial)
    os.replace(partial, path)  # written whole or not at all
    return path
