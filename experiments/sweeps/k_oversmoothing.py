"""Ablation 1 (paper Fig. S2): K ∈ {5, 10, 15, 20, 25} on scenario 6 blinking, MIRO vs the MPN
baseline with and without LayerNorm; compression index and Dirichlet energy of the final node
states on the dev FOVs. Scaled down from the paper: hidden 128, 1,500 steps per point.

  python scripts/sweep.py experiments/sweeps/k_oversmoothing.py
"""


def get_sweep():
    points = []
    for k in (5, 10, 15, 20, 25):
        points.append({"model.num_iterations": k, "model_name": "miro"})
        points.append({"model.num_iterations": k, "model_name": "mpn", "mpn_layer_norm": False})
        points.append({"model.num_iterations": k, "model_name": "mpn", "mpn_layer_norm": True})
    return dict(
        name="k_oversmoothing",
        base="configs/benchmark_cpu.py:scenario_6_blinking",
        overrides={"train.num_train_steps": 1500,
                   "train.eval_every": 500},
        points=points,
        seeds=[0],
        metrics=["dev_compression_index", "dev_dirichlet_energy", "dev_ARI_dagger", "dev_JI_c"],
    )
