"""Squeeze localizations with MIRO's displacements, then cluster with scikit-learn's DBSCAN."""

from __future__ import annotations

import numpy as np
import sklearn.cluster


def squeeze(
    positions: np.ndarray, displacements: np.ndarray, connectivity_radius: float
) -> np.ndarray:
    """x − δ·r̂: moves each point toward its predicted cluster centre (same units as x and δ)."""
    return np.asarray(positions, np.float64) - connectivity_radius * np.asarray(
        displacements, np.float64
    )


# DBSCAN's neighbour queries on all cores from this many points on; below it the worker pool
# costs more than it saves (500 points: 3.6 vs 16.7 ms a call, which a parameter search repeats
# ~900 times; 200k points: 2.4 vs 1.5 s on 2 cores)
PARALLEL_MIN_POINTS = 20_000


def dbscan_labels(xy: np.ndarray, eps: float, min_samples: int) -> np.ndarray:
    """DBSCAN in the units of `xy`; returns labels 0 = not clustered, 1..n = clusters."""
    if len(xy) == 0:
        return np.zeros(0, dtype=np.int64)
    n_jobs = -1 if len(xy) >= PARALLEL_MIN_POINTS else None
    labels = sklearn.cluster.DBSCAN(
        eps=eps, min_samples=int(min_samples), n_jobs=n_jobs
    ).fit_predict(xy)
    return (labels + 1).astype(np.int64)


def majority_class_per_cluster(labels: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Each localization's class replaced by its cluster's most frequent predicted class.

    As in the authors' cMIRO, the unclustered group (label 0) is treated as one group too.
    """
    groups, group_of = np.unique(labels, return_inverse=True)
    classes = np.asarray(classes)
    values, class_of = np.unique(classes, return_inverse=True)
    votes = np.zeros((len(groups), len(values)), np.int64)
    np.add.at(votes, (group_of, class_of), 1)
    return values[votes.argmax(axis=1)][group_of].astype(classes.dtype)  # ties: smallest class


def label_groups(labels: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """[(label, indices of its localizations)] for every cluster label > 0, in label order; one
    sort instead of one mask per cluster, so large fields with many clusters stay fast."""
    labels = np.asarray(labels)
    order = np.argsort(labels, kind="stable")
    ids, starts, counts = np.unique(labels[order], return_index=True, return_counts=True)
    return [(int(i), order[s : s + n]) for i, s, n in zip(ids, starts, counts) if i > 0]


def radius_of_gyration(xy: np.ndarray) -> float:
    """√(mean squared distance to the points' centroid): a cluster's size, in the units of xy."""
    return float(np.sqrt(np.mean(np.sum((xy - xy.mean(axis=0)) ** 2, axis=1))))
