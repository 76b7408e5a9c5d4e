"""k_oversmoothing_blinking_row with seed 1: MIRO at K = 25, 18 and 12 on scenario_6_blinking's full
4,000-step CPU recipe, to tell K 25's level against K 18 from seed noise.

  taskset -c 0 python scripts/sweep.py experiments/sweeps/k_oversmoothing_blinking_row_seed1.py
"""


def get_sweep():
    return dict(
        name="k_oversmoothing_blinking_row_seed1",
        base="configs/benchmark_cpu.py:scenario_6_blinking",
        overrides={"train.eval_every": 1000},
        points=[
            {"model.num_iterations": 25, "model_name": "miro"},
            {"model.num_iterations": 18, "model_name": "miro"},
            {"model.num_iterations": 12, "model_name": "miro"},
        ],
        seeds=[1],
        metrics=["dev_compression_index", "dev_dirichlet_energy", "dev_ARI_dagger", "dev_JI_c"],
        reference="Fig. S2 (scenario 6 blinking): MIRO's compression is flat beyond K ≈ 15",
    )
