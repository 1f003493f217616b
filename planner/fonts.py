"""The CJK font for charts: matplotlib is given the installed Noto CJK file explicitly, so
Chinese labels draw on a fresh machine whatever matplotlib's font cache holds."""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path

from matplotlib import font_manager, rcParams

#: fonts-noto-cjk and fonts-wqy on Debian, when fontconfig cannot be asked.
KNOWN_FILES = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf"),
    Path("/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)
_FONT_SUFFIXES = (".ttc", ".otf", ".ttf")


def _fontconfig(*args: str) -> list[str]:
    """Lines printed by a fontconfig tool; none when it is missing or fails."""
    if shutil.which(args[0]) is None:
        return []
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in done.stdout.splitlines() if line.strip()]


def _usable(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in _FONT_SUFFIXES


@cache
def cjk_font_file() -> Path | None:
    """The installed font file with simplified Chinese glyphs (Noto Sans CJK first), or None."""
    matched = _fontconfig("fc-match", "-f", "%{file}", "Noto Sans CJK SC:lang=zh-cn")
    candidates = [Path(line) for line in matched]
    listed = [Path(line.split(":")[0]) for line in _fontconfig("fc-list", ":lang=zh", "file")]
    candidates += sorted(listed, key=lambda p: ("Sans" not in p.name, "CJK" not in p.name, p.name))
    candidates += KNOWN_FILES
    for path in candidates:
        # fc-match answers with its best guess even when no CJK font exists: keep only CJK files.
        if _usable(path) and any(k in path.name for k in ("CJK", "wqy", "Han", "Hei", "Song")):
            return path
    return None


def use_cjk_font() -> str | None:
    """Register the CJK font file with matplotlib (once) and put it first for sans-serif
    text; its family name, or None when no CJK font is installed (labels fall back)."""
    path = cjk_font_file()
    rcParams["text.parse_math"] = False  # chart labels are user text: never mathtext
    if path is None:
        return None
    names = _names(path)
    if not names:  # a font cache built before the font was installed does not hold it
        font_manager.fontManager.addfont(str(path))
        names = _names(path)
    name = next((n for n in names if n.endswith(" SC")), None)
    name = name or font_manager.FontProperties(fname=str(path)).get_name()
    apply_font(name)
    return name


def _names(path: Path) -> list[str]:
    """The family names matplotlib knows from the file `path` (a .ttc holds several)."""
    return [f.name for f in font_manager.fontManager.ttflist if Path(f.fname) == path]


def apply_font(name: str) -> None:
    """Make `name` the first sans-serif family (rcParams may have been reset since)."""
    rcParams["font.family"] = "sans-serif"
    rcParams["font.sans-serif"] = [name, *[f for f in rcParams["font.sans-serif"] if f != name]]
    rcParams["axes.unicode_minus"] = False
    rcParams["text.parse_math"] = False  # a district named "$…$" is text, not mathtext
