"""Ablation 3b (paper Fig. S3): α = 0 vs α > 0 on scenario 6 blinking (hidden 128, 1,500 steps).

  python scripts/sweep.py experiments/sweeps/alpha_scenario6b.py
"""


def get_sweep():
    return dict(
        name="alpha_scenario6b",
        base="configs/benchmark_cpu.py:scenario_6_blinking",
        overrides={"train.num_train_steps": 1500,
                   "train.eval_every": 500},
        points=[{"loss.alpha": a} for a in (0.0, 5.0, 10.0)],
        seeds=[0],
        metrics=["dev_ARI_dagger", "dev_JI_c", "dev_compression_index"],
    )
