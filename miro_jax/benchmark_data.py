"""The Nieves et al. (2023) benchmark as the authors use it: FOV tables, manifest, unit scaling.

Files live in ../shared/data/nieves2023/<scenario>/fov_NN.csv (x, y in nm, index 0 = background).
They are GPL-3 and are read in place, never copied into the repository.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np
import pandas as pd

from miro_jax import cluster
from miro_jax import graph as graph_lib

DEFAULT_ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "nieves2023"


def benchmark_root() -> Path:
    """Where the benchmark lives: $MIRO_BENCHMARK_ROOT or ../shared/data/nieves2023."""
    return Path(os.environ.get("MIRO_BENCHMARK_ROOT", DEFAULT_ROOT))


@dataclasses.dataclass(frozen=True)
class Fov:
    """One field of view: nm coordinates, ground truth and its unit scaling."""

    name: str
    xy_nm: np.ndarray  # [N, 2]
    labels: np.ndarray  # [N] 0 = background
    unit_xy: np.ndarray  # [N, 2] per-axis min-max scaled to [0, 1]
    minimum: np.ndarray  # [2]
    extent: np.ndarray  # [2]
    sublabels: np.ndarray | None = None  # [N] finer level of two-level fields, 0 = background

    def unit_to_authors_nm(self, unit_xy: np.ndarray) -> np.ndarray:
        """The authors' scale-back quirk: unit coordinates × per-axis max (not extent, no offset)."""
        return unit_xy * self.xy_nm.max(axis=0)

    def unit_to_nm(self, unit_xy: np.ndarray) -> np.ndarray:
        """Exact inverse of the unit scaling."""
        return unit_xy * self.extent + self.minimum


class BenchmarkDataError(FileNotFoundError):
    """A benchmark FOV that is not where the config says; the message says how to point to it."""


def read_fov(path: str | os.PathLike) -> Fov:
    if not Path(path).exists():
        raise BenchmarkDataError(
            f"benchmark FOV {path} not found: the Nieves et al. 2023 benchmark (GPL-3, not "
            "shipped) is read in place; point to its folder with --config.data.root=DIR or "
            "$MIRO_BENCHMARK_ROOT"
        )
    table = pd.read_csv(path)
    missing = {"x", "y", "index"} - set(table.columns)
    if missing:
        raise ValueError(f"{path}: missing columns {sorted(missing)}; found {list(table.columns)}")
    xy = table[["x", "y"]].to_numpy(np.float64)
    unit, lo, extent = graph_lib.normalize_fov(xy)
    return Fov(
        name=Path(path).stem,
        xy_nm=xy,
        labels=table["index"].to_numpy(np.int64),
        unit_xy=unit,
        minimum=lo,
        extent=extent,
    )


def fov_path(scenario: str, number: int, root: Path | None = None) -> Path:
    return (root or benchmark_root()) / scenario / f"fov_{number:02d}.csv"


def split_clusters(xy: np.ndarray, labels: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Clusters (label > 0), each centred on its own mean, and the background points (label 0)."""
    clusters = [xy[idx] - xy[idx].mean(axis=0) for _, idx in cluster.label_groups(labels)]
    return clusters, xy[labels == 0]
