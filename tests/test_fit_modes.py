"""`miro fit`'s other sources and model choice: a simulation spec (`miro simulate`), one
annotated cluster on unannotated fields (single-shot), adaptive training windows, bundled model
cards, `miro models` and `--model auto`."""

import json

import numpy as np
import pandas as pd
import pytest

from configs import benchmark, benchmark_cpu, default
from configs import fit as fit_recipe
from miro_jax import cli, fit, input_pipeline, model_store, simulate

SPEC_DEFAULTS = default.get_config().fit.spec


@pytest.mark.parametrize(
    "items, fragment",
    [
        (["bogus=3"], "spec key 'bogus' is unknown"),
        (["shape=star"], "spec shape 'star'"),
        (["cluster_radius_nm=-5"], "cluster_radius_nm = -5"),
        (["blinking_repeats=0.5"], "blinking_repeats and localizations_per_cluster must be ≥ 1"),
        (["missing_spec.yaml"], "cannot read it as YAML/JSON"),
    ],
)
def test_bad_spec_is_refused_in_one_line(tmp_path, capsys, items, fragment, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = cli.main(["simulate", *items, "--out", "f.csv"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and fragment in err[0], err
    assert not (tmp_path / "f.csv").exists()


def test_spec_file_and_items_combine(tmp_path):
    (tmp_path / "spec.yaml").write_text("cluster_radius_nm: 40\nshape: ring\n")
    spec = fit.read_spec([str(tmp_path / "spec.yaml"), "cluster_radius_nm=50"], SPEC_DEFAULTS)
    assert spec["cluster_radius_nm"] == 50.0 and spec["shape"] == "ring"
    assert spec["background_density_per_um2"] == SPEC_DEFAULTS.background_density_per_um2


def test_simulated_field_has_the_spec_statistics(tmp_path):
    spec = fit.read_spec(
        [
            "localizations_per_cluster=30",
            "blinking_repeats=3",
            "cluster_density_per_um2=2",
            "background_density_per_um2=10",
        ],
        SPEC_DEFAULTS,
    )
    assert (
        cli.main(
            [
                "simulate",
                *[f"{k}={v}" for k, v in spec.items()],
                "--out",
                str(tmp_path / "f.csv"),
                "--size-nm",
                "20000",
            ]
        )
        == 0
    )
    table = pd.read_csv(tmp_path / "f.csv")
    labels = table["index"].to_numpy()
    clusters = labels.max()
    assert abs(clusters / 400 - 2.0) < 0.25  # Poisson(800) clusters on 400 µm²
    assert abs(np.bincount(labels)[1:].mean() - 30) < 3
    assert abs((labels == 0).sum() / 400 - 10) < 1.5


def test_raw_field_background_excludes_its_clusters():
    rng = np.random.default_rng(3)
    xy, labels = simulate.gaussian_clusters(
        rng,
        fov_nm=3000.0,
        num_clusters=20,
        points_per_cluster=40,
        cluster_std_nm=25.0,
        clustered_fraction=0.5,
    )
    one = xy[labels == 1]
    background, count = input_pipeline.raw_background(xy, one, 0.3, rng)
    kept = {tuple(p) for p in background}
    in_clusters = np.mean([tuple(p) in kept for p in xy[labels > 0]])
    of_background = np.mean([tuple(p) in kept for p in xy[labels == 0]])
    assert 18 <= count <= 21 and in_clusters < 0.08 and of_background > 0.9
    # lost background is made up uniformly: the count is the field's own (±15 %)
    assert abs(len(background) / (labels == 0).sum() - 1) < 0.15


def test_training_windows_shrink_with_density():
    config = fit_recipe.get_config()
    sparse = input_pipeline.AnnotatedTable(
        "a", np.random.default_rng(0).uniform(0, 2000, (400, 2)), np.zeros(400, int)
    )
    dense = input_pipeline.AnnotatedTable(
        "b", np.random.default_rng(0).uniform(0, 2000, (12000, 2)), np.zeros(12000, int)
    )
    assert input_pipeline.training_window([sparse], config) == 1.0  # capped at one length scale
    side_nm = input_pipeline.training_window([dense], config) * config.graph.length_scale_nm
    assert side_nm == pytest.approx(2000 * np.sqrt(1500 / 12000), rel=0.02)


def _tiny(config):
    config.model.hidden_size, config.model.num_iterations = 16, 4
    config.train.eval_every, config.evals.max_fovs, config.data.num_eval_fovs = 100, 1, 2
    return config


@pytest.fixture(scope="module")
def single_shot_fit(tmp_path_factory):
    folder = tmp_path_factory.mktemp("single")
    rng = np.random.default_rng(5)
    raws = []
    for i in range(2):
        xy, labels = simulate.gaussian_clusters(
            rng, fov_nm=2000.0, num_clusters=12, points_per_cluster=20, cluster_std_nm=30.0
        )
        pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1]}).to_csv(folder / f"raw_{i}.csv", index=False)
        raws.append(folder / f"raw_{i}.csv")
        if i == 0:
            pd.DataFrame({"x": xy[labels == 1, 0], "y": xy[labels == 1, 1]}).to_csv(
                folder / "one.csv", index=False
            )
    config = fit.fit_config(
        steps=20,
        base=_tiny(fit_recipe.get_config()),
        single_cluster=folder / "one.csv",
        background_files=raws,
    )
    return fit.fit(config, folder / "model", folder / "work", progress=False), folder


def test_single_cluster_fit_writes_a_card_of_its_source(single_shot_fit):
    card, folder = single_shot_fit
    assert card["trained on"]["source"] == "one annotated cluster on unannotated fields"
    assert card["trained on"]["files"] == ["one.csv", "raw_0.csv", "raw_1.csv"]
    assert card["training"]["steps"] == 20 and card["DBSCAN after MIRO"]["eps [nm]"] > 0
    assert json.loads((folder / "model" / "model_card.json").read_text())["K"] == 4


def test_simulated_spec_fit_stores_its_spec(tmp_path):
    spec = fit.read_spec(["cluster_radius_nm=25", "localizations_per_cluster=15"], SPEC_DEFAULTS)
    config = fit.fit_config(steps=10, base=_tiny(fit_recipe.get_config()), spec=spec)
    card = fit.fit(config, tmp_path / "model", tmp_path / "work", progress=False)
    assert card["trained on"]["source"] == "simulated"
    assert card["trained on"]["simulator"] == "spec_field"
    assert card["trained on"]["spec"]["cluster_radius_nm"] == 25.0
    # δ from the spec: 3 × the clusters' radius of gyration (≈ √2 × 25 nm)
    assert 90 < card["connectivity radius δ [nm]"] < 125


def test_a_budgeted_fit_continues_where_it_stopped(tmp_path, capsys):
    spec = fit.read_spec(["localizations_per_cluster=15"], SPEC_DEFAULTS)
    config = fit.fit_config(minutes=0.05, base=_tiny(fit_recipe.get_config()), spec=spec)
    first = fit.fit(config, tmp_path / "model", tmp_path / "work", progress=False)
    again = fit.fit(config, tmp_path / "model", tmp_path / "work", progress=False)
    assert again["training"]["steps"] > first["training"]["steps"] > 0
    assert f"resuming from checkpoint {first['training']['steps']}" in capsys.readouterr().err


def test_fit_modes_are_exclusive(tmp_path, capsys):
    code = cli.main(["fit", "a.csv", "--simulate", "shape=spot", "--out", str(tmp_path / "m")])
    assert code == 2 and "exactly one" in capsys.readouterr().err


def test_every_bundled_model_has_a_card_and_a_row():
    names = model_store.bundled_models()
    table = model_store.models_table().splitlines()
    assert set(benchmark.SCENARIOS) <= set(names) and all(model_store.load_card(n) for n in names)
    assert all(any(line.startswith(n + " ") for line in table) for n in names)


def test_model_auto_skips_models_whose_card_says_not_to(tmp_path, monkeypatch):
    def bundle(name, density, auto):
        (tmp_path / name).mkdir()
        (tmp_path / name / "config.json").write_text("{}")
        trained_on = {"density [localizations/um^2]": density}
        trained_on["median nearest-neighbour distance [nm]"] = 20.0
        card = {"hidden size": 128, "trained on": trained_on, model_store.AUTO_PICK: auto}
        (tmp_path / name / "model_card.json").write_text(json.dumps(card))

    bundle("rings_like", 100.0, False)  # the closer one, but for one structure kind
    bundle("generic", 300.0, True)
    monkeypatch.setattr(model_store, "BUNDLED_DIR", tmp_path)
    statistics = {"density [localizations/um^2]": 100.0}
    statistics["median nearest-neighbour distance [nm]"] = 20.0
    assert model_store.closest_bundled_model(statistics)[0] == "generic"


def test_model_auto_picks_the_bundled_model_trained_on_similar_data():
    field = simulate.benchmark_scenario(np.random.default_rng(0), 8)
    name, why = model_store.closest_bundled_model(fit.field_statistics([fit.unlabelled(field.xy)]))
    assert name == "scenario_8", why
    blinking = simulate.benchmark_scenario(np.random.default_rng(0), 9, blinking=True)
    statistics = fit.field_statistics([fit.unlabelled(blinking.xy)])
    assert model_store.closest_bundled_model(statistics)[0].endswith("_blinking")
    cards = {n: model_store.load_card(n) for n in model_store.bundled_models()}
    wide = {
        n
        for n, c in cards.items()
        if c.get(model_store.AUTO_PICK, True) and c["hidden size"] == 256
    }
    # the bundled benchmark models (those --model auto picks from) are as wide as their rows of
    # the CPU recipe say
    assert wide == {n for n, row in benchmark_cpu.RECIPE.items() if row.hidden == 256}
    assert wide == {"scenario_3", "scenario_6", "scenario_9"}
    assert model_store.closest_bundled_model(statistics, hidden_size=256)[0] in wide


def test_methods_without_miro_add_no_squeezed_columns(tmp_path):
    xy, _ = simulate.gaussian_clusters(np.random.default_rng(0), num_clusters=5)
    pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1]}).to_csv(tmp_path / "c.csv", index=False)
    assert (
        cli.main(
            [
                "cluster",
                str(tmp_path / "c.csv"),
                "--method",
                "dbscan",
                "--eps",
                "40",
                "--min-samples",
                "4",
                "--out",
                str(tmp_path / "o.csv"),
                "--quiet",
            ]
        )
        == 0
    )
    assert list(pd.read_csv(tmp_path / "o.csv").columns) == ["x", "y", "cluster"]
