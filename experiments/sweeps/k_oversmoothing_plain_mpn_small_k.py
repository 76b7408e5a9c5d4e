"""Fig. S2 at small K: the plain MPN (`mpn_reinject_inputs=False`) at K = 1, 2, 3 beside MIRO at
K = 1, 3, 600 steps each (sweep_k_oversmoothing_plain_mpn.md: at K = 5 and 25 the plain MPN never
left the predict-zero plateau). If a shallow plain stack trains and a deeper one does not, that is
the paper's degradation with K.

  taskset -c 0 python scripts/sweep.py experiments/sweeps/k_oversmoothing_plain_mpn_small_k.py
  taskset -c 1 python scripts/sweep.py experiments/sweeps/k_oversmoothing_plain_mpn_small_k.py
"""


def get_sweep():
    plain_mpn = [
        {"model.num_iterations": k, "model_name": "mpn", "mpn_reinject_inputs": False}
        for k in (1, 2, 3)
    ]
    miro = [{"model.num_iterations": k, "model_name": "miro"} for k in (1, 3)]
    return dict(
        name="k_oversmoothing_plain_mpn_small_k",
        base="configs/benchmark_cpu.py:scenario_8",
        overrides={"train.num_train_steps": 600, "train.eval_every": 300},
        points=plain_mpn + miro,
        seeds=[0],
        metrics=["dev_compression_index", "dev_dirichlet_energy", "dev_ARI_dagger", "dev_JI_c"],
        reference="Fig. S2 (scenario 6 blinking): MIRO's compression index rises with K and flattens near K = 15; the MPN's degrades as K grows (oversmoothing)",
    )
