"""Training: loss goes down, a killed run resumes bit for bit, padding buckets bound compilation."""

import json

import jax
import numpy as np
import pytest

from configs import tiny
from miro_jax import benchmark_data, evaluation, graph, input_pipeline, losses, model_store, train


def _config(root, **train_overrides):
    config = tiny.get_config()
    config.data.root = str(root)
    for k, v in train_overrides.items():
        setattr(config.train, k, v)
    return config


def _leaves(params):
    return [np.asarray(x) for x in jax.tree_util.tree_leaves(params)]


def test_training_lowers_dev_loss(toy_benchmark, tmp_path):
    config = _config(
        toy_benchmark, num_train_steps=40, eval_every=40, checkpoint_every=40, log_every=10
    )
    config.optimizer.learning_rate = 1e-3
    source = input_pipeline.TrainingSource(config)
    dev = input_pipeline.eval_fovs(config)
    initial = train.create_train_state(config, source.batch(0))
    before = evaluation.model_scores(initial.params, dev, config)["loss"]
    state = train.train_and_evaluate(config, tmp_path, progress=False)
    after = evaluation.model_scores(state.params, dev, config)["loss"]
    assert after < 0.8 * before, (before, after)
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert any("dev_ARI_dagger" in r for r in records)
    params, saved_config = model_store.load_model(tmp_path / "model")
    assert saved_config.model.hidden_size == 16
    # one model unit was each training FOV's extent (per-axis [0, 1] scaling): the saved length
    # scale is their mean, not the config's nominal 2,000 nm
    extents = [
        benchmark_data.read_fov(benchmark_data.fov_path("toy", n, toy_benchmark)).extent
        for n in config.data.train_fovs
    ]
    assert saved_config.graph.length_scale_nm == pytest.approx(np.mean(extents))
    assert 800.0 < saved_config.graph.length_scale_nm < 1000.0
    for a, b in zip(_leaves(params), _leaves(state.params)):
        np.testing.assert_array_equal(a, b)


def test_killed_run_resumes_bit_identical(toy_benchmark, tmp_path, monkeypatch):
    config = _config(toy_benchmark)
    uninterrupted = train.train_and_evaluate(config, tmp_path / "a", progress=False)

    real_batch = input_pipeline.TrainingSource.batch

    def dying_batch(self, step):
        if step == 4:  # after the step-3 checkpoint
            raise KeyboardInterrupt("killed")
        return real_batch(self, step)

    monkeypatch.setattr(input_pipeline.TrainingSource, "batch", dying_batch)
    with pytest.raises(KeyboardInterrupt):
        train.train_and_evaluate(config, tmp_path / "b", progress=False)
    monkeypatch.setattr(input_pipeline.TrainingSource, "batch", real_batch)
    resumed = train.train_and_evaluate(config, tmp_path / "b", progress=False)
    assert int(resumed.step) == 6
    for a, b in zip(_leaves(uninterrupted.params), _leaves(resumed.params)):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(_leaves(uninterrupted.opt_state), _leaves(resumed.opt_state)):
        np.testing.assert_array_equal(a, b)


def test_batches_are_a_function_of_step(toy_benchmark):
    config = _config(toy_benchmark)
    a, b = input_pipeline.TrainingSource(config), input_pipeline.TrainingSource(config)
    for x, y in zip(jax.tree_util.tree_leaves(a.batch(5)), jax.tree_util.tree_leaves(b.batch(5))):
        np.testing.assert_array_equal(x, y)
    config.data.dataset_size = 3  # fixed set: each epoch is a permutation of samples 0..2
    idx = [input_pipeline.sample_indices(s, 1, 3, 0)[0] for s in range(6)]
    assert sorted(idx[:3]) == [0, 1, 2] and sorted(idx[3:]) == [0, 1, 2]


def test_bucketing_bounds_recompilation():
    sizes = range(100, 5000, 37)
    budgets = {graph.bucket(s, 1.25) for s in sizes}
    assert all(graph.bucket(s, 1.25) >= s for s in sizes)
    # 130 different sizes -> one shape per factor 1.25: ceil(log(5000/100)/log(1.25)) + 1 = 19
    assert len(budgets) <= 19
    assert max(graph.bucket(s, 1.25) / s for s in sizes) < 1.3


def test_same_bucket_does_not_retrace(toy_benchmark):
    """Batches padded to one budget reuse one compiled train step."""
    config = _config(toy_benchmark)
    source = input_pipeline.TrainingSource(config)
    batches = [source.batch(s) for s in range(8)]
    shapes = {(b.nodes["features"].shape[0], b.edges["features"].shape[0]) for b in batches}
    state = train.create_train_state(config, batches[0])
    settings = losses.static_loss_settings(config)
    traces = []
    step_fn = jax.jit(
        lambda s, g: (traces.append(1), train.loss_fn(s, state.apply_fn, g, dict(settings)))[1]
    )
    for b in batches:
        step_fn(state.params, b)
    assert len(traces) == len(shapes) < len(batches)


def test_node_feature_ablations():
    rng = np.random.default_rng(0)
    f = rng.random((10, 5))
    np.testing.assert_array_equal(input_pipeline.ablate_node_features(f, "laplacian", rng), f)
    c = input_pipeline.ablate_node_features(f, "constant", rng)
    assert np.all(c == 1 / np.sqrt(10))
    s = input_pipeline.ablate_node_features(f, "shuffled", rng)
    assert sorted(map(tuple, s)) == sorted(map(tuple, f)) and not np.array_equal(s, f)


def test_l2_warmup_switches_to_the_papers_l1_loss():
    config = tiny.get_config()
    config.loss.l2_warmup_steps = 3
    norms = [losses.loss_settings(config, step)["norm"] for step in range(5)]
    assert norms == ["l2", "l2", "l2", "l1", "l1"]
    assert losses.loss_settings(config)["norm"] == "l1"  # evaluation always scores the paper's loss


def test_single_cluster_source_trains_on_the_median_sized_cluster(toy_benchmark):
    sizes = [3, 9, 5, 7, 1]
    clusters = [np.full((n, 2), float(n)) for n in sizes]
    assert len(input_pipeline.single_shot_cluster(clusters)) == 5  # median of 1, 3, 5, 7, 9
    config = _config(toy_benchmark)
    full = input_pipeline.TrainingSource(config)
    config.data.single_cluster = True
    single = input_pipeline.TrainingSource(config)
    assert len(single.builder.clusters) == 1 and len(full.builder.clusters) > 1
    assert any(len(c) == len(single.builder.clusters[0]) for c in full.builder.clusters)


def test_benchmark_evaluation_searches_dbscan_on_the_training_fovs(toy_benchmark):
    from miro_jax import evaluation

    config = _config(toy_benchmark)
    state = train.create_train_state(config, input_pipeline.TrainingSource(config).batch(0))
    result = evaluation.evaluate_benchmark(
        config, state.params, auto_dbscan=True, label="MIRO", progress=False
    )
    chosen = result["chosen"]
    assert set(chosen) == {
        "DBSCAN (paper params)",
        "DBSCAN (auto params)",
        "MIRO (paper params)",
        "MIRO (auto params)",
    }
    for method in ("DBSCAN (auto params)", "MIRO (auto params)"):  # the plateau rule's grid
        assert chosen[method].eps in evaluation.PLATEAU_EPS
        assert chosen[method].min_samples in evaluation.PLATEAU_MIN_SAMPLES
    per_fov = result["per_fov"]
    assert len(per_fov) == 4 * len(config.data.dev_fovs)
    auto = per_fov[per_fov["method"] == "DBSCAN (auto params)"]
    assert auto["ARI_dagger"].mean() > 0.8  # separated toy clusters: the searched DBSCAN finds them


def test_best_dev_final_params_ship_the_best_evaluation(toy_benchmark, tmp_path):
    config = _config(
        toy_benchmark,
        num_train_steps=40,
        eval_every=10,
        checkpoint_every=40,
        log_every=10,
        final_params="best_dev",
    )
    config.optimizer.learning_rate = 1e-3
    state = train.train_and_evaluate(config, tmp_path, progress=False)
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    dev = {r["step"]: r["dev_ARI_dagger"] for r in records if "dev_ARI_dagger" in r}
    shipped = [r["final_params_step"] for r in records if "final_params_step" in r]
    assert len(dev) == 4 and len(shipped) == 1 and dev[shipped[0]] == max(dev.values()), (
        dev,
        shipped,
    )
    params, _ = model_store.load_model(tmp_path / "model")
    rescored = evaluation.model_scores(params, input_pipeline.eval_fovs(config), config)
    assert rescored["ARI_dagger"] == pytest.approx(dev[shipped[0]], abs=1e-6)
    if shipped[0] != 40:  # an earlier step won: model/ is not the last state
        assert any(not np.array_equal(a, b) for a, b in zip(_leaves(params), _leaves(state.params)))


def test_dev_class_f1_scores_cluster_votes():
    """Dev evaluation's cluster-level class F1: 1 when every cluster's vote is its true class, and
    DBSCAN clusters vote (one wrong localization in a cluster does not change its class)."""
    import types

    truth = np.array([0, 1, 1, 1, 2, 2, 2])
    classes = np.array([0, 1, 1, 1, 2, 2, 2])
    item = types.SimpleNamespace(
        fov=types.SimpleNamespace(xy_nm=np.zeros((7, 2)), labels=truth),
        graph=types.SimpleNamespace(nodes={"class": classes}),
    )
    predicted = np.array([0, 1, 2, 1, 2, 2, 1])  # one wrong localization in each cluster
    logits = np.eye(3)[predicted][None]  # [K=1, n, classes]
    assert evaluation.cluster_class_f1({"logits": logits}, item, truth) == 1.0
    swapped = np.eye(3)[np.array([0, 2, 2, 2, 1, 1, 1])][None]
    assert evaluation.cluster_class_f1({"logits": swapped}, item, truth) == 0.0


def _damage(checkpoint_dir, how):
    """Damages the newest checkpoint step folder in one of the ways a killed disk write leaves."""
    step = max(int(p.name) for p in checkpoint_dir.iterdir() if p.name.isdigit())
    folder = checkpoint_dir / str(step)
    if how == "truncated":
        for f in folder.rglob("*"):
            if f.is_file() and f.stat().st_size > 100:
                f.write_bytes(f.read_bytes()[: f.stat().st_size // 3])
    elif how == "empty_metadata":
        for f in folder.rglob("_METADATA"):
            f.write_text("")
    elif how == "empty_folder":
        import shutil

        shutil.rmtree(folder)
        folder.mkdir()
    return step


@pytest.fixture(scope="module")
def finished_workdir(toy_benchmark, tmp_path_factory):
    """A 6-step run with checkpoints at steps 3 and 6 (copied by each test that damages it)."""
    workdir = tmp_path_factory.mktemp("finished")
    train.train_and_evaluate(
        _config(toy_benchmark, num_train_steps=6, checkpoint_every=3), workdir, progress=False
    )
    return workdir


@pytest.mark.parametrize("how", ["truncated", "empty_metadata", "empty_folder"])
def test_damaged_latest_checkpoint_falls_back_to_the_previous_one(
    toy_benchmark, finished_workdir, tmp_path, how, capsys
):
    import shutil

    shutil.copytree(finished_workdir, tmp_path, dirs_exist_ok=True)
    config = _config(toy_benchmark, num_train_steps=6, checkpoint_every=3)
    _damage(tmp_path / "checkpoints", how)
    config.train.num_train_steps = 6
    latest, _ = train._checkpoint_managers(tmp_path, config)
    state = train.create_train_state(config, input_pipeline.TrainingSource(config).batch(0))
    state, step = train.restore_newest_readable(latest, state)
    assert step == 3 and int(state.step) == 3
    assert "checkpoint 6 is unreadable" in capsys.readouterr().err
    assert int(train.train_and_evaluate(config, tmp_path, progress=False).step) == 6


def test_changed_config_on_a_workdir_is_refused_before_writing(
    toy_benchmark, finished_workdir, tmp_path
):
    import shutil

    shutil.copytree(finished_workdir, tmp_path, dirs_exist_ok=True)
    config = _config(toy_benchmark, num_train_steps=6, checkpoint_every=3)
    before = (tmp_path / "config.json").read_text()
    config.model.hidden_size = 32
    with pytest.raises(train.TrainingSetupError, match=r"model.hidden_size: 16 → 32"):
        train.train_and_evaluate(config, tmp_path, progress=False)
    assert (tmp_path / "config.json").read_text() == before
    config.model.hidden_size = 16
    config.train.max_minutes = 5.0  # a budget may change between invocations
    train.train_and_evaluate(config, tmp_path, progress=False)


def test_resumed_run_logs_each_step_once(toy_benchmark, tmp_path, monkeypatch):
    config = _config(toy_benchmark)  # 6 steps, log every step, checkpoint every 3
    real_batch = input_pipeline.TrainingSource.batch

    def dying_batch(self, step):
        if step == 5:  # steps 4 and 5 are logged after the step-3 checkpoint
            raise KeyboardInterrupt("killed")
        return real_batch(self, step)

    monkeypatch.setattr(input_pipeline.TrainingSource, "batch", dying_batch)
    with pytest.raises(KeyboardInterrupt):
        train.train_and_evaluate(config, tmp_path, progress=False)
    monkeypatch.setattr(input_pipeline.TrainingSource, "batch", real_batch)
    train.train_and_evaluate(config, tmp_path, progress=False)
    steps = [r["step"] for r in train.read_metrics(tmp_path) if "train_loss" in r]
    assert steps == [1, 2, 3, 4, 5, 6]


def test_time_budget_stops_with_a_checkpoint_and_a_model(toy_benchmark, tmp_path):
    config = _config(toy_benchmark, num_train_steps=10**6, checkpoint_every=10**6)
    config.train.max_minutes = 1e-9  # out of time after the first step
    state = train.train_and_evaluate(config, tmp_path, progress=False)
    assert int(state.step) == 1
    assert any(r.get("stopped_at_time_budget") == 1 for r in train.read_metrics(tmp_path))
    model_store.load_model(tmp_path / "model")
    latest, _ = train._checkpoint_managers(tmp_path, config)
    assert latest.latest_step() == 1


def test_recorded_minutes_add_up_resumed_runs():
    # a run to 120 s, a resume whose clock restarts at 0 and reaches 60 s; records without time
    records = [{"time": 30.0}, {"time": 120.0}, {"step": 5}, {"time": 10.0}, {"time": 60.0}]
    assert train.recorded_minutes(records) == pytest.approx(3.0)
    assert np.isnan(train.recorded_minutes([{"step": 1}]))


def test_recorded_steps_is_the_last_logged_step_not_the_configured_count():
    # a budget-stopped run logs up to step 3,600 of a configured 4,000; eval records repeat steps
    records = [{"step": 20, "time": 1.0}, {"step": 3600, "time": 2.0}, {"step": 3000}, {"x": 1}]
    assert train.recorded_steps(records) == 3600
    assert train.recorded_steps([{"time": 1.0}]) == 0
