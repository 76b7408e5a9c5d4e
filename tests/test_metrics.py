"""Scores: the paper's toy example, scikit-learn identities, degenerate cases, IoU and pairing."""

import warnings

import hypothesis
import hypothesis.strategies as st
import numpy as np
import pytest
import sklearn.metrics

from miro_jax import metrics


def toy(method: str, rng=None):
    """The paper's two toy confusion matrices as label vectors (+ well-separated coordinates)."""
    truth, pred = [0] * 1000, []
    if method == "A":
        pred += [0] * 800 + [j for j in range(1, 21) for _ in range(10)]
        for c in range(1, 21):
            truth += [c] * 50
            pred += [c] * 45 + [0] * 5
    else:
        pred += [0] * 900 + [j for j in range(1, 21) for _ in range(5)]
        for c in range(1, 11):
            truth += [c] * 50
            pred += [c] * 41 + [0] * 9
        for c in range(11, 21):
            truth += [c] * 50
            pred += [c] * 21 + [c + 20] * 20 + [0] * 9
    truth, pred = np.array(truth), np.array(pred)
    rng = rng or np.random.default_rng(0)
    centres = np.stack(np.meshgrid(np.arange(5), np.arange(4)), -1).reshape(-1, 2) * 1000.0 + 500
    xy = rng.uniform(0, 5000, (len(truth), 2))
    for c in range(1, 21):
        m = truth == c
        xy[m] = centres[c - 1] + rng.normal(0, 20, (m.sum(), 2))
        stray = (truth == 0) & (pred == c)  # background predicted into cluster c sits beside it
        xy[stray] = centres[c - 1] + rng.normal(0, 20, (stray.sum(), 2))
    return xy, truth, pred


@pytest.mark.parametrize(
    "method,expected",
    [
        ("A", dict(ARI=0.62, ARI_dagger=0.67, AMI=0.70, ARI_c=0.80)),
        ("B", dict(ARI=0.65, ARI_dagger=0.47, AMI=0.67, ARI_c=0.46)),
    ],
)
def test_paper_toy_example(method, expected):
    xy, truth, pred = toy(method)
    scores = metrics.clustering_scores(xy, truth, pred, with_iou=False)
    for name, value in expected.items():
        assert abs(scores[name] - value) <= 0.006, (name, scores[name])
    if method == "A":
        assert scores["JI_c"] == 1.0
        assert abs(scores["RMSRE_N"] - 0.1) <= 0.006


def wallace_indices(t, p):
    """(AW_i, AV_j, C(n_i+,2), C(n_+j,2)) on scikit-learn's dense contingency table."""
    table = sklearn.metrics.cluster.contingency_matrix(t, p).astype(float)
    pairs = lambda x: x * (x - 1) / 2  # noqa: E731
    n = pairs(table.sum())
    rp, cp = pairs(table.sum(1)), pairs(table.sum(0))
    with np.errstate(divide="ignore", invalid="ignore"):
        aw = (n * pairs(table).sum(1) - rp * cp.sum()) / (rp * (n - cp.sum()))
        av = (n * pairs(table).sum(0) - cp * rp.sum()) / (cp * (n - rp.sum()))
    return aw, av, rp, cp


def test_ari_is_harmonic_mean_of_weighted_wallace_means():
    """ARI = H(Σ w_i AW_i, Σ v_j AV_j) with weights C(n_i+,2)/P: checks AW/AV against sklearn."""
    rng = np.random.default_rng(0)
    for _ in range(5):
        t, p = rng.integers(0, 6, 300), rng.integers(0, 4, 300)
        t[:100] = p[:100]
        aw, av, rp, cp = wallace_indices(t, p)
        a, b = (rp * aw).sum() / rp.sum(), (cp * av).sum() / cp.sum()
        assert abs(2 * a * b / (a + b) - sklearn.metrics.adjusted_rand_score(t, p)) < 1e-10
        # ARI† uses unweighted means of the same indices
        a_u, b_u = aw[aw != 0].mean(), av[av != 0].mean()
        assert abs(metrics.ari_dagger(t, p) - 2 * a_u * b_u / (a_u + b_u)) < 1e-12
        assert metrics.ari(t, p) == sklearn.metrics.adjusted_rand_score(t, p)


@hypothesis.settings(max_examples=200, deadline=None)
@hypothesis.given(
    st.lists(st.tuples(st.integers(-3, 12), st.integers(-1, 40)), min_size=1, max_size=300)
)
def test_scores_from_one_table_equal_sklearns_and_the_dense_tables(pairs):
    """metrics.contingency_table (one sort, what a DBSCAN search scores ~1,000 times): ARI equal
    to scikit-learn's bit for bit, ARI† to the formula on scikit-learn's dense table."""
    t, p = (np.array(x) for x in zip(*pairs))
    ari, ari_dagger = metrics.ari_and_ari_dagger(t, p)
    assert ari == sklearn.metrics.adjusted_rand_score(t, p)
    aw, av, rp, cp = wallace_indices(t, p)
    aw = np.where((rp > 0) & np.isfinite(aw), aw, 0.0)
    av = np.where((cp > 0) & np.isfinite(av), av, 0.0)
    aw, av = aw[aw != 0], av[av != 0]
    a, b = (aw.mean(), av.mean()) if aw.size and av.size else (0.0, 0.0)
    assert ari_dagger == (float(2 * a * b / (a + b)) if a + b > 0 else 0.0)


def test_wallace_indices_say_which_side_loses_ari_dagger():
    """A merge keeps every true cluster whole (AW_i = 1) and makes one predicted cluster impure
    (AV < 1); a split is the mirror image; ARI† is the harmonic mean of the two means."""
    truth = np.repeat([1, 2, 3, 4], 50)
    merged = np.where(truth == 2, 1, truth)
    split = np.where((truth == 4) & (np.arange(200) % 2 == 0), 5, truth)
    aw, av = metrics.wallace_indices_of_table(metrics.contingency_table(truth, merged))
    assert np.allclose(aw, 1.0) and len(av) == 3 and av.min() < 0.6
    aw, av = metrics.wallace_indices_of_table(metrics.contingency_table(truth, split))
    assert np.allclose(av, 1.0) and len(aw) == 4 and aw.min() < 0.6
    a, b = aw.mean(), av.mean()
    assert abs(metrics.ari_dagger(truth, split) - 2 * a * b / (a + b)) < 1e-12


def test_degenerate_cases_are_defined_and_silent():
    xy = np.random.default_rng(0).uniform(0, 1000, (50, 2))
    zeros = np.zeros(50, dtype=int)
    one = np.ones(50, dtype=int)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for truth, pred in [(zeros, zeros), (one, one), (one, zeros), (zeros, one)]:
            s = metrics.clustering_scores(xy, truth, pred)
            assert all(np.isfinite(v) for v in s.values())
        s = metrics.clustering_scores(xy, one, zeros)
        assert s["JI_c"] == 0.0 and s["IoU"] == 0.0 and s["ARI_dagger"] == 0.0
        assert metrics.clustering_scores(xy, zeros, zeros)["JI_c"] == 1.0


def test_iou_of_known_squares():
    g = np.stack(np.meshgrid(np.linspace(0, 100, 11), np.linspace(0, 100, 11)), -1).reshape(-1, 2)
    truth = np.ones(len(g), dtype=int)
    half = np.where(g[:, 0] <= 50, 1, 0)
    assert metrics.iou(g, truth, truth) == 1.0
    assert abs(metrics.iou(g, truth, half) - 0.5) < 0.01


def test_pairing_rmse_both_definitions():
    rng = np.random.default_rng(1)
    a = rng.normal(0, 10, (40, 2)) + [100, 100]
    b = rng.normal(0, 10, (40, 2)) + [600, 600]
    xy = np.concatenate([a, b])
    truth = np.repeat([1, 2], 40)
    pred = truth.copy()
    pred[0] = 0  # cluster 1 loses a point: centroid moves, count error 1/40
    s = metrics.pair_clusters(xy, truth, pred)
    d = np.linalg.norm(a[1:].mean(0) - a.mean(0))
    assert s["JI_c"] == 1.0
    np.testing.assert_allclose(s["RMSE_xy"], np.sqrt(d**2 / 2))
    np.testing.assert_allclose(s["RMSE_xy_paper"], np.sqrt(d / 2))
    np.testing.assert_allclose(s["RMSRE_N"], np.sqrt((1 / 40) ** 2 / 2))


def test_compression_and_dirichlet():
    rng = np.random.default_rng(0)
    xy = rng.normal(0, 10, (30, 2))
    truth = np.ones(30, dtype=int)
    assert metrics.compression_index(xy, xy * 0.25, truth) == pytest.approx(0.75)
    s, t = np.array([0, 1]), np.array([1, 0])
    x = np.array([[1.0, 0.0], [1.0, 0.0]])
    assert metrics.dirichlet_energy(x, s, t) == 0.0
    assert metrics.dirichlet_energy(np.array([[1.0], [0.0]]), s, t) == pytest.approx(0.5)


def test_classification_scores():
    s = metrics.classification_scores(np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2]), 3)
    assert s["confusion"].tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    assert s["macro_F1"] == pytest.approx((1 + 2 / 3 + 2 / 3) / 3)


def test_per_cluster_f1_averages_over_shape_classes_only():
    # clusters are never background: averaging over class 0 too would add an F1 of 0
    truth, pred = np.array([1, 1, 2, 2]), np.array([1, 2, 2, 0])
    s = metrics.classification_scores(truth, pred, 3, f1_classes=[1, 2])
    f1_spot, f1_ellipse = 2 / 3, 2 * 0.5 * 0.5 / (0.5 + 0.5)  # spot P 1 R .5; ellipse P .5 R .5
    assert s["macro_F1"] == pytest.approx((f1_spot + f1_ellipse) / 2)
    assert metrics.classification_scores(truth, pred, 3)["macro_F1"] == pytest.approx(
        (f1_spot + f1_ellipse) / 3
    )


def test_cluster_classes_take_the_mode_per_true_cluster():
    truth = np.array([0, 1, 1, 1, 2, 2, 2])
    true_classes = np.array([0, 1, 1, 1, 2, 2, 2])
    predicted = np.array([2, 1, 1, 2, 1, 1, 2])  # cluster 1 mostly 1 (right), cluster 2 mostly 1
    true_c, pred_c = metrics.cluster_classes(truth, true_classes, predicted)
    np.testing.assert_array_equal(true_c, [1, 2])
    np.testing.assert_array_equal(pred_c, [1, 1])
    f1 = metrics.classification_scores(true_c, pred_c, 3, f1_classes=[1, 2])["macro_F1"]
    assert f1 == pytest.approx((2 / 3 + 0) / 2)  # class 1: precision 1/2, recall 1; class 2: 0


def test_cluster_outcomes_name_merges_splits_and_misses():
    # clusters 1 and 2 (10 nm apart) share one predicted cluster, 3 is cut in two, 4 is found
    # whole, 5 is left as noise; a background point sits in cluster 4's prediction (not a merge)
    xy = np.array([[0, 0], [1, 0], [10, 0], [11, 0], [100, 0], [101, 0], [200, 0], [201, 0],
                   [202, 0], [300, 0], [301, 0]], float)  # fmt: skip
    truth = np.array([1, 1, 2, 2, 3, 3, 4, 4, 0, 5, 5])
    pred = np.array([5, 5, 5, 5, 7, 8, 9, 9, 9, 0, 0])
    nearest, outcome = metrics.cluster_outcomes(xy, truth, pred)
    assert outcome.tolist() == ["merged", "merged", "split", "whole", "missed"]
    np.testing.assert_allclose(nearest, [10.0, 10.0, 90.0, 100.0, 100.0], atol=1e-9)
