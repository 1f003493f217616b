"""The window's current language: `tr(key)` answers in it, `set_language` switches it (the main
window then calls each widget's `retranslate`). The labels live in planner.i18n."""

from __future__ import annotations

from planner.i18n import LANGUAGES, has, text

__all__ = ["LANGUAGES", "has", "language", "set_language", "tr"]

_current = "zh"


def set_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    global _current
    _current = lang


def language() -> str:
    return _current


def tr(key: str, **fields: object) -> str:
    """The label `key` in the current language, with `{fields}` filled in."""
    return text(key, _current, **fields)
