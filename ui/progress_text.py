"""Progress messages in the window's language: the solvers and jobs report short English notes
("objective 8140408.7", "neighbours"); the window shows what they mean through the label
table, and nothing for a note it does not know."""

from __future__ import annotations

import re

from ui.strings import has, language, tr

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


def progress_text(note: str) -> str:
    """What a progress note means, in the window's language ("" when it means nothing)."""
    note = note.strip()
    if not note:
        return ""
    both = _BILINGUAL.match(note)
    if both:
        return both.group(1) if language() == "zh" else both.group(2)
    for pattern, key in PATTERNS:
        if pattern.search(note):
            return tr(key)
    for prefix in ("layer_", "tab_"):  # the embedded data's layers and tables as they load
        if has(f"{prefix}{note}"):
            return tr("progress_loading", name=tr(f"{prefix}{note}"))
    return ""
