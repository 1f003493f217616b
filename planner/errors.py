"""The one error type a user can cause: it names the file, the row or feature, the field, and
says what is wrong in plain Chinese and English."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in one input."""

    message_zh: str
    message_en: str
    file: str | None = None
    row: int | str | None = None  # 1-based data row, or a feature id
    field: str | None = None

    def where(self, lang: str = "zh") -> str:
        parts = []
        if self.file:
            parts.append(f"文件 {self.file}" if lang == "zh" else f"file {self.file}")
        if self.row is not None:
            parts.append(f"第 {self.row} 行" if lang == "zh" else f"row {self.row}")
        if self.field:
            parts.append(f"字段 “{self.field}”" if lang == "zh" else f"field '{self.field}'")
        return ("，" if lang == "zh" else ", ").join(parts)

    def text(self, lang: str = "zh") -> str:
        msg = self.message_zh if lang == "zh" else self.message_en
        where = self.where(lang)
        if not where:
            return msg
        return f"{where}：{msg}" if lang == "zh" else f"{where}: {msg}"


@dataclass
class PlannerError(Exception):
    """A problem the user can fix: bad input, an infeasible request, a file we refuse to open.

    Holds one or more `Problem`s (all the problems found in a file, up to a limit).
    """

    problems: list[Problem] = field(default_factory=list)

    def __init__(
        self,
        message_zh: str | None = None,
        message_en: str | None = None,
        *,
        file: str | None = None,
        row: int | str | None = None,
        field: str | None = None,
        problems: list[Problem] | None = None,
    ) -> None:
        self.problems = list(problems or [])
        if message_zh is not None:
            self.problems.insert(
                0, Problem(message_zh, message_en or message_zh, file, row, field)
            )
        if not self.problems:
            raise ValueError("PlannerError needs a message or problems")
        super().__init__(self.text("en"))

    @property
    def file(self) -> str | None:
        return self.problems[0].file

    @property
    def row(self) -> int | str | None:
        return self.problems[0].row

    @property
    def field(self) -> str | None:
        return self.problems[0].field

    def text(self, lang: str = "zh") -> str:
        lines = [p.text(lang) for p in self.problems]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text("en")


class ProblemList:
    """Collects problems while validating a file, then raises them all at once (up to `limit`)."""

    def __init__(self, file: str | None = None, limit: int = 50) -> None:
        self.file = file
        self.limit = limit
        self.problems: list[Problem] = []
        self.overflow = 0

    def add(
        self, message_zh: str, message_en: str, row: int | str | None = None, field: str | None = None
    ) -> None:
        if len(self.problems) < self.limit:
            self.problems.append(Problem(message_zh, message_en, self.file, row, field))
        else:
            self.overflow += 1

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self) -> None:
        if not self.problems:
            return
        problems = list(self.problems)
        if self.overflow:
            problems.append(
                Problem(
                    f"另有 {self.overflow} 个问题未列出",
                    f"{self.overflow} more problems not listed",
                    self.file,
                )
            )
        raise PlannerError(problems=problems)
