"""Per-cluster statistics of a clustering (units in column names; 0 = not clustered)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.spatial

from miro_jax import cluster


def _hull(points: np.ndarray):
    try:
        return scipy.spatial.ConvexHull(points)
    except (scipy.spatial.QhullError, ValueError):  # < 3 points or collinear
        return None


def cluster_table(xy_nm: np.ndarray, labels: np.ndarray, classes: np.ndarray | None = None,
                  class_confidence: np.ndarray | None = None) -> pd.DataFrame:
    """One row per cluster: count, centroid, radius of gyration, hull area, max extent, NN distance.

    max extent = largest distance between two localizations of the cluster; NN distance = distance
    from its centroid to the nearest other cluster centroid (NaN with one cluster).
    """
    rows = []
    for label, m in cluster.label_groups(labels):
        pts = xy_nm[m]
        centre = pts.mean(axis=0)
        hull = _hull(pts)
        verts = pts[hull.vertices] if hull is not None else pts
        extent = scipy.spatial.distance.pdist(verts).max() if len(verts) > 1 else 0.0
        row = {
            "cluster": int(label), "localizations": len(m),
            "centroid_x [nm]": centre[0], "centroid_y [nm]": centre[1],
            "radius_of_gyration [nm]": float(np.sqrt(np.mean(np.sum((pts - centre) ** 2, 1)))),
            "hull_area [nm^2]": float(hull.volume) if hull is not None else 0.0,
            "max_extent [nm]": float(extent),
        }
        if classes is not None:
            values, counts = np.unique(classes[m], return_counts=True)
            row["class"] = int(values[counts.argmax()])
            if class_confidence is not None:
                row["class_confidence"] = float(class_confidence[m].mean())
        rows.append(row)
    frame = pd.DataFrame(rows)
    if len(frame) >= 2:
        centres = frame[["centroid_x [nm]", "centroid_y [nm]"]].to_numpy()
        dist, _ = scipy.spatial.cKDTree(centres).query(centres, k=2)
        frame["nn_centroid_distance [nm]"] = dist[:, 1]
    elif len(frame) == 1:
        frame["nn_centroid_distance [nm]"] = np.nan
    return frame


def summary_line(labels: np.ndarray, stats: pd.DataFrame) -> str:
    n = len(stats)
    frac = float((labels > 0).mean()) if len(labels) else 0.0
    median = float(stats["localizations"].median()) if n else 0.0
    return (f"{n} clusters, {100 * frac:.1f} % of {len(labels)} localizations clustered, "
            f"median {median:.0f} localizations per cluster")
