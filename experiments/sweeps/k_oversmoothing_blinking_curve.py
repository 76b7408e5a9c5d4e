"""Fig. S2's curve on the paper's own set, scenario_6_blinking: the plain MPN
(`mpn_reinject_inputs=False`) and MIRO at the K values between k_oversmoothing_blinking's 2 and
25, 2,000 steps of the set's CPU recipe. Does the plain MPN's compression peak at a small K and
fall after, while MIRO's rises with K? MIRO at K = 18 (added in the thirty-first session) tells
whether its drop from K = 12 to 25 starts before K = 25.

  taskset -c 0 python scripts/sweep.py experiments/sweeps/k_oversmoothing_blinking_curve.py
  taskset -c 1 python scripts/sweep.py experiments/sweeps/k_oversmoothing_blinking_curve.py
"""


def get_sweep():
    plain_mpn = {"model_name": "mpn", "mpn_reinject_inputs": False}
    return dict(
        name="k_oversmoothing_blinking_curve",
        base="configs/benchmark_cpu.py:scenario_6_blinking",
        overrides={"train.num_train_steps": 2000, "train.eval_every": 1000},
        points=[
            {"model.num_iterations": 12, **plain_mpn},
            {"model.num_iterations": 6, **plain_mpn},
            {"model.num_iterations": 4, **plain_mpn},
            {"model.num_iterations": 12, "model_name": "miro"},
            {"model.num_iterations": 6, "model_name": "miro"},
            {"model.num_iterations": 2, "model_name": "miro"},
            {"model.num_iterations": 18, "model_name": "miro"},
        ],
        seeds=[0],
        metrics=["dev_compression_index", "dev_dirichlet_energy", "dev_ARI_dagger", "dev_JI_c"],
        reference="Fig. S2 (scenario 6 blinking): MIRO's compression index rises with K and "
        "flattens near K = 15; the MPN's degrades as K grows (oversmoothing)",
    )
