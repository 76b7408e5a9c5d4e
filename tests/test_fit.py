"""`miro fit`: a model trained on annotated files compresses its clusters, stores DBSCAN
parameters and a model card that `miro cluster` uses; bad annotation is refused in one line."""

import json

import numpy as np
import pandas as pd
import pytest

from configs import fit as fit_recipe
from miro_jax import cli, fit, inference, metrics, model_store, simulate


@pytest.fixture(scope="module")
def annotated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("annotated")
    rng = np.random.default_rng(0)
    paths = []
    for i in range(2):
        xy, labels = simulate.gaussian_clusters(
            rng, fov_nm=2500.0, num_clusters=14, points_per_cluster=15, cluster_std_nm=30.0
        )
        path = folder / f"cell_{i}.csv"
        pd.DataFrame({"x [nm]": xy[:, 0], "y [nm]": xy[:, 1], "cluster": labels}).to_csv(
            path, index=False
        )
        paths.append(path)
    return paths


def _small_recipe():
    config = fit_recipe.get_config()
    config.model.hidden_size = 32
    config.model.num_iterations = 6
    config.optimizer.learning_rate = 3e-3
    config.optimizer.warmup_steps = 10
    config.train.eval_every = 100
    config.evals.max_fovs = 1
    return config


@pytest.fixture(scope="module")
def fitted(annotated, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fitted")
    config = fit.fit_config(annotated, label_column="cluster", steps=200, base=_small_recipe())
    card = fit.fit(config, folder / "model", folder / "work", progress=False)
    return folder / "model", card


def test_fitted_model_compresses_its_own_clusters(fitted, annotated):
    model_dir, card = fitted
    params, config = model_store.load_model(model_dir)
    table = pd.read_csv(annotated[0])
    xy, labels = table[["x [nm]", "y [nm]"]].to_numpy(), table["cluster"].to_numpy()
    squeezed = inference.predict(xy, params, config).squeezed_nm
    assert metrics.compression_index(xy, squeezed, labels) > 0.1
    # 28 annotated clusters; those in the last quarter of each field's width are held out
    assert 14 < card["trained on"]["clusters"] < 28 and card["trained on"]["fields"] == 2
    assert card["dev scores"]["fields"] == ["cell_0.csv[dev]", "cell_1.csv[dev]"]
    card_file = json.loads((model_dir / "model_card.json").read_text())
    assert card_file["K"] == 6 and 80 < card_file["connectivity radius δ [nm]"] < 200
    assert "DBSCAN after MIRO" in (model_dir / "model_card.md").read_text()


def test_cluster_uses_the_stored_dbscan_parameters(fitted, annotated, tmp_path, capsys):
    model_dir, card = fitted
    eps = card["DBSCAN after MIRO"]["eps [nm]"]
    assert eps != fit_recipe.get_config().evals.miro_eps  # chosen on the annotation
    assert (
        cli.main(
            [
                "cluster",
                str(annotated[0]),
                "--model",
                str(model_dir),
                "--out",
                str(tmp_path / "o.csv"),
            ]
        )
        == 0
    )
    assert f"DBSCAN eps {eps:g} nm" in capsys.readouterr().out


def test_input_far_from_the_card_is_warned_about(fitted, tmp_path, capsys):
    model_dir, _ = fitted
    xy, _ = simulate.gaussian_clusters(
        np.random.default_rng(1), fov_nm=20000.0, num_clusters=20, points_per_cluster=15
    )
    pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1]}).to_csv(tmp_path / "sparse.csv", index=False)
    assert (
        cli.main(
            [
                "cluster",
                str(tmp_path / "sparse.csv"),
                "--model",
                str(model_dir),
                "--out",
                str(tmp_path / "o.csv"),
            ]
        )
        == 0
    )
    assert "density [localizations/um^2] is" in capsys.readouterr().out


def test_clusters_far_from_the_trained_size_are_warned_about(fitted):
    """The card states its training clusters' size range; `miro cluster` warns when the median
    radius of gyration found lies more than the card's factor (1.5) outside it, and only then."""
    model_dir, card = fitted
    low, high = card["trained on"][fit.SIZE_RANGE_KEY]
    assert low < card["trained on"]["median cluster radius of gyration [nm]"] < high
    assert card[fit.SIZE_TOLERANCE_KEY] == 1.5
    card = model_store.load_card(model_dir)  # as `miro cluster` reads it

    def found(radius_nm):
        return pd.DataFrame({"radius_of_gyration [nm]": [radius_nm, radius_nm, 1e4]})

    assert cli.cluster_size_warnings(card, found(high * 1.45)) == []
    assert cli.cluster_size_warnings(card, found(low / 1.45)) == []
    for radius in (high * 1.55, low / 1.55):
        [line] = cli.cluster_size_warnings(card, found(radius))
        assert f"the 3 clusters found have a median radius of gyration of {radius:.3g} nm" in line
        assert f"vs {low:.3g}–{high:.3g} nm" in line


@pytest.mark.parametrize(
    "content, fragment",
    [
        ("x,y\n1,2\n3,4\n", "no label column 'index'"),
        (
            "x,y,index\n" + "".join(f"{i * 37 % 997},{i * 53 % 991},1\n" for i in range(80)),
            "hold 1 cluster(s)",
        ),
        ("x,y,index\n1,2,1\n3,4,2\n5,9,0\n", "only 3 annotated localizations"),
    ],
)
def test_bad_annotation_is_refused_in_one_line(tmp_path, capsys, content, fragment):
    (tmp_path / "a.csv").write_text(content)
    code = cli.main(["fit", str(tmp_path / "a.csv"), "--out", str(tmp_path / "m")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and fragment in err[0], err
    assert not (tmp_path / "m").exists()


def test_subcluster_step_is_the_best_searched_candidate_up_to_k_star():
    from configs import tiny
    from miro_jax import evaluation, inference

    config = tiny.get_config()
    config.model.num_iterations, config.loss.cutoff_iterations = 30, 15
    assert fit.subcluster_candidate_steps(config) == [5, 8, 10, 12, 15]
    config.loss.cutoff_iterations = 2
    assert fit.subcluster_candidate_steps(config) == [1, 2]
    p = [evaluation.DbscanParams(float(e), 4) for e in (5, 6, 7)]
    assert fit.pick_subcluster_step([(5, p[0], 0.55), (8, p[1], 0.60), (15, p[2], 0.50)]) == (
        8,
        p[1],
    )
    assert fit.pick_subcluster_step([(5, p[0], 0.6), (15, p[2], 0.6)]) == (15, p[2])  # tie: later
    assert inference.subcluster_step(config) == 2  # nothing stored: k*
    config.evals.subcluster_step = 1
    assert inference.subcluster_step(config) == 1
    config.loss.cutoff_iterations = 0
    assert inference.subcluster_step(config) == 0  # a one-level model has no subclusters
