"""Augmentation builders: counts, fractions, targets pointing from centre to point."""

import numpy as np
import pytest

from configs import benchmark, tiny
from miro_jax import augment, input_pipeline


def _clusters(rng, n=3, size=20, std=0.01):
    return [rng.normal(0, std, (size, 2)) for _ in range(n)]


def _builder(name, clusters, connectivity_radius, backgrounds=(), **fields):
    """An authors' builder with their defaults (configs/benchmark.py) and these fields."""
    kwargs = {**benchmark.BUILDER_DEFAULTS[name], **fields}
    return augment.make_builder(name, clusters, list(backgrounds), connectivity_radius, **kwargs)


def test_populate_doubles_per_round():
    rng = np.random.default_rng(0)
    pts = rng.normal(size=(10, 2))
    assert augment.populate(pts, 4, 0.003, rng).shape == (160, 2)
    np.testing.assert_array_equal(augment.populate(pts, 0, 0.003, rng), pts)


def test_cluster_builder_counts_and_targets():
    rng = np.random.default_rng(0)
    b = _builder(
        "GraphDataset",
        clusters=_clusters(rng),
        connectivity_radius=0.2,
        noise_point_range=(50, 51),
        cluster_count_range=(5, 6),
        cluster_sampling_range=(1.0, 1.0),
        pupulation_std_sigma=0.0,
        num_additions=0,
    )
    s = b.sample(np.random.default_rng(1))
    assert (s.labels == 0).sum() == 50 and len(np.unique(s.labels[s.labels > 0])) == 5
    assert (s.labels > 0).sum() == 100  # frac 1, no population: whole clusters
    assert np.all(s.target[s.labels == 0] == 0)
    for c in range(1, 6):  # x − δ·target is the same centre for every point of a cluster
        centres = s.positions[s.labels == c] - 0.2 * s.target[s.labels == c]
        np.testing.assert_allclose(centres, centres[0][None].repeat(len(centres), 0), atol=1e-12)
        # rotation keeps the cluster's shape: distances to the centre are the originals'
        assert np.all((centres[0] >= 0.05) & (centres[0] <= 0.95))


def test_cluster_builder_subsampling_fraction():
    rng = np.random.default_rng(0)
    b = _builder(
        "GraphDataset",
        clusters=_clusters(rng, size=20),
        connectivity_radius=0.2,
        noise_point_range=(10, 11),
        cluster_count_range=(4, 5),
        cluster_sampling_range=(0.058, 0.058),
        num_additions=4,
    )
    s = b.sample(np.random.default_rng(2))
    counts = np.bincount(s.labels)[1:]
    np.testing.assert_array_equal(counts, round(0.058 * 320))  # 20·2⁴ populated, 5.8 % kept


def test_blinking_builder_places_clusters_in_empty_cells():
    rng = np.random.default_rng(0)
    background = rng.uniform(0, 1, (4000, 2))
    background = background[np.linalg.norm(background - 0.5, axis=1) > 0.15]  # a hole
    b = _builder(
        "GraphBlinkingDataset",
        clusters=_clusters(rng, std=0.002),
        backgrounds=[background],
        connectivity_radius=0.1,
        cluster_count_range=(8, 9),
        cluster_sampling_range=(1.0, 1.0),
        num_cluster_additions=0,
        background_sampling_range=(0.5, 0.5),
        num_bkg_additions=0,
    )
    s = b.sample(np.random.default_rng(3))
    bg = s.positions[s.labels == 0]
    assert len(bg) == round(0.5 * len(background))
    centres = np.array([(s.positions - 0.1 * s.target)[s.labels == c][0] for c in range(1, 9)])
    cell = 0.02
    lo = bg.min(0)
    for c in centres:  # no background point in the centre's 0.02 cell
        ij = np.floor((c - lo) / cell)
        assert not np.any(np.all(np.floor((bg - lo) / cell) == ij, axis=1))


def test_cropped_builder_window_and_replacement():
    rng = np.random.default_rng(0)
    background = rng.uniform(0, 1, (3000, 2))
    b = _builder(
        "GraphBlinkingCroppedDataset",
        clusters=_clusters(rng),
        backgrounds=[background],
        connectivity_radius=0.1,
    )
    s = b.sample(np.random.default_rng(4))
    bg = s.positions[s.labels == 0]
    assert np.all(np.ptp(bg, axis=0) <= 0.4 + 1e-12)
    assert len(bg) > 0.8 * 0.16 * 3000 * 0.9 * 0.8
    assert 6 <= len(np.unique(s.labels[s.labels > 0])) <= 9


def test_crop_keeps_window_and_targets():
    from miro_jax import input_pipeline

    rng = np.random.default_rng(0)
    pos = rng.random((1000, 2))
    s = augment.PointSample(pos, rng.normal(size=(1000, 2)), rng.integers(0, 5, 1000))
    c = input_pipeline.crop_sample(s, 0.5, np.random.default_rng(1))
    assert np.all(np.ptp(c.positions, axis=0) < 0.5) and 150 < len(c.positions) < 350
    idx = [np.flatnonzero((pos == p).all(1))[0] for p in c.positions[:20]]
    np.testing.assert_array_equal(c.target[:20], s.target[idx])
    # visible-centroid targets: each cut cluster's kept points average to zero displacement
    v = input_pipeline.crop_sample(s, 0.5, np.random.default_rng(1), connectivity_radius=0.1)
    np.testing.assert_array_equal(v.positions, c.positions)
    for label in range(1, 5):
        np.testing.assert_allclose(v.target[v.labels == label].mean(0), 0.0, atol=1e-6)
    assert np.all(v.target[v.labels == 0] == 0)
    # windows with too few points are redrawn; if none qualifies the whole sample is kept
    assert (
        len(input_pipeline.crop_sample(s, 0.1, np.random.default_rng(2), min_points=5).positions)
        >= 5
    )
    assert (
        len(input_pipeline.crop_sample(s, 0.1, np.random.default_rng(2), min_points=500).positions)
        == 1000
    )


def test_coarsening_merges_bursts_and_keeps_cluster_centres():
    rng = np.random.default_rng(0)
    bursts = rng.uniform(0.2, 0.8, (30, 2))
    pos = np.repeat(bursts, 4, axis=0) + rng.normal(0, 1e-4, (120, 2))  # 4 localizations each
    labels = np.repeat(np.arange(30) % 3, 4)  # clusters 1, 2 and background 0
    centres = {1: np.array([0.4, 0.5]), 2: np.array([0.6, 0.4])}
    target = np.array([(p - centres[c]) / 0.1 if c else (0.0, 0.0) for p, c in zip(pos, labels)])
    out = input_pipeline.coarsen_sample(augment.PointSample(pos, target, labels), 0.01, 0.1)
    assert 30 <= len(out.positions) <= 40  # bursts merged (a few split by a cell edge)
    for c, centre in centres.items():
        m = out.labels == c
        np.testing.assert_allclose(
            out.positions[m] - 0.1 * out.target[m], np.tile(centre, (m.sum(), 1)), atol=1e-6
        )
    assert np.all(out.target[out.labels == 0] == 0)
    config = tiny.get_config()
    config.data.coarsen_start, config.data.coarsen_steps = 0.02, 10
    cells = [
        input_pipeline.coarsening_cell(config, i * config.train.batch_size) for i in (0, 5, 10, 20)
    ]
    assert cells == [0.02, 0.01, 0.0, 0.0]


def test_crops_start_at_the_configured_step():
    config = tiny.get_config()
    config.data.crop_size, config.data.crop_start_step = 0.5, 3
    b = config.train.batch_size
    assert [input_pipeline.cropping(config, i) for i in (0, 3 * b - 1, 3 * b, 10 * b)] == [
        False,
        False,
        True,
        True,
    ]
    config.data.crop_start_step = 0
    assert input_pipeline.cropping(config, 0)
    config.data.crop_size = 0.0
    assert not input_pipeline.cropping(config, 10 * b)
    config.data.crop_size, config.data.crop_start_step, config.data.dataset_size = 0.5, 3, 8
    with pytest.raises(ValueError, match="crop_start_step needs fresh samples"):
        input_pipeline.cropping(config, 0)
