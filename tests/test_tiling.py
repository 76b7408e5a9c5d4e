"""Tiles with a K-hop halo give every node exactly its tile-free displacement."""

import jax
import numpy as np

from miro_jax import graph, input_pipeline, models, simulate, tiling


def test_tiled_equals_untiled():
    rng = np.random.default_rng(0)
    xy, _ = simulate.gaussian_clusters(rng, fov_nm=4000.0, num_clusters=40, points_per_cluster=12)
    unit = xy / 2000.0
    pg = graph.build_point_graph(unit, 0.1)
    tiles = tiling.tile_ids(unit, 1.0)
    features = tiling.tiled_laplacian_features(pg.edges, tiles, 5)
    pg = graph.PointGraph(pg.positions, features, pg.edges, pg.edge_features, 0.1)
    model = models.Miro(hidden_size=16, num_iterations=4)
    fn = jax.jit(model.apply)
    g = input_pipeline.pad_batch([graph.to_graphs_tuple(pg)], 1.25)
    params = model.init(jax.random.key(0), g)
    full = np.asarray(fn(params, g)["displacements"])[:, : pg.num_nodes]
    tiled = tiling.tiled_displacements(fn, params, pg, tile_size=0.6, hops=4)
    assert len(np.unique(tiling.tile_ids(unit, 0.6))) >= 9
    assert np.abs(tiled - full).max() <= 1e-4
    # a halo one hop short is not enough: the test can fail
    short = tiling.tiled_displacements(fn, params, pg, tile_size=0.6, hops=2)
    assert np.abs(short[-1] - full[-1]).max() > 1e-3


def test_tile_features_are_each_tiles_own_laplacian():
    rng = np.random.default_rng(1)
    unit = rng.random((400, 2)) * 2.0
    pg = graph.build_point_graph(unit, 0.3)
    tiles = tiling.tile_ids(unit, 1.0)
    features = tiling.tiled_laplacian_features(pg.edges, tiles, 5)
    t0 = np.flatnonzero(tiles == 0)
    local = np.full(400, -1)
    local[t0] = np.arange(len(t0))
    inside = (tiles[pg.edges[0]] == 0) & (tiles[pg.edges[1]] == 0)
    expected = graph.laplacian_features(local[pg.edges[:, inside]], len(t0), 5)
    np.testing.assert_array_equal(features[t0], expected)
