"""Reading stored run JSON into typed records, tolerant of the version that wrote it: keys a
record does not know (a later version's) are ignored, keys an earlier version did not write
take the defaults given, so a project's old runs still open."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")


def known(cls: type, data: Mapping[str, Any] | None) -> dict[str, Any]:
    """The items of `data` whose keys are fields of the dataclass `cls`."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in (data or {}).items() if k in names}


def record(cls: type[T], data: Mapping[str, Any] | None, **defaults: Any) -> T:
    """`cls` from the fields `data` has (others ignored), `defaults` standing in for missing ones."""
    return cls(**{**defaults, **known(cls, data if isinstance(data, Mapping) else None)})
