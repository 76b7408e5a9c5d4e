"""Simulated SMLM fields of view with ground truth (coordinates in nm, labels 0 = background).

Every function takes a seeded `numpy.random.Generator`, so a simulation is reproducible.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def uniform_background(rng: np.random.Generator, count: int, fov_nm: float) -> np.ndarray:
    return rng.uniform(0.0, fov_nm, (count, 2))


def gaussian_clusters(
    rng: np.random.Generator,
    fov_nm: float = 2000.0,
    num_clusters: int = 20,
    points_per_cluster: int | Sequence[int] = 15,
    cluster_std_nm: float = 25.0,
    clustered_fraction: float = 0.5,
    margin_nm: float = 100.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Benchmark-like scenario: isotropic Gaussian clusters plus uniform background.

    `points_per_cluster` is one count for all or one per cluster (scenario 8: 10 × 5 + 10 × 15).
    The background count makes `clustered_fraction` of all points clustered (Nieves et al.
    scenarios 2/5: 50 %). Returns (xy [N, 2] nm, labels [N]).
    """
    sizes = np.broadcast_to(np.asarray(points_per_cluster, dtype=int), (num_clusters,))
    centres = rng.uniform(margin_nm, fov_nm - margin_nm, (num_clusters, 2))
    xy = [c + rng.normal(0.0, cluster_std_nm, (n, 2)) for c, n in zip(centres, sizes)]
    labels = [np.full(n, i + 1) for i, n in enumerate(sizes)]
    n_clustered = int(sizes.sum())
    n_background = int(round(n_clustered * (1.0 - clustered_fraction) / clustered_fraction))
    xy.append(uniform_background(rng, n_background, fov_nm))
    labels.append(np.zeros(n_background, dtype=np.int64))
    return np.concatenate(xy), np.concatenate(labels).astype(np.int64)


def blink(rng: np.random.Generator, xy: np.ndarray, labels: np.ndarray,
          mean_localizations: float = 4.5, precision_nm: float = 10.0) -> tuple[np.ndarray, np.ndarray]:
    """Multiple blinking: each molecule gives 1 + Poisson(mean − 1) localizations, normally
    distributed around it with the localization precision as std."""
    counts = 1 + rng.poisson(mean_localizations - 1.0, len(xy))
    rep = np.repeat(np.arange(len(xy)), counts)
    return xy[rep] + rng.normal(0.0, precision_nm, (len(rep), 2)), labels[rep]


def write_benchmark_csv(path, xy: np.ndarray, labels: np.ndarray) -> None:
    """The benchmark's CSV layout: x, y (nm), index (0 = background)."""
    pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "index": labels}).to_csv(path, index=False)
