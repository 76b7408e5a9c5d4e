"""Ablation 4: Laplacian eigenvector node features vs constant vs shuffled, on two benchmark sets
(scenario 8 and scenario 6). Do the eigenvector features carry information on these disconnected
graphs? Hidden 128, 3,000 steps per point.

  python scripts/sweep.py experiments/sweeps/node_features.py
"""


def get_sweep():
    return dict(
        name="node_features",
        base="configs/benchmark_cpu.py:scenario_8",
        overrides={"train.num_train_steps": 3000,
                   "train.eval_every": 1000},
        points=[{"data.node_features": m} for m in ("laplacian", "constant", "shuffled")],
        seeds=[0],
        metrics=["dev_ARI_dagger", "dev_JI_c", "dev_loss"],
    )
