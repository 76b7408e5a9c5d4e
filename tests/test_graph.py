"""Graph construction: the authors' edges and features, determinism, components, input errors."""

import numpy as np
import pytest
from conftest import REFERENCE, SCENARIO_SETS, needs_reference

from miro_jax import graph


@needs_reference
@pytest.mark.parametrize("scenario", SCENARIO_SETS)
def test_edges_and_features_match_authors(scenario):
    ref = np.load(REFERENCE / f"parity_{scenario}.npz")
    pos = ref["positions"].astype(np.float64)
    r = float(ref["connectivity_radius"])
    edges = graph.delaunay_edges(pos, r)
    np.testing.assert_array_equal(edges, ref["edge_index"])
    np.testing.assert_allclose(graph.edge_features(pos, edges, r), ref["edge_features"], atol=2e-6)
    features = graph.laplacian_features(edges, len(pos))
    err = np.abs(features - ref["node_features"]).max()
    # connected FOVs: unique eigenvectors; 3 sets have 2 components, where column 1 is arbitrary
    # in the authors' pipeline (REFERENCE_FACTS §2) and only columns 2.. must agree
    components = graph.scipy.sparse.csgraph.connected_components(
        graph.normalized_laplacian(edges, len(pos)) != 0
    )[0]
    if err > 1e-4:
        assert scenario in ("scenario_4_blinking", "scenario_8_blinking", "scenario_10_blinking")
        assert components > 1
        assert np.abs(features[:, 1:] - ref["node_features"][:, 1:]).max() < 1e-3
    else:
        assert err < 1e-4


def _grid(n=10, spacing=1.0, offset=(0.0, 0.0)):
    g = np.stack(np.meshgrid(np.arange(n), np.arange(n)), -1).reshape(-1, 2) * spacing
    rng = np.random.default_rng(1)
    return g + np.asarray(offset) + rng.uniform(-0.1, 0.1, g.shape)


def test_edge_features_definition():
    xy = np.array([[0.0, 0.0], [0.3, 0.4], [1.0, 0.0], [0.5, 2.0]])
    edges = graph.delaunay_edges(xy, 1.0)
    assert edges.shape[1] % 2 == 0 and edges.shape[1] > 0
    for s, t in edges.T:  # every edge shorter than δ, both directions present
        assert np.hypot(*(xy[s] - xy[t])) < 1.0 and ((edges[0] == t) & (edges[1] == s)).any()
    f = graph.edge_features(xy, edges, 0.5)
    s, t = edges[:, 0]
    np.testing.assert_allclose(
        f[0], [*(xy[s] - xy[t]) / 0.5, np.hypot(*(xy[s] - xy[t])) / 0.5], rtol=1e-6
    )


def test_features_deterministic_and_sign_free():
    xy = _grid(12)
    edges = graph.delaunay_edges(xy, 1.6)
    a = graph.laplacian_features(edges, len(xy))
    b = graph.laplacian_features(edges, len(xy))
    np.testing.assert_array_equal(a, b)
    # each column is |an eigenvector|: unit norm and an eigenvector up to sign per entry
    np.testing.assert_allclose(np.linalg.norm(a, axis=0), 1.0, rtol=1e-5)


def test_features_on_disconnected_graph_mark_components():
    big = _grid(12)  # 144 nodes
    small = _grid(5, offset=(100.0, 0.0))  # 25 nodes, far away
    xy = np.concatenate([big, small])
    edges = graph.delaunay_edges(xy, 1.6)
    f = graph.laplacian_features(edges, len(xy))
    deg = np.bincount(edges[1], minlength=len(xy)).astype(float)
    # column 0 = null mode of the second-largest component: √deg there, 0 on the big one
    expected = np.where(np.arange(len(xy)) >= 144, np.sqrt(deg), 0.0)
    np.testing.assert_allclose(f[:, 0], expected / np.linalg.norm(expected), atol=1e-6)
    # the other columns are true eigenvectors of L with eigenvalue > 0
    # the other columns are |eigenvectors| of the smallest non-zero eigenvalues of L
    lap = graph.normalized_laplacian(edges, len(xy)).toarray()
    eigenvalues, vectors = np.linalg.eigh(lap)
    assert eigenvalues[1] < 1e-9 < eigenvalues[2]  # two components: two zero eigenvalues
    for j in range(1, 5):
        np.testing.assert_allclose(f[:, j], np.abs(vectors[:, j + 1]), atol=1e-4)


def test_isolated_nodes_get_zero_features():
    xy = np.concatenate([_grid(10), [[500.0, 500.0]]])
    edges = graph.delaunay_edges(xy, 1.6)
    f = graph.laplacian_features(edges, len(xy))
    assert np.abs(f[-1]).max() < 1e-9


def test_bad_input_errors_name_the_problem():
    with pytest.raises(graph.TooFewPointsError, match="at least 6"):
        graph.build_point_graph(np.random.rand(4, 2), 0.5)
    xy = np.random.default_rng(0).random((20, 2))
    xy[3, 1] = np.nan
    with pytest.raises(graph.NonFiniteCoordinatesError, match="1 of 20 .* row 3"):
        graph.build_point_graph(xy, 0.5)
    xy = np.random.default_rng(0).random((20, 2))
    xy[5] = xy[2]
    xy[7] = xy[2]
    with pytest.raises(graph.DuplicatePointsError, match="2 of 20"):
        graph.build_point_graph(xy, 0.5)
    line = np.stack([np.linspace(0, 1, 20), 2 * np.linspace(0, 1, 20)], 1)
    with pytest.raises(graph.CollinearPointsError, match="one line"):
        graph.build_point_graph(line, 0.5)
    with pytest.raises(graph.GraphInputError, match=r"shape \[N, 2\]"):
        graph.build_point_graph(np.zeros((10, 3)), 0.5)


def test_duplicate_jitter_keeps_every_point_connected():
    xy = np.random.default_rng(0).random((30, 2))
    xy[10] = xy[4]
    g = graph.build_point_graph(xy, 0.5, duplicates="jitter")
    assert g.num_nodes == 30
    assert np.isin(10, g.edges[0]) and np.isin(4, g.edges[0])
    assert np.abs(g.positions[10] - xy[4]).max() < 1e-7
    kept = graph.build_point_graph(xy, 0.5, duplicates="keep")
    assert kept.num_nodes == 30 and not np.isin(10, kept.edges[0])  # Qhull ignores the repeat


def test_normalize_fov_is_per_axis_min_max():
    xy = np.array([[10.0, -5.0], [30.0, 15.0], [20.0, 0.0]])
    unit, lo, extent = graph.normalize_fov(xy)
    np.testing.assert_allclose(unit, [[0, 0], [1, 1], [0.5, 0.25]])
    np.testing.assert_allclose(unit * extent + lo, xy)


def test_arpack_non_convergence_falls_back_to_dense(monkeypatch):
    xy = _grid(15)  # 225 nodes: the sparse solver path
    edges = graph.delaunay_edges(xy, 1.6)
    expected = graph.laplacian_features(edges, len(xy))

    def no_convergence(*args, **kwargs):
        raise graph.scipy.sparse.linalg.ArpackNoConvergence("no convergence", [], [])

    monkeypatch.setattr(graph.scipy.sparse.linalg, "eigsh", no_convergence)
    fallback = graph.laplacian_features(edges, len(xy))
    np.testing.assert_allclose(fallback, expected, atol=1e-6)
