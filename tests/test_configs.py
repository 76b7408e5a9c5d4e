"""Configs: the 18 benchmark sets carry the manifest's facts; overrides and the model section."""

import pytest
from conftest import BENCHMARK, needs_benchmark

from configs import benchmark, default
from miro_jax import models


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
            m["paper_miro_dbscan"]["eps"], m["paper_miro_dbscan"]["min_samples"])
        assert (c.evals.dbscan_eps, c.evals.dbscan_min_samples) == (
            m["paper_dbscan"]["eps"], m["paper_dbscan"]["min_samples"])


def test_model_is_built_from_its_config_section():
    c = default.get_config()
    c.model.hidden_size = 64
    assert models.Miro(**c.model).hidden_size == 64


def test_unknown_scenario_is_named():
    with pytest.raises(ValueError, match="unknown scenario 'scenario_11'"):
        benchmark.get_config("scenario_11")
