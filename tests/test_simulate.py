"""Simulators: counts, fractions, and shapes' radii measured back from the samples."""

import numpy as np
import pytest
import scipy.spatial

from miro_jax import simulate


def _rng(seed=0):
    return np.random.default_rng(seed)


def _fit_circle(p):
    """Geometric circle fit (the algebraic one is biased on noisy half circles)."""
    import scipy.optimize

    a = np.c_[2 * p, np.ones(len(p))]
    start = np.linalg.lstsq(a, (p**2).sum(1), rcond=None)[0][:2]
    fit = scipy.optimize.least_squares(
        lambda q: np.linalg.norm(p - q[:2], axis=1) - q[2],
        np.r_[start, np.median(np.linalg.norm(p - start, axis=1))],
    )
    return fit.x[:2]


@pytest.mark.parametrize("scenario", range(2, 11))
def test_benchmark_scenarios_counts_and_fractions(scenario):
    spec = simulate.BENCHMARK_SCENARIOS[scenario]
    f = simulate.benchmark_scenario(_rng(scenario), scenario)
    sizes = np.bincount(f.labels)[1:]
    assert sorted(sizes) == sorted(spec["sizes"])
    assert abs((f.labels > 0).mean() - spec["clustered"]) < 0.01


def test_benchmark_widths_and_blinking():
    f = simulate.benchmark_scenario(_rng(1), 6)
    ev = [np.sqrt(np.linalg.eigvalsh(np.cov(f.xy[f.labels == c].T))) for c in range(1, 21)]
    assert (
        abs(np.median([e[1] for e in ev]) - 77.5) < 10
        and abs(np.median([e[0] for e in ev]) - 14.1) < 3
    )
    b = simulate.benchmark_scenario(_rng(2), 2, blinking=True)
    per_cluster = np.bincount(b.labels)[1:]
    assert 3.6 < per_cluster.mean() / 15 < 4.4  # ≈ 4 localizations per molecule
    ramp = simulate.benchmark_scenario(_rng(3), 10)
    bg = ramp.xy[ramp.labels == 0]
    assert (bg[:, 0] > 1000).sum() > 2.5 * (bg[:, 0] < 1000).sum()  # density rises with x (3:1)


def test_c_shapes_and_rings_radii_and_background():
    for make, lo, hi, bg in ((simulate.c_shapes, 30, 60, 0.06), (simulate.rings, 60, 70, 0.07)):
        f = make(_rng(4))
        k = f.labels.max()
        assert lo <= k <= hi
        assert abs((f.labels == 0).mean() - bg) < 0.005
        big = make(_rng(5), points=(1000, 1000))  # many points: an unbiased circle fit
        radii, stds = [], []
        for c in range(1, big.labels.max() + 1):
            p = big.xy[big.labels == c]
            r = np.linalg.norm(p - _fit_circle(p), axis=1)
            radii.append(np.median(r))
            stds.append(r.std())
        assert abs(np.median(radii) - 250) < 20 and abs(np.median(stds) - 50) < 10


def test_c_shapes_cover_half_a_circle():
    f = simulate.c_shapes(
        _rng(5), clusters=(1, 1), points=(2000, 2000), radial_std_nm=5.0, background_fraction=0.01
    )
    p = f.xy[f.labels == 1]
    angles = np.sort(np.arctan2(*(p - _fit_circle(p)).T[::-1]))
    gaps = np.diff(np.r_[angles, angles[0] + 2 * np.pi])
    assert abs(gaps.max() - np.pi) < 0.1  # the empty half


def test_mixture_classes():
    f = simulate.shape_mixture(_rng(6), kinds=("spot", "ring"))
    assert set(np.unique(f.classes)) == {0, 1, 2}
    for c in range(1, f.labels.max() + 1):
        assert len(np.unique(f.classes[f.labels == c])) == 1
    assert np.all(f.classes[f.labels == 0] == 0)


def test_multiscale_rings_levels():
    f = simulate.multiscale_rings(_rng(7))
    assert 40 <= f.labels.max() <= 60 and abs((f.labels == 0).mean() - 0.015) < 0.003
    for ring in range(1, 6):
        corners = np.unique(f.sublabels[f.labels == ring])
        assert 5 <= len(corners) <= 9
        centres = np.array([f.xy[f.sublabels == c].mean(0) for c in corners])
        dist = np.linalg.norm(centres - centres.mean(0), axis=1)
        assert abs(np.median(dist) - 40) < 15
    sizes = np.bincount(f.sublabels)[1:]
    assert sizes.min() >= 6 and sizes.max() <= 30


def test_npc_like_levels_and_radii():
    f = simulate.npc_like(_rng(8), structures=(9, 9), points=(80, 80))
    assert f.labels.max() == 9 and f.sublabels.max() == 72
    r = []
    for s in range(1, 10):
        p = f.xy[f.labels == s]
        r.append(np.linalg.norm(p - p.mean(0), axis=1))
    r = np.concatenate(r)
    inner, outer = np.percentile(r, [10, 90])
    assert 10 < inner < 35 and 65 < outer < 100  # effective inner/outer radius ≈ 20/80 nm


def test_adjacent_pairs_field_one_pair_distance_and_sizes():
    sizes = []
    for i in range(200):
        f = simulate.adjacent_pairs_field(
            _rng(i), fov_nm=1000.0, pairs=(1, 1), distance_sigmas=(3.0, 3.0), background_fraction=0
        )
        assert f.labels.min() == 1 and f.labels.max() == 2  # one pair, no background
        sizes += list(np.bincount(f.labels)[1:])
    assert abs(np.mean(sizes) - 90) < 10
    f = simulate.adjacent_pairs_field(
        _rng(9), fov_nm=1000.0, pairs=(1, 1), distance_sigmas=(4.0, 4.0), mean_points=5000
    )
    c1, c2 = f.xy[f.labels == 1].mean(0), f.xy[f.labels == 2].mean(0)
    assert abs(np.linalg.norm(c1 - c2) - 100) < 5


def test_adjacent_pairs_field_distances_within_range():
    f = simulate.adjacent_pairs_field(_rng(12), distance_sigmas=(2.0, 3.0), mean_points=4000)
    k = f.labels.max()
    assert k % 2 == 0 and 8 <= k <= 16
    centres = np.array([f.xy[f.labels == c].mean(0) for c in range(1, k + 1)])
    d = np.linalg.norm(centres[0::2] - centres[1::2], axis=1)  # the two of each pair
    assert np.all((d > 48) & (d < 77))  # 2σ–3σ with σ = 25 nm (± sampling error)
    assert abs((f.labels == 0).mean() - 0.03) < 0.005


def test_integrin_and_dense_tiling():
    f = simulate.integrin_like(_rng(10))
    sizes = np.bincount(f.labels)[1:]
    assert abs(sizes.mean() - 25) < 3 and abs((f.labels == 0).mean() - 0.04) < 0.005
    dense = simulate.tile_fields(lambda r: simulate.benchmark_scenario(r, 2), _rng(11), 50_000)
    assert len(dense.xy) >= 50_000
    assert dense.labels.max() == 20 * len(np.unique(dense.labels[dense.labels > 0])) // 20
    assert len(np.unique(dense.labels[dense.labels > 0])) == dense.labels.max()


def test_pair_l1_known_cases():
    """Far apart pairs: the oracle splits them exactly (0), a merge costs d/4 per coordinate,
    staying put costs E|N(0, σ)| = σ·√(2/π)."""
    from experiments.adjacent import pair_l1

    rng = _rng(3)
    xy = np.concatenate([rng.normal(0, 25, (400, 2)), rng.normal(0, 25, (400, 2)) + [500, 0]])
    labels = np.repeat([1, 2], 400)
    got = pair_l1(xy, xy, labels, sigma_nm=25.0)
    assert got["oracle"] == 0.0
    assert abs(got["merged"] - 500 / 4) < 3
    assert abs(got["MIRO"] - 25 * np.sqrt(2 / np.pi)) < 1.5


def test_arc_centres_keep_their_minimum_separation_or_say_they_cannot():
    rng = np.random.default_rng(3)
    shapes = [np.zeros((1, 2))] * 40  # one point at each centre
    placed = np.concatenate(simulate._place(rng, shapes, 6400.0, 350.0, min_separation_nm=600.0))
    gaps = scipy.spatial.distance.pdist(placed)
    assert gaps.min() >= 600.0
    free = np.concatenate(simulate._place(np.random.default_rng(3), shapes, 6400.0, 350.0))
    assert scipy.spatial.distance.pdist(free).min() < 600.0  # what the separation changes
    with pytest.raises(ValueError, match="lower the shape count or the separation"):
        simulate._place(rng, [np.zeros((1, 2))] * 200, 6400.0, 350.0, min_separation_nm=600.0)


def test_corner_trajectory_on_a_known_two_level_squeeze():
    """Two corners 40 nm apart around a centre: held in place, collapsed onto their centroids,
    then both moved to the structure's centre — spread, shift and spacing follow exactly."""
    from types import SimpleNamespace

    from experiments.multiscale import corner_trajectory

    offsets = np.array([[-3.0, 0.0], [3.0, 0.0], [0.0, 4.0], [0.0, -4.0]])
    centroids = np.array([[80.0, 100.0], [120.0, 100.0]])
    xy = np.concatenate([c + offsets for c in centroids])
    sublabels = np.repeat([1, 2], 4)
    item = SimpleNamespace(fov=SimpleNamespace(xy_nm=xy, sublabels=sublabels))
    collapsed = np.repeat(centroids, 4, axis=0)
    at_centre = np.full_like(xy, 100.0)
    table = corner_trajectory([item], [[xy], [collapsed], [at_centre]], steps=[1, 2, 3])
    np.testing.assert_allclose(table["corner RMS spread [nm]"], [12.5**0.5, 12.5**0.5, 0, 0, 0])
    np.testing.assert_allclose(table["corner centroid shift [nm]"], [0, 0, 0, 20.0, 0])
    np.testing.assert_allclose(table["nearest other corner [nm]"], [40.0, 40.0, 40.0, 0.0, 40.0])
    np.testing.assert_allclose(table["L1 to own corner [nm]"], [1.75, 1.75, 0.0, 10.0, 0.0])
    assert list(table.index) == [0, 1, 2, 3, "oracle"]


def test_stored_levels_read_a_two_level_card_and_refuse_a_one_level_model():
    """--against reads a bundled two-level model's stored steps and DBSCAN parameters (its
    card's), and names the fix for a model with no subcluster level."""
    from experiments.multiscale import stored_levels
    from miro_jax import model_store

    _, config = model_store.load_model("multiscale_rings")
    levels = stored_levels("multiscale_rings", config)
    card = model_store.load_card("multiscale_rings")
    (corner_step, corner), (ring_step, ring) = levels["corner"], levels["ring"]
    assert (corner_step, ring_step) == (card["DBSCAN for subclusters"]["step"], card["K"])
    assert corner.eps == card["DBSCAN for subclusters"]["eps [nm]"]
    assert (ring.eps, ring.min_samples) == tuple(card["DBSCAN after MIRO"].values())
    _, one_level = model_store.load_model("c_shapes")
    with pytest.raises(SystemExit, match="not a packaged two-level model.*--ship-shapes"):
        stored_levels("c_shapes", one_level)
