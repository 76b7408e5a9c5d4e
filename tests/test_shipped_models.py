"""The 18 benchmark models shipped in miro_jax/trained_models load by name, and none of them sits
on the predict-zero plateau (a plateau model compresses its training FOV's clusters by ≈0.0002)."""

import numpy as np
import pytest
from conftest import needs_benchmark

from configs import benchmark
from miro_jax import benchmark_data, graph, metrics, model_store, models


def test_every_benchmark_set_has_a_shipped_model():
    assert set(benchmark.SCENARIOS) <= set(model_store.bundled_models())


@needs_benchmark
@pytest.mark.parametrize("name", benchmark.SCENARIOS)
def test_shipped_model_compresses_its_training_clusters(name):
    params, config = model_store.load_model(name)
    assert config.data.scenario == name
    fov = benchmark_data.read_fov(benchmark_data.fov_path(name, config.data.train_fovs[0]))
    g = graph.build_graph(fov.unit_xy, config.graph.connectivity_radius)
    out = np.asarray(models.Miro(**config.model).apply(params, g)["displacements"])
    assert out.shape == (config.model.num_iterations, len(fov.unit_xy), 2)  # one prediction per step
    squeezed = fov.unit_xy - config.graph.connectivity_radius * out[-1]
    assert metrics.compression_index(fov.unit_xy, squeezed, fov.labels) > 0.1
