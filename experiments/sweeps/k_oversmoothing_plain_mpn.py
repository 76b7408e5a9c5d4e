"""Fig. S2 with a plain MPN baseline: K stacked layers that see the encoded inputs only as their
initial states (`mpn_reinject_inputs=False`), where our MPN and MIRO re-inject them at every
layer (sweep_k_oversmoothing_long.md: with re-injection the MPN did not degrade with K). The
600-step setting of k_oversmoothing.py, so it fits beside one session's other work.

  taskset -c 0 python scripts/sweep.py experiments/sweeps/k_oversmoothing_plain_mpn.py   # and
  taskset -c 1 python scripts/sweep.py experiments/sweeps/k_oversmoothing_plain_mpn.py   # core 1
"""


def get_sweep():
    return dict(
        name="k_oversmoothing_plain_mpn",
        base="configs/benchmark_cpu.py:scenario_8",
        overrides={"train.num_train_steps": 600, "train.eval_every": 300},
        points=[
            {"model.num_iterations": k, "model_name": "mpn", "mpn_reinject_inputs": False}
            for k in (25, 5)
        ],
        seeds=[0],
        metrics=["dev_compression_index", "dev_dirichlet_energy", "dev_ARI_dagger", "dev_JI_c"],
        reference="Fig. S2 (scenario 6 blinking): MIRO's compression index rises with K and flattens near K = 15; the MPN's degrades as K grows (oversmoothing)",
    )
