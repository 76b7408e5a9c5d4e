"""Ablation 1 (paper Fig. S2): K ∈ {5, 10, 15, 20, 25}, MIRO vs the MPN baseline (K stacked
layers) with and without LayerNorm; compression index and Dirichlet energy of the final node
states on the dev FOVs. Scaled down to fit one session on the 2-core CPU: scenario 4 graphs
(≈400 nodes; the paper: scenario 6 blinking, 12k-node graphs, ≈30× the cost per step), hidden 128,
400 steps per point (a step costs ∝ K, and an MPN step ≈2× a MIRO step at the same K: the 15
points cost ≈84 min on one core at 400 steps), 1 seed.

  taskset -c 0 python scripts/sweep.py experiments/sweeps/k_oversmoothing.py  # or --jobs 2 --pin
"""


def get_sweep():
    points = []
    for k in (5, 10, 15, 20, 25):
        points.append({"model.num_iterations": k, "model_name": "miro"})
        points.append({"model.num_iterations": k, "model_name": "mpn", "mpn_layer_norm": False})
        points.append({"model.num_iterations": k, "model_name": "mpn", "mpn_layer_norm": True})
    return dict(
        name="k_oversmoothing",
        base="configs/benchmark_cpu.py:scenario_4",
        overrides={"train.num_train_steps": 400,
                   "train.eval_every": 200},
        points=points,
        seeds=[0],
        metrics=["dev_compression_index", "dev_dirichlet_energy", "dev_ARI_dagger", "dev_JI_c"],
        reference="Fig. S2 (scenario 6 blinking): MIRO's compression index rises with K and flattens near K = 15; the MPN's degrades as K grows (oversmoothing)",
    )
