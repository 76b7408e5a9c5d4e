"""Fig. S2 at 2,000 steps with the plain MPN (`mpn_reinject_inputs=False`) at K = 1, 2, 3, 5, 25
(sweep_k_oversmoothing_long.md has MIRO and the re-injecting MPN at K = 5 and 25 in the same
setting): at 600 steps the plain MPN's compression fell with K and MIRO's rose
(sweep_k_oversmoothing_plain_mpn_small_k.md); does it hold once the models have trained?

  taskset -c 1 python scripts/sweep.py experiments/sweeps/k_oversmoothing_plain_mpn_long.py
"""


def get_sweep():
    plain_mpn = [
        {"model.num_iterations": k, "model_name": "mpn", "mpn_reinject_inputs": False}
        for k in (1, 2, 3, 5, 25)
    ]
    return dict(
        name="k_oversmoothing_plain_mpn_long",
        base="configs/benchmark_cpu.py:scenario_8",
        overrides={"train.num_train_steps": 2000, "train.eval_every": 1000},
        points=plain_mpn,
        seeds=[0],
        metrics=["dev_compression_index", "dev_dirichlet_energy", "dev_ARI_dagger", "dev_JI_c"],
        reference="Fig. S2 (scenario 6 blinking): MIRO's compression index rises with K and flattens near K = 15; the MPN's degrades as K grows (oversmoothing)",
    )
