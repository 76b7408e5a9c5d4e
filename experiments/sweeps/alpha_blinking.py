"""Ablation 3b (paper Fig. S3: α > 0 needed on scenario 6 blinking): α = 0 vs α = 10 on a blinking
benchmark set. Scaled down to fit one session on the 2-core CPU: scenario 8 blinking (the
cheapest blinking set that leaves the predict-zero plateau on full graphs, recipe.md §3.4; scenario
6 blinking costs ≈4× per 2-graph step and cannot be cropped, §3.3, §3.5), hidden 128, 800 steps, 1 seed.

  taskset -c 1 python scripts/sweep.py experiments/sweeps/alpha_blinking.py  # or --jobs 2 --pin
"""


def get_sweep():
    return dict(
        name="alpha_blinking",
        base="configs/benchmark_cpu.py:scenario_8_blinking",
        overrides={"train.num_train_steps": 800, "train.eval_every": 400},
        points=[{"loss.alpha": a} for a in (0.0, 10.0)],
        seeds=[0],
        metrics=["dev_ARI_dagger", "dev_JI_c", "dev_RMSRE_N", "dev_compression_index"],
        reference="Fig. S3 (scenario 6 blinking): α > 0 is needed; with α = 0 clusters are not compressed well",
    )
