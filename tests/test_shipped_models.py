"""The 18 benchmark models shipped in miro_jax/trained_models load by name, and none of them sits
on the predict-zero plateau (a plateau model compresses its training FOV's clusters by ≈0.0002)."""

import sys

import numpy as np
import pytest
from conftest import REPO, needs_benchmark

from configs import benchmark, shapes
from miro_jax import (
    benchmark_data,
    evaluation,
    fit,
    inference,
    input_pipeline,
    metrics,
    model_store,
)


def test_every_benchmark_set_has_a_shipped_model():
    assert set(benchmark.SCENARIOS) <= set(model_store.bundled_models())


@needs_benchmark
@pytest.mark.parametrize("name", benchmark.SCENARIOS)
def test_shipped_model_compresses_its_training_clusters(name):
    params, config = model_store.load_model(name)
    assert config.data.scenario == name
    fov = benchmark_data.read_fov(benchmark_data.fov_path(name, config.data.train_fovs[0]))
    result = inference.predict(
        fov.xy_nm, params, config, scaling="fov", duplicates=config.data.duplicates
    )
    # one prediction per step
    assert result.displacements.shape == (config.model.num_iterations, len(fov.xy_nm), 2)
    assert metrics.compression_index(fov.xy_nm, result.squeezed_nm, fov.labels) > 0.1


@needs_benchmark
def test_benchmark_models_are_shown_structures_at_their_training_size():
    """A benchmark model learned on FOVs scaled to [0, 1] per axis, so its stored length scale is
    its training FOVs' mean extent; `miro cluster`'s physical scaling by it squeezes a dev FOV
    where the benchmark's path does (scenario_9: extents ≈ 2,170 nm; the nominal 2,000 nm moves
    a tenth of the localizations 3× further off, a median move being ≈ 37 nm)."""
    for name in model_store.bundled_models():  # shape models: the simulator's nm per unit
        _, config = model_store.load_model(name)
        assert config.graph.length_scale_nm == pytest.approx(
            input_pipeline.unit_length_nm(config)
        ), name
    params, config = model_store.load_model("scenario_9")
    assert config.graph.length_scale_nm > 2150.0
    item = input_pipeline.eval_fovs(config, "dev")[0]
    exact = config.copy_and_resolve_references()
    exact.evals.authors_scaling = False
    benchmark_path = evaluation.squeezed_fovs(params, exact, [item])[0]
    nominal = config.copy_and_resolve_references()
    nominal.graph.length_scale_nm = 2000.0
    p90 = {
        scale: np.percentile(
            np.linalg.norm(
                inference.predict(item.fov.xy_nm, params, c).squeezed_nm - benchmark_path, axis=1
            ),
            90,
        )
        for scale, c in (("stored", config), ("nominal", nominal))
    }
    assert p90["stored"] < 15.0 and p90["stored"] < 0.5 * p90["nominal"], p90


def test_structure_models_carry_the_dbscan_their_cards_state():
    names = [n for n in model_store.bundled_models() if n not in benchmark.SCENARIOS]
    shape_models = {
        "c_shapes",
        "c_shapes_calibrated",
        "c_shapes_separated_400",
        "rings",
        "rings_calibrated",
    }
    assert shape_models | {
        "spots_ellipses",
        "npc_like",
        "multiscale_rings",
        "adjacent_pairs",
    } <= set(names)
    for name in names:
        _, config = model_store.load_model(name)
        card = model_store.load_card(name)
        assert card[model_store.AUTO_PICK] is False, name
        assert config.evals.miro_eps == card["DBSCAN after MIRO"]["eps [nm]"] > 0, name
        assert config.evals.miro_min_samples == card["DBSCAN after MIRO"]["min samples"], name
        two_level = card.get(fit.SUBCLUSTER_CARD_KEY)
        assert bool(two_level) == (config.loss.cutoff_iterations > 0), name
        if two_level:
            assert config.evals.subcluster_eps == two_level["eps [nm]"] > 0
            assert two_level["k*"] == config.loss.cutoff_iterations
            assert inference.subcluster_step(config) == two_level["step"] <= two_level["k*"]
            assert two_level["step"] in fit.subcluster_candidate_steps(config)


def test_benchmark_models_store_dbscan_searched_on_their_training_fovs():
    """The stored DBSCAN parameters are a point of the search's grid (searched, scripts/release.py),
    the card states them and, beside them, the paper's (configs/benchmark.py)."""
    searched = 0
    for name in benchmark.SCENARIOS:
        _, config = model_store.load_model(name)
        card, paper = model_store.load_card(name), benchmark.get_config(name).evals
        ev, grid = config.evals, evaluation.plateau_eps(config.evals.search_eps_max_nm)
        for eps, min_samples, key in (
            (ev.miro_eps, ev.miro_min_samples, "DBSCAN after MIRO"),
            (ev.dbscan_eps, ev.dbscan_min_samples, "DBSCAN alone"),
        ):
            assert abs(grid - eps).min() < 1e-9, (name, key, eps)
            assert min_samples in evaluation.PLATEAU_MIN_SAMPLES, (name, key)
            assert card[key] == {"eps [nm]": eps, "min samples": min_samples}, (name, key)
        stated = card["the paper's DBSCAN (Tables S1/S2)"]
        assert stated["after MIRO"] == {
            "eps [nm]": paper.miro_eps,
            "min samples": paper.miro_min_samples,
        }
        assert stated["alone"] == {
            "eps [nm]": paper.dbscan_eps,
            "min samples": paper.dbscan_min_samples,
        }
        searched += (ev.miro_eps, ev.miro_min_samples) != (paper.miro_eps, paper.miro_min_samples)
        # benchmark evaluations ("paper params" rows, `miro evaluate`) score with the paper's
        restored = evaluation.with_benchmark_evals(config, name).evals
        assert (restored.miro_eps, restored.dbscan_eps) == (paper.miro_eps, paper.dbscan_eps)
    assert searched >= 15  # the paper's values are rarely on the grid


def test_a_warm_start_card_adds_up_its_history():
    """A model trained on from another keeps every earlier run on its card (scripts/release.py
    with_history): steps and minutes add up, and writing the same run's card again keeps them."""
    sys.path.insert(0, str(REPO / "scripts"))
    import release

    first = {"made by": "run A", "training": {"steps": 1000, "minutes": 10.0}}
    second = release.with_history({"steps": 500, "minutes": 5.2}, "run B", first)
    assert (second["steps in all"], second["minutes in all"]) == (1500, 15.2)
    assert second["earlier runs"][0].startswith("run A (bundled at git ")
    third = release.with_history(
        {"steps": 200, "minutes": 2.0}, "run C", {"made by": "run B", "training": second}
    )
    assert (third["steps in all"], len(third["earlier runs"])) == (1700, 2)
    again = release.with_history(
        {"steps": 500, "minutes": 5.2}, "run B", {"made by": "run B", "training": second}
    )
    assert again == second
    assert release.with_history({"steps": 9}, "run A", None) == {"steps": 9}


def test_shape_models_are_named_for_the_fields_they_were_trained_on():
    """A shape model is bundled under a configs/shapes.py task simulating exactly its training's
    fields (scripts/release.py --name checks it), so `--model NAME`'s reports score it there."""
    sys.path.insert(0, str(REPO / "scripts"))
    import release

    names = [n for n in model_store.bundled_models() if n in shapes.TASKS]
    assert "spots_ellipses" in names
    for name in names:
        _, config = model_store.load_model(name)
        assert config.data.scenario == name
        assert release.simulated_fields(config) == release.simulated_fields(shapes.get_config(name))
    assert release.simulated_fields(shapes.get_config("spots_ellipses_cpu")) == (
        release.simulated_fields(shapes.get_config("spots_ellipses"))
    )
    assert release.simulated_fields(shapes.get_config("spots_ellipses_separated")) != (
        release.simulated_fields(shapes.get_config("spots_ellipses"))
    )
