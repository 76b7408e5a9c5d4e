"""Fig. S2 on the paper's own set, scenario_6_blinking (5–12k-node graphs): the plain MPN
(`mpn_reinject_inputs=False`) at K = 2 and 25 beside MIRO at K = 25, 2,000 steps of the set's CPU
recipe. On scenario_8's small graphs depth delayed the plain MPN but did not, once trained, make
it worse (sweep_k_oversmoothing_plain_mpn_long.md); do larger graphs oversmooth it?

  taskset -c 0 python scripts/sweep.py experiments/sweeps/k_oversmoothing_blinking.py
"""


def get_sweep():
    return dict(
        name="k_oversmoothing_blinking",
        base="configs/benchmark_cpu.py:scenario_6_blinking",
        overrides={"train.num_train_steps": 2000, "train.eval_every": 1000},
        points=[
            {"model.num_iterations": 2, "model_name": "mpn", "mpn_reinject_inputs": False},
            {"model.num_iterations": 25, "model_name": "miro"},
            {"model.num_iterations": 25, "model_name": "mpn", "mpn_reinject_inputs": False},
        ],
        seeds=[0],
        metrics=["dev_compression_index", "dev_dirichlet_energy", "dev_ARI_dagger", "dev_JI_c"],
        reference="Fig. S2 (scenario 6 blinking): MIRO's compression index rises with K and flattens near K = 15; the MPN's degrades as K grows (oversmoothing)",
    )
