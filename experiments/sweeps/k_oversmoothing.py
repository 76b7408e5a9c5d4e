"""Ablation 1 (paper Fig. S2): K ∈ {5, 15, 25}, MIRO vs the MPN baseline (K stacked layers) with
and without LayerNorm; compression index and Dirichlet energy of the final node states on the dev
FOVs. Scaled down to fit one session on the 2-core CPU: scenario 8 graphs (≈400 nodes; the paper:
scenario 6 blinking, 12k-node graphs, ≈30× the cost per step), hidden 128, 600 steps per point,
3 values of K, 1 seed. A step costs ∝ K and an MPN step ≈2× a MIRO step at the same K. (A first
try on scenario 4 at 400 steps left every model on the predict-zero plateau: sweep_k_oversmoothing.md.)

  taskset -c 0 python scripts/sweep.py experiments/sweeps/k_oversmoothing.py   # and the same
  taskset -c 1 python scripts/sweep.py experiments/sweeps/k_oversmoothing.py   # on core 1: they share the points
"""


def get_sweep():
    points = []
    for k in (5, 15, 25):
        points.append({"model.num_iterations": k, "model_name": "miro"})
        points.append({"model.num_iterations": k, "model_name": "mpn", "mpn_layer_norm": False})
        points.append({"model.num_iterations": k, "model_name": "mpn", "mpn_layer_norm": True})
    return dict(
        name="k_oversmoothing",
        base="configs/benchmark_cpu.py:scenario_8",
        overrides={"train.num_train_steps": 600, "train.eval_every": 300},
        points=points,
        seeds=[0],
        metrics=["dev_compression_index", "dev_dirichlet_energy", "dev_ARI_dagger", "dev_JI_c"],
        reference="Fig. S2 (scenario 6 blinking): MIRO's compression index rises with K and flattens near K = 15; the MPN's degrades as K grows (oversmoothing)",
    )
