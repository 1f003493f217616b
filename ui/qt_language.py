"""Qt's own texts (standard buttons, context menus, file dialogs) in the window's language:
Qt ships its Simplified Chinese catalogue (qtbase_zh_CN.qm) with PyQt6; it is installed while
the window is in Chinese and removed for English."""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

#: language → Qt catalogue names (qtbase first: buttons and dialogs).
CATALOGUES = {"zh": ("qtbase_zh_CN",)}
_installed: list[QTranslator] = []


def qt_translations_dir() -> Path:
    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))


def use_qt_language(lang: str) -> bool:
    """Install Qt's catalogues for `lang` (removing any other); False when none was found."""
    app = QCoreApplication.instance()
    if app is None:
        return False
    while _installed:
        app.removeTranslator(_installed.pop())
    for name in CATALOGUES.get(lang, ()):
        translator = QTranslator(app)
        if translator.load(name, str(qt_translations_dir())):
            app.installTranslator(translator)
            _installed.append(translator)
    return bool(_installed)
