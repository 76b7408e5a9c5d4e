"""Ablation 3 (paper Table S9): α ∈ {0, 5, 10, 15, 20} with β = 0.1, and β ∈ {0.05, 0.2, 0.5}
with α = 10, on the spots + ellipses mixture. Scaled down to fit one session on the 2-core CPU
(same training as hidden_size.py): hidden 128, K = 10, 2 graphs per step, 800 steps, 1 seed.

  taskset -c 1 python scripts/sweep.py experiments/sweeps/alpha_beta.py
"""


def get_sweep():
    points = [{"loss.alpha": a, "loss.beta": 0.1} for a in (0.0, 5.0, 10.0, 15.0, 20.0)]
    points += [{"loss.alpha": 10.0, "loss.beta": b} for b in (0.05, 0.2, 0.5)]
    return dict(
        name="alpha_beta",
        base="configs/shapes.py:spots_ellipses_cpu",
        points=points,
        seeds=[0],
        metrics=[
            "dev_ARI_dagger",
            "dev_JI_c",
            "dev_class_macro_F1",
            "dev_compression_index",
            "dev_cross_entropy",
        ],
        reference="Table S9 (spots + ellipses): scores flat over α ∈ {0, 5, 10, 15, 20} and β ∈ {0.05, …, 0.5}",
    )
