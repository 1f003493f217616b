"""The change list of a re-plan: which published visits (on or after the lock date) moved, were
cancelled or were added, so the coordinator can tell the readers of those stops."""

from __future__ import annotations

from datetime import date
from typing import Any

from planner.jobs.bookmobile_contract import BookmobileResult, Change, VisitRow


def change_list(old: BookmobileResult, new: BookmobileResult, lock: date,
                names: dict[str, tuple[str, Any, Any]]) -> list[Change]:
    """Match each stop's old and new visits: same date, bus and service times is unchanged
    (readers see no difference; the bus may only arrive earlier and wait); same date otherwise, then the nearest date, is a move; what is left is
    cancelled or added."""
    def later(rows: tuple[VisitRow, ...]) -> dict[str, list[VisitRow]]:
        out: dict[str, list[VisitRow]] = {}
        for v in rows:
            if date.fromisoformat(v.date) >= lock:
                out.setdefault(v.stop, []).append(v)
        return out

    before, after = later(old.visits), later(new.visits)
    changes: list[Change] = []
    for stop in sorted(set(before) | set(after)):
        olds, news = list(before.get(stop, [])), list(after.get(stop, []))
        for v in list(olds):
            same = next((n for n in news if (n.date, n.bus, n.depart) == (v.date, v.bus, v.depart)), None)
            if same is not None:
                olds.remove(v)
                news.remove(same)
        name = names.get(stop, (stop,))[0]
        pairs = []
        for same_day in (True, False):
            for v in list(olds):
                options = [n for n in news if (n.date == v.date) == same_day or not same_day]
                if not options:
                    continue
                n = min(options, key=lambda n: abs((date.fromisoformat(n.date) - date.fromisoformat(v.date)).days))
                olds.remove(v)
                news.remove(n)
                pairs.append((v, n))
        for v, n in pairs:
            changes.append(Change("moved", stop, name, v.date, v.bus, v.arrive, n.date, n.bus, n.arrive))
        changes += [Change("cancelled", stop, name, v.date, v.bus, v.arrive) for v in olds]
        changes += [Change("added", stop, name, to_date=n.date, to_bus=n.bus, to_arrive=n.arrive) for n in news]
    changes.sort(key=lambda c: (c.from_date or c.to_date, c.stop))
    return changes


__all__ = ["change_list"]
