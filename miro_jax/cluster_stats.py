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


def _hull_areas_and_extents(xy_nm: np.ndarray, labels: np.ndarray, count: int) -> tuple:
    """Convex-hull area and largest pairwise distance of each of the `count` clusters (label
    order)."""
    area, extent = np.zeros(count), np.zeros(count)
    for i, (_, m) in enumerate(cluster.label_groups(labels)):
        pts = xy_nm[m]
        hull = _hull(pts) if len(pts) >= 3 else None
        verts = pts[hull.vertices] if hull is not None else pts
        extent[i] = scipy.spatial.distance.pdist(verts).max() if len(verts) > 1 else 0.0
        area[i] = float(hull.volume) if hull is not None else 0.0
    return area, extent


def cluster_table(
    xy_nm: np.ndarray,
    labels: np.ndarray,
    classes: np.ndarray | None = None,
    class_confidence: np.ndarray | None = None,
    frame: np.ndarray | None = None,
    uncertainty_nm: np.ndarray | None = None,
    shapes: bool = True,
    subclusters: np.ndarray | None = None,
) -> pd.DataFrame:
    """One row per cluster (its id as in the output tables and pictures): count, centroid,
    radius of gyration, hull area and density, max extent, nearest-cluster distance; frames
    spanned and distinct frames (blinking) when frames are known; mean localization uncertainty;
    subclusters (a two-level model's finer labels) each cluster holds (cluster.subcluster_owners).

    max extent = largest distance between two localizations of the cluster; NN distance = distance
    from its centroid to the nearest other cluster centroid (NaN with one cluster). shapes=False
    leaves out hull area, density and max extent (one convex hull per cluster: 12 s for 47k
    clusters) when no table will show them.
    """
    labels = np.asarray(labels)
    clustered = labels > 0
    columns = {"cluster": labels[clustered], "x": xy_nm[clustered, 0], "y": xy_nm[clustered, 1]}
    if frame is not None:
        columns["frame"] = np.asarray(frame)[clustered]
    if uncertainty_nm is not None:
        columns["uncertainty"] = np.asarray(uncertainty_nm)[clustered]
    if classes is not None:
        columns["class"] = cluster.majority_class_per_cluster(labels, classes)[clustered]
        if class_confidence is not None:
            columns["confidence"] = np.asarray(class_confidence)[clustered]
    table = pd.DataFrame(columns)
    groups = table.groupby("cluster", sort=True)
    centre = groups[["x", "y"]].transform("mean").to_numpy()
    table["r2"] = ((table[["x", "y"]].to_numpy() - centre) ** 2).sum(axis=1)
    count = groups.size()
    frame_out = pd.DataFrame(
        {
            "cluster": count.index.astype(int),
            "localizations": count.to_numpy(),
            "centroid_x [nm]": groups["x"].mean().to_numpy(),
            "centroid_y [nm]": groups["y"].mean().to_numpy(),
            "radius_of_gyration [nm]": np.sqrt(groups["r2"].mean().to_numpy()),
        }
    )
    if shapes:
        area, extent = _hull_areas_and_extents(xy_nm, labels, len(count))
        frame_out["hull_area [nm^2]"] = area
        frame_out["density [localizations/um^2]"] = np.where(
            area > 0, count.to_numpy() / np.where(area > 0, area, 1.0) * 1e6, np.nan
        )
        frame_out["max_extent [nm]"] = extent
    if frame is not None:
        spanned = groups["frame"].max() - groups["frame"].min() + 1
        frame_out["frames_spanned"] = spanned.to_numpy().astype(int)
        frame_out["distinct_frames"] = groups["frame"].nunique(dropna=False).to_numpy()
    if uncertainty_nm is not None:
        frame_out["mean_uncertainty [nm]"] = groups["uncertainty"].mean().to_numpy()
    if classes is not None:
        frame_out["class"] = groups["class"].first().to_numpy().astype(int)
        if class_confidence is not None:
            frame_out["class_confidence"] = groups["confidence"].mean().to_numpy()
    if subclusters is not None:
        _, owner = cluster.subcluster_owners(labels, subclusters)
        held = pd.Series(owner[owner > 0]).value_counts()
        frame_out["subclusters"] = held.reindex(frame_out["cluster"], fill_value=0).to_numpy()
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
        **(
            {"median subclusters per cluster": median("subclusters")}
            if "subclusters" in stats
            else {}
        ),
    }


def summary_line(labels: np.ndarray, stats: pd.DataFrame) -> str:
    n = len(stats)
    frac = float((labels > 0).mean()) if len(labels) else 0.0
    median = float(stats["localizations"].median()) if n else 0.0
    return (
        f"{n} clusters, {100 * frac:.1f} % of {len(labels)} localizations clustered, "
        f"median {median:.0f} localizations per cluster"
    )
