"""Seconds per training step of MIRO and the Fig. S2 MPN baselines at the Fig. S2 sweeps' width
(hidden 128, K 25) on the authors' scenario_6_blinking graph (7,642 nodes, 45,692 edges).

  taskset -c 0 python -m experiments.mpn_step_time

Prints one line per model: median and min of 5 steps after compilation (random initial weights;
the sum of |displacements| is printed so that two code versions can be checked to compute the
same thing).
"""

import jax
import numpy as np

from experiments import speed
from miro_jax import models

HIDDEN, K, REPEATS = 128, 25, 5


def step_seconds(model, g, radius: float) -> tuple[list[float], float]:
    """Wall seconds of REPEATS jitted Adam steps of the paper's loss (after one untimed), and
    sum |displacements| of the initial weights."""
    params = model.init(jax.random.key(0), g)
    step, opt_state = speed.adam_train_step(model, params, radius)
    compiled = jax.jit(step).lower(params, opt_state, g).compile()
    times = speed.repeat_times(
        lambda: jax.block_until_ready(compiled(params, opt_state, g)), REPEATS
    )
    return times, float(np.abs(model.apply(params, g)["displacements"]).sum())


def main():
    ref = np.load(speed.GRAPH)
    g, radius = speed.padded_graph(ref), float(ref["connectivity_radius"])
    for name, model in {
        "MIRO": models.Miro(hidden_size=HIDDEN, num_iterations=K),
        "plain MPN": models.MpnBaseline(
            hidden_size=HIDDEN, num_iterations=K, reinject_inputs=False
        ),
        "MPN": models.MpnBaseline(hidden_size=HIDDEN, num_iterations=K),
    }.items():
        times, total = step_seconds(model, g, radius)
        print(
            f"{name}: median {np.median(times):.3f} s, min {min(times):.3f} s, "
            f"sum |displacements| {total:.6f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
