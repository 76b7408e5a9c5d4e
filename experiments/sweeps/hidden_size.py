"""Ablation 2 (paper Table S8): hidden size 64/128/256/512 on the spots + ellipses mixture
(classification + clustering). Scaled down to fit one session on the 2-core CPU: K = 10 (shapes
config: 20), 2 graphs per step (4), 800 steps, 1 seed; a step at hidden 512 costs ≈12× one at 128.
Same training as alpha_beta.py, so its (α 10, β 0.1) point is this sweep's hidden-128 point.

  taskset -c 0 python scripts/sweep.py experiments/sweeps/hidden_size.py
"""


def get_sweep():
    return dict(
        name="hidden_size",
        base="configs/shapes.py:spots_ellipses_cpu",
        points=[{"model.hidden_size": h} for h in (64, 128, 256, 512)],
        seeds=[0],
        metrics=["dev_ARI_dagger", "dev_JI_c", "dev_class_macro_F1", "dev_cross_entropy"],
        reference="Table S8 (spots + ellipses, full GPU training): hidden 256 best, 64 ≈ 0.02 ARI† lower, 128 ≈ 0.003 lower, 512 no gain",
    )
