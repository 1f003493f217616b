"""Road networks at project level: read a network file (user errors become PlannerError naming
the file), cache travel-time matrices in the project store, and the demo's modelled network."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from planner.errors import PlannerError
from planner.store import Project
from routing.matrix import NetworkCost
from routing.network import NetworkError, RoadNetwork, read_network

DEMO_NETWORK = Path(__file__).resolve().parents[1] / "gis_data" / "wenzhou_roads.gpkg"


@dataclass(frozen=True)
class ProjectCache:
    """routing.matrix.MatrixCache on the project's cache table."""

    project: Project

    def get(self, key: str) -> bytes | None:
        return self.project.cache_get(key)

    def put(self, key: str, value: bytes) -> None:
        self.project.cache_put(key, value)


def load_network(path: str | Path) -> RoadNetwork:
    """Read a GraphML or road-line file; a file we cannot use raises PlannerError naming it."""
    path = Path(path).resolve()
    if not path.is_file():
        raise PlannerError(
            f"找不到路网文件：{path}", f"road network file not found: {path}", file=str(path)
        )
    stat = path.stat()
    return _load(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int, size: int) -> RoadNetwork:
    """Read once per file version (path, modification time and size)."""
    try:
        return read_network(path)
    except NetworkError as exc:
        raise PlannerError(
            f"无法使用路网文件（{exc}）", f"cannot use this road network file ({exc})", file=path
        ) from exc


def network_cost(
    network: RoadNetwork,
    mode: str = "drive",
    project: Project | None = None,
    max_snap_m: float = 500.0,
    workers: int = 1,
) -> NetworkCost:
    """A NetworkCost for `mode`, caching its matrices in `project` when one is given;
    workers > 1 forks processes, so pass it only from a program's main thread (the CLI)."""
    return NetworkCost(
        network,
        mode,
        max_snap_m,
        cache=None if project is None else ProjectCache(project),
        workers=workers,
    )


def cached_matrix(
    project: Project,
    network: RoadNetwork,
    origins_xy: np.ndarray,
    destinations_xy: np.ndarray,
    mode: str,
) -> np.ndarray:
    """Travel seconds origins × destinations, read from the project's cache when computed before
    (keyed by the network file's content hash, mode and point arrays)."""
    return network_cost(network, mode, project).matrix(origins_xy, destinations_xy)


def demo_network_cost(project: Project | None = None, mode: str = "drive") -> NetworkCost:
    """NetworkCost on the modelled Wenzhou roads (gis_data/wenzhou_roads.gpkg, EPSG:32651)."""
    return network_cost(load_network(DEMO_NETWORK), mode, project)
