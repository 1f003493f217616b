"""Progress messages in the user's language: the solvers and jobs report short English notes
("objective 8140408.7", "neighbours"); the window and the CLI show what they mean through the
label table, and nothing for a note they do not know."""

from __future__ import annotations

import re

from planner.i18n import has, text

#: (pattern of a note, label key); the first match wins.
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), key)
    for p, key in (
        (r"^objective ", "progress_routes"),
        (r"\(bound ", "progress_siting"),
        (r"^p-median", "progress_siting"),
        (r"^neighbours$|^\d+ demand rows$", "progress_neighbours"),
        (r"^(\w+ )?done$", "progress_done"),
        (r"^coverage$|^nearest beyond threshold$", "progress_coverage"),
        (r"^isochrone$|^catchment$", "progress_catchment"),
        (r"^equity$", "progress_equity"),
        (r" (walk|bicycle|drive|bookmobile|van|car)$", "progress_matrix"),
    )
)
_BILINGUAL = re.compile(r"^([^\x00-\x7f][^A-Za-z]*?)\s+([A-Za-z].*)$")  # "现状覆盖 coverage now"


def progress_text(note: str, lang: str = "zh") -> str:
    """What a progress note means in `lang` ("" when it means nothing)."""
    note = note.strip()
    if not note:
        return ""
    both = _BILINGUAL.match(note)
    if both:
        return both.group(1) if lang == "zh" else both.group(2)
    for pattern, key in PATTERNS:
        if pattern.search(note):
            return text(key, lang)
    for prefix in ("layer_", "tab_"):  # the embedded data's layers and tables as they load
        if has(f"{prefix}{note}"):
            return text("progress_loading", lang, name=text(f"{prefix}{note}", lang))
    return ""
