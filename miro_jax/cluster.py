"""Squeeze localizations with MIRO's displacements, then cluster with scikit-learn's DBSCAN."""

from __future__ import annotations

import numpy as np
import sklearn.cluster


def squeeze(positions: np.ndarray, displacements: np.ndarray, connectivity_radius: float) -> np.ndarray:
    """x − δ·r̂: moves each point toward its predicted cluster centre (same units as x and δ)."""
    return np.asarray(positions, np.float64) - connectivity_radius * np.asarray(displacements, np.float64)


def dbscan_labels(xy: np.ndarray, eps: float, min_samples: int) -> np.ndarray:
    """DBSCAN in the units of `xy`; returns labels 0 = not clustered, 1..n = clusters."""
    if len(xy) == 0:
        return np.zeros(0, dtype=np.int64)
    labels = sklearn.cluster.DBSCAN(eps=eps, min_samples=int(min_samples)).fit_predict(xy)
    return (labels + 1).astype(np.int64)


def majority_class_per_cluster(labels: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Each localization's class replaced by its cluster's most frequent predicted class.

    As in the authors' cMIRO, the unclustered group (label 0) is treated as one group too.
    """
    refined = np.empty_like(classes)
    for label in np.unique(labels):
        members = labels == label
        refined[members] = np.bincount(classes[members]).argmax()
    return refined
