"""Ablation 4: Laplacian eigenvector node features vs constant vs shuffled, on two benchmark sets
(here scenario 8; experiments/node_features_inference.py covers 5 trained models at inference).
Do the eigenvector features carry information on these graphs? Hidden 128, 1,500 steps per point
(scaled down from the 6,000-step recipe to fit one session; its dev curve: recipe.md §2).

  python scripts/sweep.py experiments/sweeps/node_features.py
"""


def get_sweep():
    return dict(
        name="node_features",
        base="configs/benchmark_cpu.py:scenario_8",
        overrides={"train.num_train_steps": 1500,
                   "train.eval_every": 500},
        points=[{"data.node_features": m} for m in ("laplacian", "constant", "shuffled")],
        seeds=[0],
        metrics=["dev_ARI_dagger", "dev_JI_c", "dev_loss"],
    )
