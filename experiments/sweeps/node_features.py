"""Ablation 4: Laplacian eigenvector node features vs constant vs shuffled, trained on two
benchmark sets (scenario 8 and scenario 4: the two cheapest, ≈400-node graphs). Do the eigenvector
features carry information on these disconnected graphs? Hidden 128, 1,000 steps per point (scaled
down from the recipe's 6,000 to fit one session; the dev curve of the recipe: recipe.md §2).
experiments/node_features_inference.py asks the same of 5 fully trained models at inference.

  taskset -c 1 python scripts/sweep.py experiments/sweeps/node_features.py
"""


def get_sweep():
    points = [
        {"base": f"configs/benchmark_cpu.py:{scenario}", "data.node_features": mode}
        for scenario in ("scenario_8", "scenario_4")
        for mode in ("laplacian", "constant", "shuffled")
    ]
    return dict(
        name="node_features",
        base="configs/benchmark_cpu.py:scenario_8",
        overrides={"train.num_train_steps": 1000, "train.eval_every": 500},
        points=points,
        seeds=[0, 1],
        metrics=["dev_ARI_dagger", "dev_JI_c", "dev_loss"],
        reference="none: no such ablation in the paper (the authors always use |5 smallest non-trivial eigenvectors| of the normalized Laplacian)",
    )
