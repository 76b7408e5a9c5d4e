"""A tiny config for tests: the default with a small model, few steps, and a self-made benchmark.

Tests set config.data.root to a folder made by miro_jax.simulate (scenario 'toy').
"""

import ml_collections

from configs import default


def get_config() -> ml_collections.ConfigDict:
    config = default.get_config()
    config.data.scenario = "toy"
    config.data.train_fovs = (1, 2)
    config.data.dev_fovs = (3,)
    config.data.builder_kwargs.noise_point_range = (20, 30)
    config.data.builder_kwargs.cluster_count_range = (3, 5)
    config.graph.connectivity_radius = 0.2
    config.model.hidden_size = 16
    config.model.num_iterations = 3
    config.train.batch_size = 2
    config.train.num_train_steps = 6
    config.train.log_every = 1
    config.train.eval_every = 3
    config.train.checkpoint_every = 3
    config.evals.miro_eps = 30.0
    config.evals.miro_min_samples = 4
    config.evals.max_fovs = 1
    return config
