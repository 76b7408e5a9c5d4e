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


def cluster_table(
    xy_nm: np.ndarray,
    labels: np.ndarray,
    classes: np.ndarray | None = None,
    class_confidence: np.ndarray | None = None,
    frame: np.ndarray | None = None,
    uncertainty_nm: np.ndarray | None = None,
) -> pd.DataFrame:
    """One row per cluster (its id as in the output tables and pictures): count, centroid,
    radius of gyration, hull area and density, max extent, nearest-cluster distance; frames
    spanned and distinct frames (blinking) when frames are known; mean localization uncertainty.

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
        area = float(hull.volume) if hull is not None else 0.0
        row = {
            "cluster": int(label),
            "localizations": len(m),
            "centroid_x [nm]": centre[0],
            "centroid_y [nm]": centre[1],
            "radius_of_gyration [nm]": cluster.radius_of_gyration(pts),
            "hull_area [nm^2]": area,
            "density [localizations/um^2]": len(m) / (area * 1e-6) if area > 0 else np.nan,
            "max_extent [nm]": float(extent),
        }
        if frame is not None:
            row["frames_spanned"] = int(np.nanmax(frame[m]) - np.nanmin(frame[m]) + 1)
            row["distinct_frames"] = len(np.unique(frame[m]))
        if uncertainty_nm is not None:
            row["mean_uncertainty [nm]"] = float(np.nanmean(uncertainty_nm[m]))
        if classes is not None:
            values, counts = np.unique(classes[m], return_counts=True)
            row["class"] = int(values[counts.argmax()])
            if class_confidence is not None:
                row["class_confidence"] = float(class_confidence[m].mean())
        rows.append(row)
    frame_out = pd.DataFrame(rows)
    if len(frame_out) >= 2:
        centres = frame_out[["centroid_x [nm]", "centroid_y [nm]"]].to_numpy()
        dist, _ = scipy.spatial.cKDTree(centres).query(centres, k=2)
        frame_out["nn_centroid_distance [nm]"] = dist[:, 1]
    elif len(frame_out) == 1:
        frame_out["nn_centroid_distance [nm]"] = np.nan
    return frame_out


def field_area_um2(xy_nm: np.ndarray) -> float:
    """Area of the convex hull of all localizations (the imaged cell's extent), µm²."""
    hull = _hull(xy_nm)
    return float(hull.volume) * 1e-6 if hull is not None else float("nan")


def cell_summary(xy_nm: np.ndarray, labels: np.ndarray, stats: pd.DataFrame) -> dict:
    """One summary.csv row's numbers for a cell (clusters per µm² of the cell's hull area)."""
    n = len(stats)

    def median(column):
        return float(stats[column].median()) if n and column in stats else float("nan")

    return {
        "localizations": len(labels),
        "clusters": n,
        "fraction clustered": float((labels > 0).mean()) if len(labels) else 0.0,
        "clusters per um^2": n / field_area_um2(xy_nm),
        "median localizations per cluster": median("localizations"),
        "median radius of gyration [nm]": median("radius_of_gyration [nm]"),
        "median hull area [nm^2]": median("hull_area [nm^2]"),
        "median nn centroid distance [nm]": median("nn_centroid_distance [nm]"),
    }


def summary_line(labels: np.ndarray, stats: pd.DataFrame) -> str:
    n = len(stats)
    frac = float((labels > 0).mean()) if len(labels) else 0.0
    median = float(stats["localizations"].median()) if n else 0.0
    return (
        f"{n} clusters, {100 * frac:.1f} % of {len(labels)} localizations clustered, "
        f"median {median:.0f} localizations per cluster"
    )
