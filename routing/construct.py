"""Our own first solution for paired pickups and deliveries, independent of OR-Tools'
first-solution strategies (which build nothing at all on large days with hub transfers).

Vans move in time order (the van that is free earliest acts next). At each step it drives to
the nearest library where it can do something — unload crates it carries, or load waiting
loads it can still deliver in time — and does everything it can there in one stop: all its
unloads, then as many loads as fit. A load is taken only if a nearest-neighbour round of
everything on board, and the drive home, still meet every closing time and the shift end, so
a van never strands crates. A transfer (a hub's second leg) is ready only once its first leg is
unloaded plus the sorting gap. Linear in the number of loads per step: it builds a complete
plan at any volume a county sees in well under a second per day.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from routing.instance import Plan, Route, RouteStop, RoutingInstance, Visit

#: Seconds of slack kept below every closing time, so the plan also fits OR-Tools' integer
#: times (rounded up by at most one hundredth of a second per leg).
MARGIN = 5.0
#: At most this many places to deliver to on board at once (keeps each round short to check).
MAX_DROPS = 12
NOT_PLACED = ("车队今天的时间或容量不够", "the vans' hours or capacity ran out today")


@dataclass
class _Van:
    index: int
    loc: int
    t: float
    stops: list[RouteStop] = field(default_factory=list)
    onboard: list[int] = field(default_factory=list)  # pair indices picked up, not yet delivered
    load: int = 0
    distance: float = 0.0
    done: bool = False


def construct(instance: RoutingInstance, look: int = 1) -> Plan:
    """A complete, checked-feasible plan of the instance's pairs (visits outside pairs are left
    out). Each van goes to the nearest place with work (`look` 1), or of the `look` nearest
    the one handling the most crates per minute of driving and stopping."""
    visit = {v.id: v for v in instance.visits}
    pairs = [(visit[p], visit[d]) for p, d in instance.pairs]
    pair_of_delivery = {d: k for k, (_, d) in enumerate(instance.pairs)}
    pair_of_pickup = {p: k for k, (p, _) in enumerate(instance.pairs)}
    waits_for: dict[int, tuple[int, float]] = {}
    unlocks: dict[int, list[tuple[int, float]]] = {}
    for first, then, gap in instance.precedences:
        if first in pair_of_delivery and then in pair_of_pickup:
            a, b = pair_of_delivery[first], pair_of_pickup[then]
            waits_for[b] = (a, gap)
            unlocks.setdefault(a, []).append((b, gap))
    ready = {k: 0.0 for k in range(len(pairs)) if k not in waits_for}
    pending_at: dict[int, list[int]] = {}
    for k, (p, _) in enumerate(pairs):
        pending_at.setdefault(p.location, []).append(k)
    dur = instance.duration.tolist()  # plain lists: indexing numpy per step is the slow part
    dist, stop = instance.distance, instance.stop_time
    vans = [_Van(i, v.start_location, v.shift_start) for i, v in enumerate(instance.vehicles)]
    served: set[int] = set()
    ends = {v.id: max(b for _, b in v.windows) - MARGIN for v in instance.visits}
    starts = {v.id: min(a for a, _ in v.windows) for v in instance.visits}

    def end_of(v: Visit) -> float:
        return ends[v.id]

    def start_of(v: Visit) -> float:
        return starts[v.id]

    def round_ok(van: _Van, loc: int, t: float, onboard: list[int]) -> bool:
        """Deliver `onboard` nearest place first from (loc, t), then home within the shift."""
        by_place: dict[int, list[Visit]] = {}
        for j in onboard:
            d = pairs[j][1]
            by_place.setdefault(d.location, []).append(d)
        while by_place:
            row = dur[loc]
            place = min(by_place, key=row.__getitem__)
            t += row[place] + (stop if place != loc else 0.0)
            for d in by_place.pop(place):
                t = max(t, starts[d.id])
                if t > ends[d.id]:
                    return False
                t += d.service
            loc = place
        return (
            t + dur[loc][instance.vehicles[van.index].end_location]
            <= instance.vehicles[van.index].shift_end - MARGIN
        )

    def plan_stop(van: _Van, loc: int) -> tuple[float, list[int], list[int]] | None:
        """What van does at loc if it goes there now: (arrival, unloads, loads), or None."""
        moved = loc != van.loc or not van.stops
        arrive = van.t + dur[van.loc][loc]
        t = arrive + (stop if moved else 0.0)
        unloads = [k for k in van.onboard if pairs[k][1].location == loc]
        for k in unloads:
            d = pairs[k][1]
            t = max(t, start_of(d))
            if t > end_of(d):
                return None
            t += d.service
        onboard = [k for k in van.onboard if k not in unloads]
        load = van.load - sum(pairs[k][0].demand for k in unloads)
        spec = instance.vehicles[van.index]
        capacity, shift_end = spec.capacity, spec.shift_end - MARGIN
        loads: list[int] = []
        waiting = [k for k in pending_at.get(loc, []) if k in ready and ready[k] <= t]
        if not unloads and (
            not waiting or capacity - load < min(pairs[k][0].demand for k in waiting)
        ):
            return None
        waiting.sort(key=lambda k: (ready[k], -pairs[k][0].demand))
        drops = {pairs[j][1].location for j in onboard}
        for k in waiting:
            p, d = pairs[k]
            if load + p.demand > capacity or (d.location not in drops and len(drops) >= MAX_DROPS):
                continue
            tk = max(t, start_of(p), ready[k])
            if tk > end_of(p):
                continue
            # Cheap tests first: the delivery alone, straight there, and home in time.
            direct = max(tk + p.service + dur[loc][d.location] + stop, start_of(d))
            if (
                direct > end_of(d)
                or direct + d.service + dur[d.location][spec.end_location] > shift_end
            ):
                continue
            if not round_ok(van, loc, tk + p.service, [*onboard, k]):
                continue
            t = tk + p.service
            drops.add(d.location)
            loads.append(k)
            onboard.append(k)
            load += p.demand
        if not unloads and not loads:
            return None
        if not loads and not round_ok(van, loc, t, onboard):  # never strand what is on board
            return None
        return arrive, unloads, loads

    while True:
        active = [v for v in vans if not v.done]
        if not active:
            break
        van = min(active, key=lambda v: v.t)
        places = {pairs[k][1].location for k in van.onboard}
        places |= {loc for loc, ks in pending_at.items() if any(k in ready for k in ks)}
        best, found = None, []
        for loc in sorted(places, key=lambda x: dur[van.loc][x]):
            option = plan_stop(van, loc)
            if option is not None:
                found.append((loc, option))
                if len(found) >= look:
                    break
        if found:
            # Of the `look` nearest places with work, the most crates handled per minute.
            best = max(
                found,
                key=lambda f: (
                    sum(abs(pairs[k][0].demand) for k in (*f[1][1], *f[1][2]))
                    / (dur[van.loc][f[0]] + stop + 60.0)
                ),
            )
        if best is None:
            later = [
                ready[k]
                for ks in pending_at.values()
                for k in ks
                if k in ready and ready[k] > van.t
            ]
            spec = instance.vehicles[van.index]
            if (
                later
                and not van.onboard
                and min(later) + dur[van.loc][spec.end_location] <= spec.shift_end - MARGIN
            ):
                van.t = min(later)  # wait for sorted transfers, still home in time
                continue
            van.done = True
            continue
        loc, (arrive, unloads, loads) = best
        moved = loc != van.loc or not van.stops
        t = arrive + (stop if moved else 0.0)
        van.distance += dist[van.loc, loc]
        first = True
        for k in unloads:
            d = pairs[k][1]
            t = max(t, start_of(d))
            van.load -= pairs[k][0].demand
            van.stops.append(RouteStop(d.id, arrive if first else t, t, t + d.service, van.load))
            first = False
            van.onboard.remove(k)
            for b, gap in unlocks.get(k, []):
                ready[b] = t + gap
            t += d.service
        for k in loads:
            p = pairs[k][0]
            t = max(t, start_of(p), ready[k])
            van.load += p.demand
            van.stops.append(RouteStop(p.id, arrive if first else t, t, t + p.service, van.load))
            first = False
            van.onboard.append(k)
            pending_at[loc].remove(k)
            served.add(k)
            t += p.service
        van.loc, van.t = loc, t

    routes = []
    for van in vans:
        spec = instance.vehicles[van.index]
        if not van.stops:
            routes.append(Route(spec.id, [], spec.shift_start, spec.shift_start))
            continue
        back = van.t + dur[van.loc][spec.end_location]
        distance = van.distance + dist[van.loc, spec.end_location]
        depart = _latest_departure(instance, spec.start_location, van.stops[0], stop)
        van.stops[0].arrival = depart + float(
            dur[spec.start_location][instance.visit(van.stops[0].visit_id).location]
        )
        routes.append(Route(spec.id, van.stops, depart, back, [], float(distance), back - depart))
    dropped = {
        v.id: NOT_PLACED[1] for k, (p, d) in enumerate(pairs) if k not in served for v in (p, d)
    }
    in_pairs = {x for pr in instance.pairs for x in pr}
    dropped |= {v.id: NOT_PLACED[1] for v in instance.visits if v.id not in in_pairs}
    return Plan(routes=routes, dropped=dropped, status="constructed")


def _latest_departure(
    instance: RoutingInstance, start: int, first: RouteStop, stop: float
) -> float:
    """Leave the depot as late as still reaches the first stop on time (no idle wait there)."""
    v = instance.visit(first.visit_id)
    return first.start - stop - float(instance.duration[start, v.location])


def served_pairs(plan: Plan, instance: RoutingInstance) -> int:
    """How many of the instance's pairs the plan serves whole."""
    on = {s.visit_id for r in plan.routes for s in r.stops}
    return sum(1 for p, d in instance.pairs if p in on and d in on)
