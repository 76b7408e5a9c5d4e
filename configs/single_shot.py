"""Single-shot training (paper Table S5): the CPU recipe, but the builder gets ONE annotated
cluster of the training FOVs (the median-sized one) and augments it as the authors' builder does.

  python -m miro_jax.main --config configs/single_shot.py:scenario_6 --workdir runs/single_s6
  python -m experiments.single_shot --scenario scenario_6
"""

import ml_collections

from configs import benchmark_cpu


def get_config(scenario: str = "scenario_6") -> ml_collections.ConfigDict:
    config = benchmark_cpu.get_config(scenario)
    config.data.single_cluster = True
    return config
