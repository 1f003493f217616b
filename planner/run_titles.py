"""A run's user-visible title with its key settings (model, p or target, threshold with its
unit, mode, travel-time source), computed from the stored kind, params and result, so every
face (runs list, compare view, maps, report) names a run the same way."""

from __future__ import annotations

from typing import Any

from planner.i18n import has, text
from planner.jobs.courier import CourierResult
from planner.jobs.coverage import CoverageResult
from planner.jobs.siting_result import MODELS_WITH_P, SitingJobResult
from planner.run_results import TypedResult, typed_result


def _label(prefix: str, value: object, lang: str) -> str:
    key = f"{prefix}{value}"
    return text(key, lang) if has(key) else str(value)


def threshold_text(threshold: float | None, unit: str | None, lang: str) -> str:
    """15 分钟 / 15 min for seconds, 1000 米 / 1000 m for metres."""
    if threshold is None:
        return ""
    if unit == "m":
        return text("title_metres", lang, m=f"{threshold:.0f}")
    return text("title_minutes", lang, min=f"{threshold / 60:.0f}")


def travel_text(run: dict[str, Any], result: TypedResult | None, lang: str) -> str:
    """Threshold, mode and travel-time source of a coverage or siting run (`result` its typed
    Result), e.g. 步行 15 分钟 · 路网."""
    figures = result if isinstance(result, CoverageResult | SitingJobResult) else None
    if figures is not None and figures.threshold is not None:
        threshold, mode, unit = figures.threshold, figures.mode, figures.unit
    else:  # a run stored without its figures: its parameters say
        params = run.get("params") or {}
        threshold, mode = params.get("threshold"), params.get("mode")
        unit = "m" if mode is None else "s"
    source = (figures.cost_source if figures is not None else "") or run.get("cost_source")
    parts = [f"{_label('mode_', mode or 'distance', lang)} {threshold_text(threshold, unit, lang)}".strip()]
    if source:
        parts.append(_label("source_", source, lang))
    return " · ".join(parts)


def settings_text(run: dict[str, Any], lang: str = "zh") -> str:
    """The run's key settings, without its number and kind."""
    kind, result, params = run["kind"], typed_result(run), run.get("params") or {}
    parts: list[str] = []
    if isinstance(result, SitingJobResult):
        model = result.model or params.get("model")
        parts.append(_label("model_short_", model, lang))
        p = result.p if result.p is not None else params.get("p")
        if model in MODELS_WITH_P and p is not None:
            parts.append(f"p = {p}")
        budget = params.get("budget")
        if budget:
            parts.append(text("title_budget", lang, budget=f"{budget:g}"))
        floor = params.get("floor")
        if floor:
            parts.append(text("title_floor", lang, pct=f"{floor * 100:.0f}"))
        parts.append(text("title_opened", lang, n=result.n_opened))
    if kind in ("coverage", "siting"):
        parts.append(travel_text(run, result, lang))
    if kind == "courier":
        day = params.get("day") or (result.day if isinstance(result, CourierResult) else None)
        if day:
            parts.append(_label("day_", day, lang))
    if kind in ("bookmobile", "courier") and params.get("time_limit_s"):
        parts.append(text("title_seconds", lang, s=f"{params['time_limit_s']:g}"))
    return " · ".join(p for p in parts if p)


def run_title(run: dict[str, Any], lang: str = "zh") -> str:
    """#12 覆盖「10分钟」 · 步行 10 分钟 · 路网: number, kind, scenario name and settings."""
    kind = _label("kind_", run["kind"], lang)
    scenario = run.get("scenario") or ""
    if scenario == "plan":  # the name the siting job gives its runs: say what it means
        name = text("title_plan", lang) if run["kind"] == "coverage" else ""
    else:
        name = text("title_scenario", lang, name=scenario) if scenario else ""
    settings = settings_text(run, lang)
    head = f"#{run['id']} {kind}{name}"
    return f"{head} · {settings}" if settings else head
