"""Squeeze localizations with MIRO's displacements, then cluster with scikit-learn's DBSCAN."""

from __future__ import annotations

import numpy as np
import scipy.sparse
import scipy.sparse.csgraph
import sklearn.cluster
import sklearn.neighbors


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


def _neighbour_jobs(num_points: int) -> int | None:
    """scikit-learn's n_jobs for a neighbour search on `num_points` points."""
    return -1 if num_points >= PARALLEL_MIN_POINTS else None


def dbscan_labels(xy: np.ndarray, eps: float, min_samples: int) -> np.ndarray:
    """DBSCAN in the units of `xy`; returns labels 0 = not clustered, 1..n = clusters."""
    if len(xy) == 0:
        return np.zeros(0, dtype=np.int64)
    labels = sklearn.cluster.DBSCAN(
        eps=eps, min_samples=int(min_samples), n_jobs=_neighbour_jobs(len(xy))
    ).fit_predict(xy)
    return (labels + 1).astype(np.int64)


def dbscan_labels_per_min_samples(
    xy: np.ndarray, eps: float, min_samples_values
) -> list[np.ndarray]:
    """dbscan_labels(xy, eps, m) for each m, exactly, from one radius-neighbour search: a DBSCAN
    parameter search scans many minPts per eps, and the neighbour search is most of a DBSCAN call
    (dbscan_labels stays scikit-learn's own, fastest for one call on 10^6 points). As there: core
    points (≥ m neighbours within eps, self included) joined into connected components numbered
    in order of their first core point; a border point takes the first such component among its
    core neighbours; 0 = not clustered."""
    n = len(xy)
    if n == 0:
        return [np.zeros(0, dtype=np.int64) for _ in min_samples_values]
    graph = (
        sklearn.neighbors.NearestNeighbors(radius=eps, n_jobs=_neighbour_jobs(n))
        .fit(xy)
        .radius_neighbors_graph(xy, mode="connectivity")
    )
    counts = np.diff(graph.indptr)
    rows, cols = np.repeat(np.arange(n), counts), graph.indices
    forest = _core_forest(counts, rows, cols)
    # entries ordered by their row's count: the rows below any m (non-core) are a prefix
    row_counts = counts[rows]
    order = np.argsort(row_counts, kind="stable")
    entries = (rows[order], cols[order], row_counts[order])
    return [_dbscan_labels(counts, forest, entries, int(m)) for m in min_samples_values]


def _core_forest(counts: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> tuple:
    """(rows, cols, weight) of a maximum spanning forest of the radius graph under edge weight
    min(count_i, count_j): for every m, the core points' components (count ≥ m) are those of
    the forest's edges of weight ≥ m, so one forest serves every minPts."""
    n, top = len(counts), int(counts.max()) + 1
    upper = rows < cols
    weight = np.minimum(counts[rows[upper]], counts[cols[upper]])
    inverted = scipy.sparse.csr_matrix(
        ((top - weight).astype(np.float64), (rows[upper], cols[upper])), shape=(n, n)
    )
    tree = scipy.sparse.csgraph.minimum_spanning_tree(inverted).tocoo()
    return tree.row, tree.col, top - tree.data.astype(np.int64)


def _dbscan_labels(counts: np.ndarray, forest: tuple, entries: tuple, min_samples: int):
    """DBSCAN labels (0 = not clustered) at one minPts from _core_forest and the count-ordered
    radius-graph entries."""
    n = len(counts)
    labels = np.zeros(n, dtype=np.int64)
    core = counts >= min_samples
    core_index = np.flatnonzero(core)
    if len(core_index) == 0:
        return labels
    f_rows, f_cols, f_weight = forest
    edge = f_weight >= min_samples
    core_graph = scipy.sparse.csr_matrix(
        (np.ones(int(edge.sum()), np.int8), (f_rows[edge], f_cols[edge])), shape=(n, n)
    )
    component = scipy.sparse.csgraph.connected_components(core_graph, directed=False)[1][core_index]
    # components numbered in order of their first core point, as scikit-learn's expansion does
    found, first = np.unique(component, return_index=True)
    rank = np.zeros(int(component.max()) + 1, dtype=np.int64)
    rank[found[np.argsort(first)]] = np.arange(1, len(found) + 1)
    labels[core_index] = rank[component]
    e_rows, e_cols, e_counts = entries
    below = np.searchsorted(e_counts, min_samples)  # the entries of non-core rows
    border_rows, neighbours = e_rows[:below], e_cols[:below]
    to_core = core[neighbours]
    if to_core.any():
        # a border point joins the first-numbered component among its core neighbours
        claim = np.full(n, len(found) + 1, dtype=np.int64)
        np.minimum.at(claim, border_rows[to_core], labels[neighbours[to_core]])
        reached = claim <= len(found)
        labels[reached] = claim[reached]
    return labels


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


def subcluster_owners(labels: np.ndarray, subclusters: np.ndarray) -> tuple:
    """(each subcluster id > 0, the cluster holding most of its localizations: 0 where most lie
    in no cluster; ties go to the smaller label) — how a two-level result nests."""
    labels, subclusters = np.asarray(labels), np.asarray(subclusters)
    m = subclusters > 0
    pairs, counts = np.unique(
        np.stack([subclusters[m], labels[m]], axis=1), axis=0, return_counts=True
    )
    pairs = pairs[np.lexsort((pairs[:, 1], -counts, pairs[:, 0]))]
    first = np.r_[True, pairs[1:, 0] != pairs[:-1, 0]] if len(pairs) else np.zeros(0, bool)
    return pairs[first, 0], pairs[first, 1]


def radius_of_gyration(xy: np.ndarray) -> float:
    """√(mean squared distance to the points' centroid): a cluster's size, in the units of xy."""
    return float(np.sqrt(np.mean(np.sum((xy - xy.mean(axis=0)) ** 2, axis=1))))
