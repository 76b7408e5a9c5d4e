"""Shared fixtures: where ../shared is, and a small self-made benchmark for training tests."""

import json
from pathlib import Path

import numpy as np
import pytest

from miro_jax import benchmark_data, graph, model_store, models, reference_weights, simulate

REPO = Path(__file__).resolve().parents[1]
# where the library looks: $MIRO_REFERENCE_DIR / $MIRO_BENCHMARK_ROOT, else ../shared
REFERENCE = reference_weights.reference_dir()
BENCHMARK = benchmark_data.benchmark_root()

needs_reference = pytest.mark.skipif(
    not REFERENCE.exists(), reason=f"{REFERENCE} (authors' weights/parity vectors) absent"
)
needs_benchmark = pytest.mark.skipif(
    not BENCHMARK.exists(), reason=f"{BENCHMARK} (benchmark FOVs) absent"
)

SCENARIO_SETS = [f"scenario_{i}{suffix}" for i in range(2, 11) for suffix in ("", "_blinking")]


@pytest.fixture(scope="session")
def toy_benchmark(tmp_path_factory) -> Path:
    """A benchmark-shaped folder made by our simulator: 'toy' set, FOVs 1–5, 400 nm FOVs."""
    root = tmp_path_factory.mktemp("toy_benchmark")
    (root / "toy").mkdir()
    rng = np.random.default_rng(0)
    for n in range(1, 6):
        xy, labels = simulate.gaussian_clusters(
            rng, fov_nm=1000.0, num_clusters=6, points_per_cluster=10, cluster_std_nm=20.0
        )
        simulate.write_benchmark_csv(root / "toy" / f"fov_{n:02d}.csv", xy, labels)
    manifest = {"toy": {"train_fovs": [1, 2], "dev_fovs": [3, 4, 5]}}
    (root / "manifest.json").write_text(json.dumps(manifest))
    return root


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A small random-weight model saved like a trained one (1 µm length scale): tests of the
    command line must not need training."""
    import jax

    from configs import tiny

    config = tiny.get_config()
    config.graph.length_scale_nm = 1000.0
    g = graph.build_graph(np.random.default_rng(0).random((30, 2)), 0.2)
    params = models.Miro(**config.model).init(jax.random.key(0), g)
    path = tmp_path_factory.mktemp("model") / "tiny"
    model_store.save_model(path, params, config)
    return path
