"""Ablation 1 (paper Fig. S2) at 3.3× the length of k_oversmoothing.py: K ∈ {5, 25}, MIRO vs the
MPN baseline (K stacked layers, no LayerNorm), 2,000 steps per point on scenario 8 graphs (the
first sweep's 600 steps left the MPN undegraded while still early in training). Longest point
first, so two invocations finish together (on the AVX2 EPYC the MPN at K = 25 is ≈2.5 s a step,
≈85 min on one core).

  taskset -c 0 python scripts/sweep.py experiments/sweeps/k_oversmoothing_long.py   # and the same
  taskset -c 1 python scripts/sweep.py experiments/sweeps/k_oversmoothing_long.py   # on core 1
"""


def get_sweep():
    return dict(
        name="k_oversmoothing_long",
        base="configs/benchmark_cpu.py:scenario_8",
        overrides={"train.num_train_steps": 2000, "train.eval_every": 1000},
        points=[
            {"model.num_iterations": 25, "model_name": "mpn", "mpn_layer_norm": False},
            {"model.num_iterations": 25, "model_name": "miro"},
            {"model.num_iterations": 5, "model_name": "mpn", "mpn_layer_norm": False},
            {"model.num_iterations": 5, "model_name": "miro"},
        ],
        seeds=[0],
        metrics=["dev_compression_index", "dev_dirichlet_energy", "dev_ARI_dagger", "dev_JI_c"],
        reference="Fig. S2 (scenario 6 blinking): MIRO's compression index rises with K and flattens near K = 15; the MPN's degrades as K grows (oversmoothing)",
    )
