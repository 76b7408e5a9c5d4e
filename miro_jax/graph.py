"""Localizations -> `jraph.GraphsTuple`: Delaunay edges shorter than δ, edge and Laplacian features.

This follows the authors' pipeline (REFERENCE_FACTS.md §2) so that their weights apply:
edges are Delaunay edges with length < δ (strict) in both directions, sorted by (sender, receiver);
edge features are (dx, dy, d)/δ with (dx, dy) = x_sender − x_receiver; node features are the
absolute values of the eigenvectors of the symmetric normalised Laplacian belonging to its
`num_features` smallest non-trivial eigenvalues.
"""

from __future__ import annotations

import dataclasses
import math

import jraph
import numpy as np
import scipy.linalg
import scipy.sparse
import scipy.sparse.csgraph
import scipy.sparse.linalg
import scipy.spatial

DENSE_EIGH_MAX_NODES = 100  # below this the authors use a dense eigendecomposition
DENSE_FALLBACK_MAX_NODES = 6000  # if ARPACK does not converge, dense eigh up to this size
NULL_LIFT = 10.0  # null modes are moved to this eigenvalue (L's spectrum lies in [0, 2])
SHIFT = -1e-3  # shift-invert target just below 0: the smallest non-null modes converge first


class GraphInputError(ValueError):
    """Coordinates that cannot be turned into a MIRO graph; the message names the problem."""


class TooFewPointsError(GraphInputError):
    pass


class NonFiniteCoordinatesError(GraphInputError):
    pass


class DuplicatePointsError(GraphInputError):
    pass


class CollinearPointsError(GraphInputError):
    pass


def normalize_fov(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-axis min-max scaling to [0, 1], as the authors scale every benchmark FOV.

    Returns (scaled [N, 2], minimum [2], extent [2]); nm = scaled * extent + minimum.
    """
    xy = np.asarray(xy, dtype=np.float64)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    extent = hi - lo
    if np.any(extent <= 0):
        raise CollinearPointsError(
            "all points share one x or one y value: the FOV cannot be scaled to unit size"
        )
    return (xy - lo) / extent, lo, extent


def check_coordinates(xy: np.ndarray, min_points: int, duplicates: str = "error") -> np.ndarray:
    """Validates an [N, 2] coordinate array and applies the duplicate policy.

    Args:
      xy: coordinates [N, 2].
      min_points: fewest points the caller can work with.
      duplicates: 'error' (default) raises naming the count; 'jitter' moves each repeated point by
        1e-9 of the FOV extent (a deterministic offset, so every localization keeps its row);
        'keep' keeps them as the authors' pipeline does (Qhull ignores them, so they get no edges).
    Returns:
      float64 coordinates [N, 2] (same row order; never drops rows).
    """
    xy = np.asarray(xy, dtype=np.float64)
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise GraphInputError(f"coordinates must have shape [N, 2], got {xy.shape}")
    n = xy.shape[0]
    if n < min_points:
        raise TooFewPointsError(f"need at least {min_points} points to build a MIRO graph, got {n}")
    bad = ~np.isfinite(xy).all(axis=1)
    if bad.any():
        raise NonFiniteCoordinatesError(
            f"{int(bad.sum())} of {n} points have NaN or infinite coordinates "
            f"(first at row {int(np.flatnonzero(bad)[0])})"
        )
    _, first, counts = np.unique(xy, axis=0, return_index=True, return_counts=True)
    num_duplicates = int(n - first.size)
    if num_duplicates:
        if duplicates == "error":
            raise DuplicatePointsError(
                f"{num_duplicates} of {n} points repeat an earlier point exactly; pass "
                "--duplicates jitter (Python: duplicates='jitter') to offset them by 1e-9 of the "
                "field, or --duplicates keep to leave them unconnected"
            )
        if duplicates == "jitter":
            xy = _jitter_duplicates(xy)
        elif duplicates != "keep":
            raise ValueError(f"unknown duplicates policy {duplicates!r}")
    centred = xy - xy.mean(axis=0)
    singular_values = np.linalg.svd(centred, compute_uv=False)
    if singular_values[-1] <= 1e-12 * max(singular_values[0], 1e-300):
        raise CollinearPointsError(f"all {n} points lie on one line: no triangulation exists")
    return xy


def _jitter_duplicates(xy: np.ndarray) -> np.ndarray:
    """Offsets the k-th repeat of a point by k·1e-9·extent along a fixed direction."""
    xy = xy.copy()
    scale = 1e-9 * max(float(np.ptp(xy, axis=0).max()), 1e-12)
    order = np.lexsort((xy[:, 1], xy[:, 0]))
    sorted_xy = xy[order]
    same = np.all(sorted_xy[1:] == sorted_xy[:-1], axis=1)
    repeat_rank = np.zeros(len(xy))
    for i in np.flatnonzero(same):  # runs are short; rank = previous rank + 1
        repeat_rank[i + 1] = repeat_rank[i] + 1
    xy[order] += repeat_rank[:, None] * scale * np.array([1.0, 0.7071])
    return xy


def delaunay_edges(xy: np.ndarray, connectivity_radius: float) -> np.ndarray:
    """Directed edges [2, E] (row 0 sender, row 1 receiver) of Delaunay edges shorter than δ.

    Both directions are present; sorted lexicographically by (sender, receiver), as np.unique
    leaves them in the authors' pipeline. Points that Qhull leaves out (exact repeats) get none.
    """
    try:
        tri = scipy.spatial.Delaunay(xy)
    except scipy.spatial.QhullError as err:  # degenerate input that passed the checks
        raise CollinearPointsError(f"Delaunay triangulation failed: {err}") from err
    indptr, neighbours = tri.vertex_neighbor_vertices
    senders = np.repeat(np.arange(len(xy)), np.diff(indptr))
    short = np.linalg.norm(xy[senders] - xy[neighbours], axis=1) < connectivity_radius
    senders, receivers = senders[short], neighbours[short]
    order = np.lexsort((receivers, senders))
    return np.stack([senders[order], receivers[order]]).astype(np.int64)


def spatial_order(xy: np.ndarray) -> np.ndarray:
    """Permutation that sorts points along a Z-order (Morton) curve: neighbours in space become
    neighbours in memory, which makes the model's gathers and sums on large graphs cache-friendly."""
    lo = xy.min(axis=0)
    span = max(float(np.ptp(xy, axis=0).max()), 1e-300)
    q = np.floor((xy - lo) / span * 65535).astype(np.uint64)

    def spread(v):
        for shift, mask in (
            (16, 0x0000FFFF0000FFFF),
            (8, 0x00FF00FF00FF00FF),
            (4, 0x0F0F0F0F0F0F0F0F),
            (2, 0x3333333333333333),
            (1, 0x5555555555555555),
        ):
            v = (v | (v << np.uint64(shift))) & np.uint64(mask)
        return v

    return np.argsort(spread(q[:, 0]) | (spread(q[:, 1]) << np.uint64(1)), kind="stable")


def edge_features(xy: np.ndarray, edges: np.ndarray, connectivity_radius: float) -> np.ndarray:
    """(dx, dy, distance)/δ per edge, (dx, dy) = x_sender − x_receiver; float32 [E, 3]."""
    delta = xy[edges[0]] - xy[edges[1]]
    dist = np.linalg.norm(delta, axis=1, keepdims=True)
    return (np.concatenate([delta, dist], axis=1) / connectivity_radius).astype(np.float32)


def _adjacency(edges: np.ndarray, num_nodes: int) -> scipy.sparse.csr_matrix:
    """Unit-weight adjacency A (repeated edges summed), CSR with sorted indices."""
    return scipy.sparse.csr_matrix(
        (np.ones(edges.shape[1]), (edges[0], edges[1])), shape=(num_nodes, num_nodes)
    )


def _degree(adjacency: scipy.sparse.csr_matrix) -> np.ndarray:
    """Row sums of A (the node degrees)."""
    return np.asarray(adjacency.sum(axis=1)).ravel()


def _laplacian_of(
    adjacency: scipy.sparse.csr_matrix, degree: np.ndarray
) -> scipy.sparse.csr_matrix:
    """I − D^-1/2 A D^-1/2 from A's arrays directly (the diagonal joined to each row's entries):
    per small tile the generic sparse products cost more than the eigen-solve."""
    n = adjacency.shape[0]
    rows = np.repeat(np.arange(n), np.diff(adjacency.indptr))
    inv_sqrt = np.zeros(n)
    inv_sqrt[degree > 0] = degree[degree > 0] ** -0.5
    off = -(inv_sqrt[rows] * adjacency.data * inv_sqrt[adjacency.indices])
    coo = scipy.sparse.coo_matrix(
        (
            np.concatenate([off, np.ones(n)]),
            (
                np.concatenate([rows, np.arange(n)]),
                np.concatenate([adjacency.indices, np.arange(n)]),
            ),
        ),
        shape=(n, n),
    )
    return coo.tocsr()


def normalized_laplacian(edges: np.ndarray, num_nodes: int) -> scipy.sparse.csr_matrix:
    """L = I − D^-1/2 A D^-1/2 with unit weights; isolated nodes keep L_ii = 1 (PyG's convention)."""
    adjacency = _adjacency(edges, num_nodes)
    return _laplacian_of(adjacency, _degree(adjacency))


def laplacian_features(edges: np.ndarray, num_nodes: int, num_features: int = 5) -> np.ndarray:
    """|eigenvectors| of the `num_features` smallest non-trivial eigenvalues of L; float32 [N, k].

    On a connected graph these are the lowest-frequency vibration modes of the whole FOV graph
    (as the authors compute them). δ usually cuts the graph into components; then the eigenvalue 0
    has one eigenvector per component (√degree on that component, 0 elsewhere) and any basis of that
    space is equally valid. We fix it deterministically: the null modes are taken per component,
    ordered by component size (largest first, ties by first node), the first one is the dropped
    "trivial" mode, and the next ones mark the 2nd, 3rd… largest components; remaining columns are
    the smallest non-zero modes. Isolated nodes (no edge) are in no null mode (their L_ii = 1).
    """
    k = num_features + 1
    if num_nodes < k:
        raise TooFewPointsError(
            f"{num_features} Laplacian features need at least {k} points, got {num_nodes}"
        )
    adjacency = _adjacency(edges, num_nodes)
    degree = _degree(adjacency)
    lap = _laplacian_of(adjacency, degree)
    num_comp, comp = scipy.sparse.csgraph.connected_components(adjacency, directed=False)
    sizes = np.bincount(comp, minlength=num_comp)
    nontrivial = np.flatnonzero(sizes >= 2)  # components that carry a null mode
    first_node = np.full(num_comp, num_nodes)
    np.minimum.at(first_node, comp, np.arange(num_nodes))
    nontrivial = nontrivial[np.lexsort((first_node[nontrivial], -sizes[nontrivial]))]
    null_modes = []
    for c in nontrivial[:k]:
        v = np.where(comp == c, np.sqrt(degree), 0.0)
        null_modes.append(v / np.linalg.norm(v))
    null_modes = np.stack(null_modes, axis=1) if null_modes else np.zeros((num_nodes, 0))
    num_other = k - null_modes.shape[1]
    if num_other > 0:
        other = _smallest_nonnull_modes(lap, null_modes, num_other)
        modes = np.concatenate([null_modes, other], axis=1)
    else:
        modes = null_modes
    return np.abs(modes[:, 1:k]).astype(np.float32)


def _shift_inverse(lap, null_modes: np.ndarray) -> scipy.sparse.linalg.LinearOperator:
    """x ↦ (L + λ·NNᵀ − σI)⁻¹ x for shift-invert ARPACK (the smallest modes in ≈10 iterations
    instead of ≈250). The null modes N are exact eigenvectors of L (eigenvalue 0), so the lifted
    inverse splits exactly: (L − σI)⁻¹ on N's complement, 1/(λ − σ) on N; one sparse LU."""
    n = lap.shape[0]
    solve = scipy.sparse.linalg.factorized(
        (lap - SHIFT * scipy.sparse.identity(n, format="csc")).tocsc()
    )

    def matvec(x):
        x = np.ravel(x)
        on_null = null_modes @ (null_modes.T @ x)
        return solve(x - on_null) + on_null / (NULL_LIFT - SHIFT)

    return scipy.sparse.linalg.LinearOperator((n, n), matvec=matvec, dtype=np.float64)


def _smallest_nonnull_modes(lap, null_modes: np.ndarray, count: int) -> np.ndarray:
    """Eigenvectors of the `count` smallest eigenvalues of L restricted to the null space's complement."""
    n = lap.shape[0]
    num_null = null_modes.shape[1]
    if n < DENSE_EIGH_MAX_NODES or n <= num_null + count + 1:
        dense = lap.toarray()
        if num_null:  # lift the null space far above the spectrum (max eigenvalue of L is ≤ 2)
            dense = dense + NULL_LIFT * null_modes @ null_modes.T
        _, vectors = scipy.linalg.eigh(dense, subset_by_index=[0, count - 1])
        return vectors
    v0 = np.random.default_rng(0).uniform(0.5, 1.5, n)  # fixed start vector → deterministic
    try:
        _, vectors = scipy.sparse.linalg.eigsh(
            lap,  # only its shape is used: shift-invert iterates with OPinv alone
            k=count,
            sigma=SHIFT,
            which="LM",
            OPinv=_shift_inverse(lap, null_modes),
            v0=v0,
            tol=1e-10,
            maxiter=max(20 * n, 10000),
        )
        return vectors
    except scipy.sparse.linalg.ArpackNoConvergence:
        pass  # rare on some graphs; fall back below rather than fail a long run
    if n <= DENSE_FALLBACK_MAX_NODES:
        dense = lap.toarray()
        if num_null:
            dense = dense + NULL_LIFT * null_modes @ null_modes.T
        return scipy.linalg.eigh(dense, subset_by_index=[0, count - 1])[1]
    lifted = lap
    if num_null:  # L + λ·NNᵀ: the null space lifted above the modes sought
        lifted = scipy.sparse.linalg.LinearOperator(
            (n, n),
            matvec=lambda x: lap @ x + NULL_LIFT * null_modes @ (null_modes.T @ x),
            dtype=np.float64,
        )
    try:
        _, vectors = scipy.sparse.linalg.eigsh(
            lifted,
            k=count,
            which="SA",
            v0=v0,
            tol=1e-7,
            ncv=min(n - 1, 4 * count + 40),
            maxiter=max(100 * n, 100000),
        )
    except scipy.sparse.linalg.ArpackNoConvergence as err:
        raise GraphInputError(
            f"Laplacian eigenvectors did not converge on this {n}-node graph; process it in tiles "
            "(--tile-size-nm) so each graph is smaller"
        ) from err
    return vectors


@dataclasses.dataclass(frozen=True)
class PointGraph:
    """A graph in host memory before padding; all arrays NumPy."""

    positions: np.ndarray  # [N, 2] model coordinates
    node_features: np.ndarray  # [N, k]
    edges: np.ndarray  # [2, E] sender, receiver
    edge_features: np.ndarray  # [E, 3]
    connectivity_radius: float

    @property
    def num_nodes(self) -> int:
        return self.positions.shape[0]

    @property
    def num_edges(self) -> int:
        return self.edges.shape[1]


def build_point_graph(
    xy: np.ndarray,
    connectivity_radius: float,
    num_features: int = 5,
    duplicates: str = "error",
) -> PointGraph:
    """Coordinates (already in model units, δ in the same units) -> PointGraph."""
    xy = check_coordinates(xy, min_points=max(num_features + 1, 3), duplicates=duplicates)
    edges = delaunay_edges(xy, connectivity_radius)
    return PointGraph(
        positions=xy.astype(np.float32),
        node_features=laplacian_features(edges, xy.shape[0], num_features),
        edges=edges,
        edge_features=edge_features(xy, edges, connectivity_radius),
        connectivity_radius=float(connectivity_radius),
    )


def to_graphs_tuple(graph: PointGraph, **node_arrays: np.ndarray) -> jraph.GraphsTuple:
    """PointGraph (+ extra per-node arrays such as targets) -> single-graph `jraph.GraphsTuple`."""
    nodes = {"features": graph.node_features, "position": graph.positions}
    nodes.update({k: np.asarray(v) for k, v in node_arrays.items()})
    return jraph.GraphsTuple(
        nodes=nodes,
        edges={"features": graph.edge_features},
        senders=graph.edges[0].astype(np.int32),
        receivers=graph.edges[1].astype(np.int32),
        n_node=np.array([graph.num_nodes], dtype=np.int32),
        n_edge=np.array([graph.num_edges], dtype=np.int32),
        globals=None,
    )


def build_graph(
    xy: np.ndarray, connectivity_radius: float, num_features: int = 5, duplicates: str = "error"
) -> jraph.GraphsTuple:
    """Coordinates [N, 2] and δ (same units) -> `jraph.GraphsTuple` with node/edge features."""
    return to_graphs_tuple(build_point_graph(xy, connectivity_radius, num_features, duplicates))


def bucket(size: int, ratio: float, minimum: int = 64) -> int:
    """Smallest budget ≥ size on the geometric grid minimum·ratio^j (rounded up to ×8)."""
    if size <= minimum:
        return minimum
    j = math.ceil(math.log(size / minimum) / math.log(ratio) - 1e-9)
    return int(math.ceil(minimum * ratio**j / 8.0) * 8)


def pad_batch(
    graphs: list[jraph.GraphsTuple], ratio: float, edges_per_node: float = 6.0
) -> jraph.GraphsTuple:
    """Batches graphs and pads with one padding graph to bucketed node/edge budgets.

    The edge budget is at least `edges_per_node` × the node budget (Delaunay graphs have ≈ 6
    directed edges per node), so it follows from the node budget and each node bucket compiles
    once instead of once per (node, edge) bucket pair.
    """
    return pad_to_budget(graphs, *padding_budget(graphs, ratio, edges_per_node))


def padding_budget(
    graphs: list[jraph.GraphsTuple], ratio: float, edges_per_node: float = 6.0
) -> tuple[int, int]:
    """(node budget, edge budget) for a batch of graphs plus one padding graph."""
    n_node = bucket(sum(int(g.n_node.sum()) for g in graphs) + 1, ratio)
    n_edge = sum(int(g.n_edge.sum()) for g in graphs)
    return n_node, max(
        bucket(max(n_edge, 1), ratio), int(math.ceil(edges_per_node * n_node / 8) * 8)
    )


def pad_to_budget(graphs: list[jraph.GraphsTuple], n_node: int, n_edge: int) -> jraph.GraphsTuple:
    """Batches graphs (NumPy: jraph.batch would compile per shape), pads, marks real edges."""
    batch = jraph.batch_np(graphs)
    padded = jraph.pad_with_graphs(batch, n_node=n_node, n_edge=n_edge, n_graph=len(graphs) + 1)
    return mark_real_edges(padded, int(batch.n_edge.sum()))


def mark_real_edges(padded: jraph.GraphsTuple, num_real_edges: int) -> jraph.GraphsTuple:
    """Adds edges['mask'] (1 real, 0 padding): the model zeroes padding messages, which jraph
    sends all into one padding node whose state would otherwise blow up over K steps (and its
    inf/NaN would leak into gradients even where the loss masks it)."""
    mask = np.zeros(padded.senders.shape[0], np.float32)
    mask[:num_real_edges] = 1.0
    return padded._replace(edges={**padded.edges, "mask": mask})
