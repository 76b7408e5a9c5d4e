"""Fig. S2 on scenario_6_blinking at the set's full CPU recipe (4,000 steps, twice the other
Fig. S2 sweeps): MIRO at K = 25, 18 and 12, seed 0, to tell whether MIRO's lower compression at
K = 25 after 2,000 steps (fig_s2_blinking.md) is depth or training budget.

  taskset -c 0 python scripts/sweep.py experiments/sweeps/k_oversmoothing_blinking_row.py
  taskset -c 1 python scripts/sweep.py experiments/sweeps/k_oversmoothing_blinking_row.py
"""


def get_sweep():
    return dict(
        name="k_oversmoothing_blinking_row",
        base="configs/benchmark_cpu.py:scenario_6_blinking",
        overrides={"train.eval_every": 1000},
        points=[
            {"model.num_iterations": 25, "model_name": "miro"},
            {"model.num_iterations": 18, "model_name": "miro"},
            {"model.num_iterations": 12, "model_name": "miro"},
        ],
        seeds=[0],
        metrics=["dev_compression_index", "dev_dirichlet_energy", "dev_ARI_dagger", "dev_JI_c"],
        reference="Fig. S2 (scenario 6 blinking): MIRO's compression is flat beyond K ≈ 15",
    )
