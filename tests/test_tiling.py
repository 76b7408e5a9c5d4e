"""Tiles with a K-hop halo give every node exactly its tile-free displacement; feature tiles."""

import jax
import numpy as np

from configs import tiny
from miro_jax import graph, inference, models, simulate, tiling


def _field_and_model(hops=4):
    rng = np.random.default_rng(0)
    xy, _ = simulate.gaussian_clusters(rng, fov_nm=4000.0, num_clusters=40, points_per_cluster=12)
    config = tiny.get_config()
    config.model.num_iterations = hops
    config.graph.connectivity_radius = 0.1
    params = models.Miro(**config.model).init(
        jax.random.key(0), graph.build_graph(xy[:50] / 2000.0, 0.1)
    )
    return xy, params, config


def test_tiled_equals_untiled():
    xy, params, config = _field_and_model()
    config.predict.max_nodes_per_call = 10**9
    full = inference.predict(xy, params, config)
    config.predict.max_nodes_per_call = 100
    tiled = inference.predict(xy, params, config)
    assert full.num_tiles == 1 and tiled.num_tiles >= 8
    assert np.abs(tiled.displacements - full.displacements).max() <= 1e-5
    square = inference.predict(xy, params, config, tile_size_nm=1200.0)
    assert square.num_tiles >= 9
    assert np.abs(square.displacements - full.displacements).max() <= 1e-5


def test_a_halo_one_hop_short_is_not_enough():
    xy, params, config = _field_and_model()
    unit = xy / 2000.0
    pg = graph.build_point_graph(unit, 0.1)
    tiles = tiling.balanced_tile_ids(unit, 100)
    exact = inference.apply_in_tiles(config, params, pg, tiles, 4, 1.25, False)["displacements"]
    short = inference.apply_in_tiles(config, params, pg, tiles, 2, 1.25, False)["displacements"]
    whole = inference.apply_in_tiles(config, params, pg, np.zeros(len(unit), int), 4, 1.25, False)
    assert np.abs(exact - whole["displacements"]).max() <= 1e-5
    assert np.abs(short[-1] - whole["displacements"][-1]).max() > 1e-3


def test_balanced_tiles_hold_at_most_max_nodes():
    xy = np.random.default_rng(2).random((1000, 2)) * [3.0, 1.0]
    ids = tiling.balanced_tile_ids(xy, 130)
    counts = np.bincount(ids)
    assert len(counts) == 8 and counts.max() <= 130 and counts.min() >= 124  # ⌈1000/130⌉ tiles


def test_feature_tiles_have_no_slivers():
    xy = np.random.default_rng(3).random((500, 2)) * [2.1, 0.9]
    ids = tiling.tile_ids(xy, 1.0)
    assert ids.max() + 1 == 2  # 2.1 → two tiles of 1.05, 0.9 → one: no 0.1-wide sliver
    assert np.bincount(ids).min() > 150


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


def test_one_tile_field_has_the_whole_graphs_features():
    unit = np.random.default_rng(4).random((300, 2))
    pg = graph.build_point_graph(unit, 0.2)
    tiles = tiling.tile_ids(unit, 1.0)
    assert tiles.max() == 0
    np.testing.assert_array_equal(
        tiling.tiled_laplacian_features(pg.edges, tiles, 5), pg.node_features
    )
