"""Seconds per training step of MIRO and the Fig. S2 MPN baselines at the Fig. S2 sweeps' width
(hidden 128, K 25) on the authors' scenario_6_blinking graph (7,642 nodes, 45,692 edges).

  taskset -c 0 python -m experiments.mpn_step_time

Prints one line per model: median and min of 5 steps after compilation (random initial weights;
the sum of |displacements| is printed so that two code versions can be checked to compute the
same thing).
"""

import time

import jax
import numpy as np
import optax

from miro_jax import graph as graph_lib
from miro_jax import losses, models, reference_weights

HIDDEN, K, REPEATS = 128, 25, 5


def parity_graph():
    """The authors' scenario_6_blinking graph, padded as training pads it, and its radius."""
    ref = np.load(reference_weights.parity_path("scenario_6_blinking"))
    n, radius = ref["node_features"].shape[0], float(ref["connectivity_radius"])
    pg = graph_lib.PointGraph(
        ref["positions"], ref["node_features"], ref["edge_index"], ref["edge_features"], radius
    )
    target = np.zeros((n, 2), np.float32)
    return graph_lib.pad_batch([graph_lib.to_graphs_tuple(pg, target=target)], 1.0001), radius


def step_seconds(model, g, radius: float) -> tuple[list[float], float]:
    """Wall seconds of REPEATS jitted Adam steps of the paper's loss, and sum |displacements|."""
    tx = optax.adam(1e-4)
    params = model.init(jax.random.key(0), g)
    opt_state = tx.init(params)

    def step(params, opt_state, g):
        def loss(p):
            return losses.miro_loss(model.apply(p, g), g, radius)[0]

        value, grads = jax.value_and_grad(loss)(params)
        updates, opt_state = tx.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, value

    compiled = jax.jit(step).lower(params, opt_state, g).compile()
    jax.block_until_ready(compiled(params, opt_state, g))
    times = []
    for _ in range(REPEATS):
        t = time.perf_counter()
        jax.block_until_ready(compiled(params, opt_state, g))
        times.append(time.perf_counter() - t)
    return times, float(np.abs(model.apply(params, g)["displacements"]).sum())


def main():
    g, radius = parity_graph()
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
