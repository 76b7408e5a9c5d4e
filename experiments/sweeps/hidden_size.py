"""Ablation 2 (paper Table S8): hidden size 64/128/256/512 on the spots + ellipses mixture
(classification + clustering). Scaled down: 2,000 steps per point, 2 seeds.

  python scripts/sweep.py experiments/sweeps/hidden_size.py --jobs 1
"""


def get_sweep():
    return dict(
        name="hidden_size",
        base="configs/shapes.py:spots_ellipses",
        overrides={"train.num_train_steps": 2000, "train.eval_every": 1000},
        points=[{"model.hidden_size": h} for h in (64, 128, 256, 512)],
        seeds=[0, 1],
        metrics=["dev_ARI_dagger", "dev_JI_c", "dev_cross_entropy"],
    )
