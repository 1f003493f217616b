"""Service-frequency design for the courier: how often each library is served (daily, 3×, 2×,
1× a week) and whether its crates go direct or via the central library, traded off between
van-km and turnaround.

Candidate designs are tiers by weekly volume (the busiest third of libraries, the middle, the
quietest; libraries with no traffic are quiet), from everyone daily and direct down to everyone weekly via the hub. Each candidate
is simulated over the week with the constructed routes (fast, no search), giving a point (van-km,
share of items home within D working days, p95 turnaround). The frontier keeps the points no
other beats on both; the design chosen is the cheapest in van-km that meets the turnaround
target, or, given a van-km budget, the best turnaround within it. A chosen design that meets
the target is then adjusted library by library, quietest first: one step less often (and via
the hub) wherever that saves van-km and still meets the target.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from routing.courier_week import Pattern, WeekOutcome, turnaround_summary

#: (name, zh, en, per-week frequency and via-hub for the busy, middle and quiet tiers); the
#: first three span the range, so a frontier exists even when time allows no more.
CANDIDATES: tuple[
    tuple[str, str, str, tuple[tuple[int, bool], tuple[int, bool], tuple[int, bool]]], ...
] = (
    ("daily_direct", "全部每日直送", "all daily, direct", ((5, False), (5, False), (5, False))),
    (
        "twice_hub",
        "全部每周2次经中心馆",
        "all 2× a week via the hub",
        ((2, True), (2, True), (2, True)),
    ),
    (
        "weekly_hub",
        "全部每周1次经中心馆",
        "all weekly via the hub",
        ((1, True), (1, True), (1, True)),
    ),
    ("daily_hub", "全部每日经中心馆", "all daily, via the hub", ((5, True), (5, True), (5, True))),
    (
        "tiered_5_5_3",
        "忙馆每日直送，清闲馆每周3次经中心馆",
        "busy daily direct, quiet 3× via hub",
        ((5, False), (5, False), (3, True)),
    ),
    (
        "tiered_5_3_2",
        "忙馆每日，中等每周3次，清闲每周2次",
        "busy daily, middle 3×, quiet 2×",
        ((5, False), (3, True), (2, True)),
    ),
    (
        "tiered_3_2_1",
        "忙馆每周3次，中等2次，清闲1次",
        "busy 3×, middle 2×, quiet 1×",
        ((3, True), (2, True), (1, True)),
    ),
)


@dataclass(frozen=True)
class DesignPoint:
    """One evaluated design: its patterns and what the week costs and delivers with it."""

    name: str
    label_zh: str
    label_en: str
    patterns: tuple[tuple[str, Pattern], ...]
    van_km: float
    van_hours: float
    share_within: float  # share of items home within the target working days
    p95_days: float | None
    mean_days: float | None

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "label_zh": self.label_zh,
            "label_en": self.label_en,
            "van_km": round(self.van_km, 1),
            "van_hours": round(self.van_hours, 1),
            "share_within": round(self.share_within, 4),
            "p95_days": self.p95_days,
            "mean_days": self.mean_days,
        }


def tier_patterns(
    volume: dict[str, int],
    hub_id: str | None,
    tiers: tuple[tuple[int, bool], tuple[int, bool], tuple[int, bool]],
) -> dict[str, Pattern]:
    """Patterns for a tiered design: libraries ranked by weekly items in and out, split in thirds."""
    ranked = sorted(
        (x for x in volume if x != hub_id and volume[x] > 0), key=lambda x: (-volume[x], x)
    )
    out: dict[str, Pattern] = {}
    for lib in volume:  # libraries without traffic this week: the quiet tier
        out[lib] = Pattern(tiers[2][0], tiers[2][1] and hub_id is not None)
    for k, lib in enumerate(ranked):
        per_week, via_hub = tiers[min(3 * k // len(ranked), 2)]
        out[lib] = Pattern(per_week, via_hub and hub_id is not None)
    out.pop(hub_id or "", None)
    return out


def evaluate(
    simulate: Callable[[dict[str, Pattern]], WeekOutcome],
    volume: dict[str, int],
    hub_id: str | None,
    target_days: float,
    progress: Callable[[float], None] = lambda _f: None,
    more_time: Callable[[], bool] = lambda: True,
) -> list[DesignPoint]:
    """The candidate designs simulated over the week, while `more_time()` (at least three)."""
    points: list[DesignPoint] = []
    for k, (name, zh, en, tiers) in enumerate(CANDIDATES):
        progress(k / len(CANDIDATES))
        if hub_id is None and any(via for _, via in tiers):
            continue
        if len(points) >= 3 and not more_time():
            break
        patterns = tier_patterns(volume, hub_id, tiers)
        outcome = simulate(patterns)
        t = turnaround_summary(outcome)
        points.append(
            DesignPoint(
                name,
                zh,
                en,
                tuple(sorted(patterns.items())),
                outcome.van_km,
                outcome.van_hours,
                outcome.share_within(target_days),
                t["p95"],
                t["mean"],
            )
        )
    return points


STEP_DOWN = {5: 3, 3: 2, 2: 1}


def refine(
    simulate: Callable[[dict[str, Pattern]], WeekOutcome],
    start: DesignPoint,
    volume: dict[str, int],
    hub_id: str | None,
    target_days: float,
    share: float,
    trials: int = 8,
    more_time: Callable[[], bool] = lambda: True,
) -> DesignPoint | None:
    """Step the quietest libraries down one frequency each while the target still holds and
    van-km falls; the adjusted design, or None when no step helped."""
    patterns = dict(start.patterns)
    best_km, best = start.van_km, None
    quiet = sorted(
        (x for x in patterns if volume.get(x, 0) > 0 and patterns[x].per_week in STEP_DOWN),
        key=lambda x: (volume[x], x),
    )
    for lib in quiet[:trials]:
        if not more_time():
            break
        trial = {**patterns, lib: Pattern(STEP_DOWN[patterns[lib].per_week], hub_id is not None)}
        outcome = simulate(trial)
        if outcome.share_within(target_days) >= share and outcome.van_km < best_km:
            patterns, best_km = trial, outcome.van_km
            t = turnaround_summary(outcome)
            best = DesignPoint(
                "adjusted",
                f"{start.label_zh}，逐馆调整",
                f"{start.label_en}, adjusted library by library",
                tuple(sorted(patterns.items())),
                outcome.van_km,
                outcome.van_hours,
                outcome.share_within(target_days),
                t["p95"],
                t["mean"],
            )
    return best


def frontier(points: list[DesignPoint]) -> list[DesignPoint]:
    """Designs no other beats on both van-km and share home in time, cheapest first."""
    keep = [
        p
        for p in points
        if not any(
            (q.van_km <= p.van_km and q.share_within >= p.share_within)
            and (q.van_km < p.van_km or q.share_within > p.share_within)
            for q in points
        )
    ]
    return sorted(keep, key=lambda p: (p.van_km, -p.share_within))


def choose(
    points: list[DesignPoint], share: float, van_km_budget: float | None = None
) -> tuple[DesignPoint, bool]:
    """The cheapest design meeting the turnaround target (or the best one within a van-km
    budget); False when no design meets it and the best turnaround is returned instead."""
    if van_km_budget is not None:
        within = [p for p in points if p.van_km <= van_km_budget]
        if within:
            return max(within, key=lambda p: (p.share_within, -p.van_km)), True
        return min(points, key=lambda p: p.van_km), False
    meeting = [p for p in points if p.share_within >= share]
    if meeting:
        return min(meeting, key=lambda p: (p.van_km, -p.share_within)), True
    return max(points, key=lambda p: (p.share_within, -p.van_km)), False
