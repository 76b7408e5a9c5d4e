"""Fig. S2's plain-MPN peak on scenario_6_blinking, a second seed: the plain MPN
(`mpn_reinject_inputs=False`) at K = 2, 6 and 12 with seed 1, to tell the rise to K = 12 in
k_oversmoothing_blinking(_curve) from seed noise; then (thirty-first session) the plain MPN at
K = 25 and MIRO at K = 12, 18 and 25, to tell the MPN's collapse and MIRO's drop after K = 12 from
seed noise. 2,000 steps of the set's CPU recipe.

  taskset -c 0 python scripts/sweep.py experiments/sweeps/k_oversmoothing_blinking_seed1.py
  taskset -c 1 python scripts/sweep.py experiments/sweeps/k_oversmoothing_blinking_seed1.py
"""


def get_sweep():
    plain_mpn = {"model_name": "mpn", "mpn_reinject_inputs": False}
    return dict(
        name="k_oversmoothing_blinking_seed1",
        base="configs/benchmark_cpu.py:scenario_6_blinking",
        overrides={"train.num_train_steps": 2000, "train.eval_every": 1000},
        points=[
            {"model.num_iterations": 25, **plain_mpn},
            {"model.num_iterations": 12, **plain_mpn},
            {"model.num_iterations": 6, **plain_mpn},
            {"model.num_iterations": 2, **plain_mpn},
            {"model.num_iterations": 12, "model_name": "miro"},
            {"model.num_iterations": 25, "model_name": "miro"},
            {"model.num_iterations": 18, "model_name": "miro"},
        ],
        seeds=[1],
        metrics=["dev_compression_index", "dev_dirichlet_energy", "dev_ARI_dagger", "dev_JI_c"],
        reference="Fig. S2 (scenario 6 blinking): the MPN's compression degrades as K grows "
        "(oversmoothing)",
    )
