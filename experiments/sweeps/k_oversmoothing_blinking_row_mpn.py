"""Fig. S2 on scenario_6_blinking at the set's full CPU recipe (4,000 steps): the plain MPN at
K = 25, 12 and 6, seed 0, beside MIRO's 4,000-step rows (k_oversmoothing_blinking_row*.py), to tell
whether the plain MPN's fall at K = 25 after 2,000 steps survives the whole training budget.

  taskset -c 0 python scripts/sweep.py experiments/sweeps/k_oversmoothing_blinking_row_mpn.py
  taskset -c 1 python scripts/sweep.py experiments/sweeps/k_oversmoothing_blinking_row_mpn.py
"""


def get_sweep():
    return dict(
        name="k_oversmoothing_blinking_row_mpn",
        base="configs/benchmark_cpu.py:scenario_6_blinking",
        overrides={"train.eval_every": 1000},
        points=[
            {"model.num_iterations": 25, "model_name": "mpn", "mpn_reinject_inputs": False},
            {"model.num_iterations": 12, "model_name": "mpn", "mpn_reinject_inputs": False},
            {"model.num_iterations": 6, "model_name": "mpn", "mpn_reinject_inputs": False},
        ],
        seeds=[0],
        metrics=["dev_compression_index", "dev_dirichlet_energy", "dev_ARI_dagger", "dev_JI_c"],
        reference="Fig. S2 (scenario 6 blinking): the MPN's compression degrades as K grows",
    )
