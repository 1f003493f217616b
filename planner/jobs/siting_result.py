"""The stored siting run as a typed record: `SitingJobResult` with to_json()/from_json()
keeping every key the run has always had (other code and tools read them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Siting models that take a number of new sites; set covering opens as many as it needs.
MODELS_WITH_P = ("fair", "mclp", "pmedian", "pcenter")


@dataclass(frozen=True)
class SitingJobResult:
    """A stored siting run. `p` is the p solved (None for lscp and target), `n_opened` the
    number of sites opened, `parameters` the model's own parameters."""

    model: str
    p: int | None
    threshold: float | None  # None only in a run stored without one
    unit: str
    mode: str | None
    cost_source: str
    selected: tuple[Mapping[str, Any], ...]
    before: tuple[Mapping[str, Any], ...]
    after: tuple[Mapping[str, Any], ...]
    total_before: Mapping[str, Any]
    total_after: Mapping[str, Any]
    objective: float
    optimal: bool
    gap: float
    seconds: float
    frontier: tuple[Mapping[str, Any], ...]
    plan_run_id: int | None
    n_opened: int
    parameters: Mapping[str, Any]
    covered_share: float
    run_id: int | None = None
    by_age: Mapping[str, Any] | None = None  # age → district → covered/total/share
    closed: tuple[str, ...] = ()  # library ids closed
    lost_access: Mapping[str, Any] | None = None  # age → district → people losing access
    closure_impact: Mapping[str, Any] | None = None  # closable id → age → district → people

    @property
    def selected_ids(self) -> list[str]:
        return [str(s["id"]) for s in self.selected]

    def to_json(self) -> dict[str, Any]:
        out = {
            "model": self.model,
            "p": self.p,
            "threshold": self.threshold,
            "unit": self.unit,
            "mode": self.mode,
            "cost_source": self.cost_source,
            "selected": [dict(s) for s in self.selected],
            "before": [dict(r) for r in self.before],
            "after": [dict(r) for r in self.after],
            "total_before": dict(self.total_before),
            "total_after": dict(self.total_after),
            "objective": self.objective,
            "optimal": self.optimal,
            "gap": self.gap,
            "seconds": self.seconds,
            "frontier": [dict(pt) for pt in self.frontier],
            "plan_run_id": self.plan_run_id,
            "n_opened": self.n_opened,
            "parameters": dict(self.parameters),
            "covered_share": self.covered_share,
            "by_age": self.by_age,
            "closed": list(self.closed),
            "lost_access": self.lost_access,
            "closure_impact": self.closure_impact,
        }
        if self.run_id is not None:
            out["run_id"] = self.run_id
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SitingJobResult:
        """The run as stored by this or an earlier version (missing keys: their defaults;
        unknown keys ignored; runs stored before `parameters`: p for the models that take one)."""
        selected = tuple(data.get("selected") or ())
        model, p, threshold = str(data.get("model") or ""), data.get("p"), data.get("threshold")
        total_after = data.get("total_after") or {}
        return cls(
            model=model,
            p=p,
            threshold=float(threshold) if isinstance(threshold, int | float) else None,
            unit=str(data.get("unit") or ("m" if data.get("mode") is None else "s")),
            mode=data.get("mode"),
            cost_source=str(data.get("cost_source", "")),
            selected=selected,
            before=tuple(data.get("before") or ()),
            after=tuple(data.get("after") or ()),
            total_before=data.get("total_before") or {},
            total_after=total_after,
            objective=float(data.get("objective", 0.0)),
            optimal=bool(data.get("optimal", False)),
            gap=float(data.get("gap", 0.0)),
            seconds=float(data.get("seconds", 0.0)),
            frontier=tuple(data.get("frontier") or ()),
            plan_run_id=data.get("plan_run_id"),
            n_opened=int(data.get("n_opened", len(selected))),
            parameters=data.get("parameters", {"p": p} if model in MODELS_WITH_P else {}),
            covered_share=float(data.get("covered_share", total_after.get("share", 0.0))),
            run_id=data.get("run_id"),
            by_age=data.get("by_age"),
            closed=tuple(data.get("closed") or ()),
            lost_access=data.get("lost_access"),
            closure_impact=data.get("closure_impact"),
        )
