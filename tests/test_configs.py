"""Configs: the 18 benchmark sets carry the manifest's facts; overrides and the model section."""

import ast
import dataclasses

import numpy as np
import pytest
from conftest import BENCHMARK, needs_benchmark

from configs import benchmark, default, shapes
from miro_jax import augment, model_store, models


@needs_benchmark
def test_benchmark_facts_equal_manifest():
    import json

    manifest = json.loads((BENCHMARK / "manifest.json").read_text())
    assert set(manifest) == set(benchmark.SCENARIOS)
    for name, m in manifest.items():
        c = benchmark.get_config(name)
        kw = dict(m["reference_builder_kwargs"])
        assert c.graph.connectivity_radius == kw.pop("connectivity_radius")
        assert c.data.reference_dataset_size == kw.pop("dataset_size")
        assert c.model.num_iterations == m["reference_K"]
        assert list(c.data.train_fovs) == m["train_fovs"] and list(c.data.dev_fovs) == m["dev_fovs"]
        for k, v in kw.items():
            got = c.data.builder_kwargs[k]
            assert (list(got) if isinstance(got, tuple) else got) == v, (name, k)
        assert (c.evals.miro_eps, c.evals.miro_min_samples) == (
            m["paper_miro_dbscan"]["eps"],
            m["paper_miro_dbscan"]["min_samples"],
        )
        assert (c.evals.dbscan_eps, c.evals.dbscan_min_samples) == (
            m["paper_dbscan"]["eps"],
            m["paper_dbscan"]["min_samples"],
        )


def test_model_is_built_from_its_config_section():
    c = default.get_config()
    c.model.hidden_size = 64
    assert models.Miro(**c.model).hidden_size == 64


def test_unknown_scenario_is_named():
    with pytest.raises(ValueError, match="unknown scenario 'scenario_11'"):
        benchmark.get_config("scenario_11")


def test_cpu_recipe_changes_only_the_documented_fields():
    from configs import benchmark_cpu

    for name in ("scenario_8", "scenario_6_blinking"):
        authors, cpu = benchmark.get_config(name), benchmark_cpu.get_config(name)
        assert authors.model.hidden_size == 256 and cpu.model.hidden_size == 128
        assert authors.optimizer.learning_rate == 1e-4 and cpu.optimizer.learning_rate == 3e-4
        assert authors.train.num_train_steps == 30 * authors.data.reference_dataset_size // 4
        # full-size graphs (crops keep the model on the plateau); scenario_6_blinking crops after it
        assert (cpu.data.crop_size, cpu.data.crop_start_step) == (
            (0.5, 500) if name == "scenario_6_blinking" else (0.0, 0)
        )
        # scenario_6_blinking: 1 graph per step (most blinking sets 2)
        assert cpu.train.batch_size == (1 if name == "scenario_6_blinking" else 4)
        for section in ("graph", "evals"):
            assert authors[section].to_dict() == cpu[section].to_dict()
        # the paper's L1 loss, after 1,000 steps of squared residuals on scenario_6_blinking (plateau)
        assert cpu.loss.l2_warmup_steps == (1000 if name == "scenario_6_blinking" else 0)
        assert {**authors.loss.to_dict(), "l2_warmup_steps": 0} == {
            **cpu.loss.to_dict(),
            "l2_warmup_steps": 0,
        }
        assert authors.data.builder_kwargs.to_dict() == cpu.data.builder_kwargs.to_dict()
        assert authors.model.num_iterations == cpu.model.num_iterations


def test_shape_configs_build_simulated_batches():
    from configs import shapes
    from miro_jax import input_pipeline

    config = shapes.get_config("spots_ellipses")
    config.data.num_eval_fovs = 1
    batch = input_pipeline.make_source(config).batch(0)
    assert set(np.unique(batch.nodes["class"])) <= {0, 1, 2}
    assert config.model.num_classes == 3  # background + spot + ellipse: every id indexes a logit
    from miro_jax import train

    train.check_class_labels(batch, config)
    config.model.num_classes = 2
    with pytest.raises(ValueError, match="class id 2 but model.num_classes = 2"):
        train.check_class_labels(batch, config)
    dev = input_pipeline.eval_fovs(config)
    assert len(dev) == 1 and dev[0].fov.xy_nm.max() > 3200  # full-size 6.4 µm evaluation FOV


def test_shape_tasks_carry_their_own_config_fields():
    from configs import shapes

    for task in ("multiscale_rings", "npc_like"):  # the paper's Table S7: K / k* = 30 / 15
        two_level = shapes.get_config(task)
        assert (two_level.model.num_iterations, two_level.loss.cutoff_iterations) == (30, 15)
    assert shapes.get_config("rings").loss.cutoff_iterations == 0  # one target for every step
    with pytest.raises(ValueError, match="unknown shapes task 'ring'"):
        shapes.get_config("ring")


def test_training_command_remakes_the_config():
    """A model card's command, applied to its base config, gives back the trained config."""
    base = shapes.get_config("spots_ellipses")
    trained = shapes.get_config("spots_ellipses")
    trained.optimizer.learning_rate = 1e-4
    trained.train.num_train_steps = 1500
    trained.train.init_from = "workdirs/spots_ellipses/model"
    command = model_store.training_command(
        "configs/shapes.py:spots_ellipses", base, trained, "workdirs/x"
    )
    assert command.startswith(
        "python -m miro_jax.main --config configs/shapes.py:spots_ellipses --workdir workdirs/x "
    )
    overrides = [a.removeprefix("--config.").split("=", 1) for a in command.split()[7:]]
    assert len(overrides) == 3
    for key, text in overrides:
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            value = text
        base.update_from_flattened_dict({key: value})
    assert model_store.config_differences(base, trained) == []


def test_separated_tasks_keep_shape_centres_apart():
    # rings' placement centres ≥ min_separation_nm apart; a 20-point ring's centroid strays
    # ≈ 40 nm from its centre, hence the allowance (overlapping placement gives pairs < 100 nm)
    import scipy.spatial

    from miro_jax import input_pipeline

    for task in ("rings_separated", "rings_calibrated"):
        config = shapes.get_config(task)
        field = input_pipeline.simulated_field(config, np.random.default_rng(0), evaluation=True)
        ids = np.unique(field.labels[field.labels > 0])
        centroids = np.array([field.xy[field.labels == i].mean(axis=0) for i in ids])
        nearest = scipy.spatial.distance.pdist(centroids).min()
        if task == "rings_separated":
            assert nearest >= config.data.eval_simulator_kwargs.min_separation_nm - 150.0
        else:
            assert nearest < 200.0
    # the C-shapes task's arguments reach the simulator (both field sizes)
    config = shapes.get_config("c_shapes_separated")
    for evaluation in (False, True):
        input_pipeline.simulated_field(config, np.random.default_rng(0), evaluation)


def test_the_config_holds_every_builder_setting():
    """Each augmentation builder's settings are config fields with their default in one place
    (configs/benchmark.py for the authors' builders, config.fit for `miro fit`'s); the builders
    themselves hold none."""
    structural = {"clusters", "backgrounds", "fields", "connectivity_radius", "population_seed"}
    for name, cls in augment.BUILDERS.items():
        settings = {f.name for f in dataclasses.fields(cls)} - structural
        assert settings == set(benchmark.BUILDER_DEFAULTS[name]), name
    field_settings = {f.name for f in dataclasses.fields(augment.FieldBuilder)} - structural
    assert field_settings - {"window"} <= set(default.get_config().fit)
    for cls in (*augment.BUILDERS.values(), augment.FieldBuilder):
        defaults = {
            f.name
            for f in dataclasses.fields(cls)
            if f.default is not dataclasses.MISSING and f.name not in structural
        }
        assert not defaults, (cls.__name__, defaults)
