"""The simulated-shape tasks (configs/shapes.py) with the authors' full training recipe, for a GPU.

  python -m miro_jax.main --config configs/shapes_full.py:c_shapes --workdir runs/c_shapes_full

The authors' recipe (REFERENCE_FACTS.md §4): hidden 256, Adam at a constant 1e-4, a fixed set of
1,000 graphs shown 30 times in batches of 4 (7,500 steps). K and k* are configs/shapes.py's
(paper Table S7 where it gives them). scripts/device_train.py trains several of these at once
on the lent GPU.
"""

import ml_collections

from configs import shapes

DATASET_SIZE = 1000
EPOCHS = 30
BATCH_SIZE = 4


def get_config(task: str = "c_shapes") -> ml_collections.ConfigDict:
    config = shapes.get_config(task)
    config.model.hidden_size = 256
    config.optimizer.learning_rate = 1e-4
    config.optimizer.schedule = "constant"
    config.optimizer.warmup_steps = 0
    config.data.dataset_size = DATASET_SIZE
    config.train.batch_size = BATCH_SIZE
    config.train.num_train_steps = EPOCHS * DATASET_SIZE // BATCH_SIZE
    config.train.eval_every = 2500
    config.train.checkpoint_every = 500
    config.train.log_every = 100
    return config
