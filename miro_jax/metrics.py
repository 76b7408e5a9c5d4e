"""Clustering scores as the MIRO paper reports them (REFERENCE_FACTS.md §6).

Labels everywhere: 0 = not clustered / background, >0 = cluster id. Ground truth is the benchmark's
`index` column. All functions are NumPy/SciPy/scikit-learn, outside `jit`.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import scipy.optimize
import scipy.spatial
import sklearn.metrics

from miro_jax import cluster


def _pairs(n: np.ndarray) -> np.ndarray:
    n = np.asarray(n, dtype=np.float64)
    return n * (n - 1.0) / 2.0


@dataclasses.dataclass(frozen=True)
class Contingency:
    """The non-zero cells of a contingency table (truth × prediction): their row (truth) and
    column (prediction) indices and int64 counts, with the table's row and column sums."""

    rows: np.ndarray
    cols: np.ndarray
    counts: np.ndarray
    row_sums: np.ndarray
    col_sums: np.ndarray


def contingency_table(truth: np.ndarray, pred: np.ndarray) -> Contingency:
    """The contingency table that ARI and ARI† are read from, by one sort of the label pairs: a
    DBSCAN search scores both ~1,000 times, where scikit-learn's contingency_matrix and its
    input checks cost more than the scores (experiments/results/recipe.md §3.35)."""
    truth_ids, truth_index = np.unique(truth, return_inverse=True)
    pred_ids, pred_index = np.unique(pred, return_inverse=True)
    num_pred = max(len(pred_ids), 1)
    cells, counts = np.unique(
        truth_index.astype(np.int64) * num_pred + pred_index, return_counts=True
    )
    rows, cols = cells // num_pred, cells % num_pred
    counts = counts.astype(np.int64)
    return Contingency(
        rows,
        cols,
        counts,
        np.bincount(rows, counts, minlength=len(truth_ids)).astype(np.int64),
        np.bincount(cols, counts, minlength=len(pred_ids)).astype(np.int64),
    )


def ari_of_table(table: Contingency) -> float:
    """Adjusted Rand index from a contingency table, exactly as scikit-learn's
    adjusted_rand_score computes it (its pair confusion matrix in integers, then its formula)."""
    n = int(table.counts.sum())
    sum_squares = int((table.counts**2).sum())
    tp = sum_squares - n
    fp = int((table.counts * table.col_sums[table.cols]).sum()) - sum_squares
    fn = int((table.counts * table.row_sums[table.rows]).sum()) - sum_squares
    tn = n * n - fp - fn - sum_squares
    if fn == 0 and fp == 0:
        return 1.0
    return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))


def ari(truth: np.ndarray, pred: np.ndarray) -> float:
    """Adjusted Rand index over all localizations (background is one class on both sides)."""
    return ari_of_table(contingency_table(truth, pred))


def ami(truth: np.ndarray, pred: np.ndarray) -> float:
    """Adjusted mutual information (scikit-learn, arithmetic normalisation)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(sklearn.metrics.adjusted_mutual_info_score(truth, pred))


def ari_c(truth: np.ndarray, pred: np.ndarray) -> float:
    """ARI restricted to the ground-truth-clustered localizations (predicted 0 stays a label)."""
    keep = truth != 0
    if keep.sum() == 0:
        return 0.0
    return ari(truth[keep], pred[keep])


def ari_dagger(truth: np.ndarray, pred: np.ndarray) -> float:
    """ARI† of Warrens & van der Hoef (2022), as the paper's evaluation computes it.

    With the contingency table n_ij (truth × prediction, background a class like any other),
    N = C(n,2), P = Σ_i C(n_i+,2), Q = Σ_j C(n_+j,2):
      AW_i = (N Σ_j C(n_ij,2) − C(n_i+,2) Q) / (C(n_i+,2)(N − Q)),
      AV_j = (N Σ_i C(n_ij,2) − C(n_+j,2) P) / (C(n_+j,2)(N − P)),
    rows/columns with fewer than two members give 0. ARI† is the harmonic mean of the mean of the
    NON-ZERO AW_i and the mean of the non-zero AV_j: the paper's published evaluation drops exact
    zeros this way (negative values are kept). 0 when that mean is undefined or not positive.
    """
    return ari_dagger_of_table(contingency_table(truth, pred))


def ari_dagger_of_table(table: Contingency) -> float:
    """ARI† (ari_dagger) from a contingency table; pair counts are integers, exact in float64."""
    aw, av = wallace_indices_of_table(table)
    if aw.size == 0 or av.size == 0:
        return 0.0
    a, b = aw.mean(), av.mean()
    return float(2 * a * b / (a + b)) if a + b > 0 else 0.0


def wallace_indices_of_table(table: Contingency) -> tuple[np.ndarray, np.ndarray]:
    """The non-zero AW_i (one per true cluster: how much of it stays together) and AV_j (one per
    predicted cluster: how pure it is) whose means ARI† combines; their means say which side a
    clustering loses ARI† on (merges lower AV, splits lower AW)."""
    big_n = _pairs(table.counts.sum())
    row_pairs, col_pairs = _pairs(table.row_sums), _pairs(table.col_sums)
    p, q = row_pairs.sum(), col_pairs.sum()
    cell_pairs = _pairs(table.counts)
    pairs_per_row = np.bincount(table.rows, cell_pairs, minlength=len(row_pairs))
    pairs_per_col = np.bincount(table.cols, cell_pairs, minlength=len(col_pairs))
    with np.errstate(divide="ignore", invalid="ignore"):
        aw = (big_n * pairs_per_row - row_pairs * q) / (row_pairs * (big_n - q))
        av = (big_n * pairs_per_col - col_pairs * p) / (col_pairs * (big_n - p))
    aw = np.where((row_pairs > 0) & np.isfinite(aw), aw, 0.0)
    av = np.where((col_pairs > 0) & np.isfinite(av), av, 0.0)
    return aw[aw != 0], av[av != 0]


def ari_and_ari_dagger(truth: np.ndarray, pred: np.ndarray) -> tuple[float, float]:
    """(ARI, ARI†) from one contingency table."""
    table = contingency_table(truth, pred)
    return ari_of_table(table), ari_dagger_of_table(table)


def _hull_columns(points: np.ndarray, gx: np.ndarray, gy: np.ndarray) -> np.ndarray:
    """Grid cells inside the convex hull of `points` as runs [column, first row, last row + 1].

    A grid point (gx[i], gy[j]) is inside when it satisfies every facet inequality of the hull
    (boundary included, up to 1e-9 of the coordinate scale); a convex hull meets each grid column
    in one run of rows, so the hull needs one run per column instead of a full raster.
    """
    try:
        hull = scipy.spatial.ConvexHull(points)
    except scipy.spatial.QhullError:  # collinear: a hull of zero area covers no grid point
        return np.zeros((0, 3), np.int64)
    lo, hi = points.min(axis=0), points.max(axis=0)
    ix = np.arange(np.searchsorted(gx, lo[0], "left"), np.searchsorted(gx, hi[0], "right"))
    if ix.size == 0:
        return np.zeros((0, 3), np.int64)
    a, b, c = hull.equations.T  # inside: a·x + b·y + c ≤ 0
    tol = 1e-9 * max(float(np.abs(points).max()), 1.0)
    x = gx[ix][:, None]
    bound = (tol - c - a * x) / np.where(b == 0, 1.0, b)  # [columns, facets]
    upper = np.where(b > 0, bound, np.inf).min(axis=1)
    lower = np.where(b < 0, bound, -np.inf).max(axis=1)
    vertical_ok = np.all(np.where(b == 0, a * x + c <= tol, True), axis=1)
    first = np.searchsorted(gy, lower, "left")
    last = np.searchsorted(gy, upper, "right")
    keep = vertical_ok & (last > first)
    return np.stack([ix[keep], first[keep], last[keep]], axis=1)


def _coverage_lengths(a_runs: np.ndarray, b_runs: np.ndarray, dim: int) -> tuple[int, int, int]:
    """(cells covered by a, by a and b, by a or b) from two sets of runs, by a sweep over run
    boundaries (columns laid end to end, one spare row between columns)."""
    events, weights = [], []
    for bit, runs in ((1, a_runs), (2, b_runs)):
        s = runs[:, 0] * (dim + 1) + runs[:, 1]
        e = runs[:, 0] * (dim + 1) + runs[:, 2]
        events += [s, e]
        weights += [np.full(len(s), bit), np.full(len(e), -bit)]
    pos = np.concatenate(events)
    if pos.size == 0:
        return 0, 0, 0
    w = np.concatenate(weights)
    order = np.argsort(pos, kind="stable")
    pos, w = pos[order], w[order]
    count_a = np.cumsum(np.where(np.abs(w) == 1, w, 0))
    count_b = np.cumsum(np.where(np.abs(w) == 2, w // 2, 0))
    length = np.diff(pos)
    in_a, in_b = count_a[:-1] > 0, count_b[:-1] > 0
    return (int(length[in_a].sum()), int(length[in_a & in_b].sum()), int(length[in_a | in_b].sum()))


def iou(xy: np.ndarray, truth: np.ndarray, pred: np.ndarray) -> float:
    """Benchmark IoU: union of convex hulls of truth clusters vs of predicted clusters (≥3 points).

    Hulls are rasterised on a grid of m × m points spanning the data's bounding box with
    m = ceil(max(x, y)/100)·100 + 400 (Nieves et al.). Hulls use the original coordinates.
    0 if nothing is predicted. Each hull is stored as one run of rows per grid column, so time
    and memory grow with the clusters' widths, not with m².
    """
    xy = np.asarray(xy, np.float64)
    dim = int(np.ceil(xy.max() / 100.0) * 100 + 400)
    gx = np.linspace(xy[:, 0].min(), xy[:, 0].max(), dim)
    gy = np.linspace(xy[:, 1].min(), xy[:, 1].max(), dim)
    runs = []
    for labels in (truth, pred):
        parts = [
            _hull_columns(xy[idx], gx, gy)
            for _, idx in cluster.label_groups(labels)
            if len(idx) >= 3
        ]
        runs.append(np.concatenate(parts) if parts else np.zeros((0, 3), np.int64))
    predicted, intersection, union = _coverage_lengths(runs[1], runs[0], dim)
    if predicted == 0 or union == 0:
        return 0.0
    return float(intersection / union)


def _cluster_summary(xy: np.ndarray, labels: np.ndarray):
    """Centroids [C, 2], bounding-box extents [C, 2] and sizes [C] of the clusters (label > 0)."""
    groups = cluster.label_groups(labels)
    if not groups:
        return np.zeros((0, 2)), np.zeros((0, 2)), np.zeros(0, np.int64)
    order = np.concatenate([idx for _, idx in groups])
    counts = np.array([len(idx) for _, idx in groups])
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    pts = xy[order]
    centroids = np.add.reduceat(pts, starts, axis=0) / counts[:, None]
    extents = np.maximum.reduceat(pts, starts, axis=0) - np.minimum.reduceat(pts, starts, axis=0)
    return centroids, extents, counts


def pair_clusters(xy: np.ndarray, truth: np.ndarray, pred: np.ndarray) -> dict:
    """Hungarian pairing of truth and predicted clusters -> JI_c, RMSRE_N, RMSE_xy.

    Cost = 0.9·(centroid distance, 1e9 where it exceeds ξ = half the mean bbox extent of the truth
    cluster) + 0.1·(cityblock distance between bbox extents). A pair is a true positive when its
    centroid distance is below the largest ξ. JI_c = TP/(TP+FP+FN) (1 when neither side has a
    cluster); RMSRE_N = sqrt(mean(((N̂−N)/N)²)); RMSE_xy = sqrt(mean(d²)) (true RMS, nm);
    RMSE_xy_paper = sqrt(mean(d)), what the paper's published tables computed (units √nm).
    """
    xy = np.asarray(xy, np.float64)
    tc, te, tn = _cluster_summary(xy, truth)
    pc, pe, pn = _cluster_summary(xy, pred)
    tp_dist, tp_rel = np.zeros(0), np.zeros(0)
    if len(tc) and len(pc):
        dist = scipy.spatial.distance.cdist(tc, pc)
        xi = te.mean(axis=1) / 2.0
        dist = np.where(dist > xi[:, None], 1e9, dist)
        cost = 0.9 * dist + 0.1 * scipy.spatial.distance.cdist(te, pe, "cityblock")
        rows, cols = scipy.optimize.linear_sum_assignment(cost)
        good = dist[rows, cols] < xi.max()
        rows, cols = rows[good], cols[good]
        tp_dist = dist[rows, cols]
        tp_rel = (pn[cols] - tn[rows]) / tn[rows]
    tp = len(tp_dist)
    fp, fn = len(pc) - tp, len(tc) - tp
    return {
        "JI_c": float(tp / (tp + fp + fn)) if tp + fp + fn else 1.0,
        "RMSRE_N": float(np.sqrt(np.mean(tp_rel**2))) if tp else 0.0,
        "RMSE_xy": float(np.sqrt(np.mean(tp_dist**2))) if tp else 0.0,
        "RMSE_xy_paper": float(np.sqrt(np.mean(tp_dist))) if tp else 0.0,
        "TP": tp,
        "FP": fp,
        "FN": fn,
    }


def clustering_scores(
    xy: np.ndarray,
    truth: np.ndarray,
    pred: np.ndarray,
    with_iou: bool = True,
    with_ami: bool = True,
) -> dict:
    """All of the paper's scores for one FOV (xy in nm for IoU and RMSE). AMI's expected mutual
    information grows with clusters² (a minute for 10,000 clusters): with_ami=False skips it."""
    truth, pred = np.asarray(truth), np.asarray(pred)
    ari_all, ari_dagger_all = ari_and_ari_dagger(truth, pred)
    scores = {"ARI": ari_all, "ARI_c": ari_c(truth, pred), "ARI_dagger": ari_dagger_all}
    if with_ami:
        scores["AMI"] = ami(truth, pred)
    if with_iou:
        scores["IoU"] = iou(xy, truth, pred)
    scores.update(pair_clusters(xy, truth, pred))
    return scores


def cluster_outcomes(
    xy: np.ndarray, truth: np.ndarray, pred: np.ndarray, share: float = 0.2
) -> tuple[np.ndarray, np.ndarray]:
    """Per true cluster (label order): the distance from its centroid to the nearest other true
    centroid (inf when alone) and how the prediction found it: 'whole', 'split' (≥ 2 predicted
    clusters each hold ≥ `share` of it), 'merged' (another true cluster makes up ≥ `share` of
    its one predicted cluster) or 'missed' (no predicted cluster holds `share` of it). Says whether
    a JI_c shortfall comes from neighbours or from the shapes themselves."""
    truth, pred = np.asarray(truth), np.asarray(pred)
    t_ids, t_idx = np.unique(truth, return_inverse=True)
    p_ids, p_idx = np.unique(pred, return_inverse=True)
    counts = np.zeros((len(t_ids), len(p_ids)), np.int64)
    np.add.at(counts, (t_idx, p_idx), 1)
    counts = counts[t_ids > 0]
    sizes = counts.sum(axis=1, keepdims=True)  # noise included: a cluster left as noise is missed
    counts = counts[:, p_ids > 0]  # true clusters × predicted clusters
    parts = (counts > 0) & (counts >= share * sizes)
    owners = (counts > 0) & (counts >= share * counts.sum(axis=0, keepdims=True))
    n_parts = parts.sum(axis=1)
    merged = (parts & (owners.sum(axis=0) > 1)).any(axis=1)
    outcome = np.where(
        n_parts == 0, "missed", np.where(n_parts > 1, "split", np.where(merged, "merged", "whole"))
    )
    centroids, _, _ = _cluster_summary(np.asarray(xy, np.float64), truth)
    nearest = np.full(len(centroids), np.inf)
    if len(centroids) > 1:
        dist = scipy.spatial.distance.cdist(centroids, centroids)
        np.fill_diagonal(dist, np.inf)
        nearest = dist.min(axis=1)
    return nearest, outcome


def compression_index(original: np.ndarray, squeezed: np.ndarray, truth: np.ndarray) -> float:
    """1 − mean over truth clusters of (radius of gyration after / before squeezing).

    Our definition (the paper's Eq. 8 is not in our reference material): 0 = no compression, 1 =
    every cluster collapsed to a point; negative when clusters spread.
    """
    ratios = []
    for _, m in cluster.label_groups(truth):
        before = cluster.radius_of_gyration(original[m])
        after = cluster.radius_of_gyration(squeezed[m])
        if before > 0:
            ratios.append(after / before)
    return float(1.0 - np.mean(ratios)) if ratios else 0.0


def dirichlet_energy(features: np.ndarray, senders: np.ndarray, receivers: np.ndarray) -> float:
    """(1/N) Σ_(i,j)∈E ‖x_i/√(1+d_i) − x_j/√(1+d_j)‖² (Rusch et al. 2023), the oversmoothing measure.

    Decays to 0 as node features become indistinguishable (paper Eq. 9 measures the same).
    """
    n = features.shape[0]
    degree = np.bincount(receivers, minlength=n).astype(np.float64)
    scaled = features / np.sqrt(1.0 + degree)[:, None]
    diff = scaled[senders] - scaled[receivers]
    return float(np.sum(diff * diff) / n)


def cluster_classes(
    truth: np.ndarray, true_classes: np.ndarray, predicted_classes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per ground-truth cluster: its true class and the class most of its localizations were
    predicted (both the mode over the cluster), the pairs cluster-level F1 is scored on."""
    clusters = np.unique(truth[truth > 0])
    true_c = [int(np.bincount(true_classes[truth == c]).argmax()) for c in clusters]
    pred_c = [int(np.bincount(predicted_classes[truth == c]).argmax()) for c in clusters]
    return np.array(true_c, dtype=int), np.array(pred_c, dtype=int)


def classification_scores(
    truth: np.ndarray, pred: np.ndarray, num_classes: int, f1_classes=None
) -> dict:
    """Macro F1 (averaged over `f1_classes`, default all) and the confusion matrix (rows truth,
    columns prediction, all classes). Per-cluster scores average over the shape classes only:
    a class no true cluster has (background) would add an F1 of 0."""
    labels = np.arange(num_classes)
    averaged = labels if f1_classes is None else np.asarray(f1_classes)
    return {
        "macro_F1": float(
            sklearn.metrics.f1_score(truth, pred, labels=averaged, average="macro", zero_division=0)
        ),
        "confusion": sklearn.metrics.confusion_matrix(truth, pred, labels=labels),
    }
