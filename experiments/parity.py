"""Parity with the authors' 18 trained models: max |Δ| of our per-step displacements vs theirs.

  python -m experiments.parity

Feeds each parity_<set>.npz's node features, edges and edge features to our model loaded with
weights_<set>.npz (plain and fused formulations); writes experiments/results/parity.md.
"""

import jax
import jraph
import numpy as np

from experiments import report
from miro_jax import models, reference_weights

SETS = [f"scenario_{i}{s}" for i in range(2, 11) for s in ("", "_blinking")]


def main():
    lines = [
        *report.header("Parity with the authors' trained models", "python -m experiments.parity"),
        "| set | N | E | K | max abs Δ plain | max abs Δ fused | max abs output |",
        "|---|---|---|---|---|---|---|",
    ]
    worst = 0.0
    for name in SETS:
        ref = np.load(reference_weights.parity_path(name))
        params = reference_weights.load_reference_params(reference_weights.weights_path(name))
        g = jraph.GraphsTuple(
            nodes={"features": ref["node_features"]},
            edges={"features": ref["edge_features"]},
            senders=ref["edge_index"][0].astype(np.int32),
            receivers=ref["edge_index"][1].astype(np.int32),
            n_node=np.array([len(ref["node_features"])]),
            n_edge=np.array([ref["edge_index"].shape[1]]),
            globals=None,
        )
        k = int(ref["num_steps"])
        errs = []
        for fused in (False, True):
            out = jax.jit(models.Miro(num_iterations=k, fused=fused).apply)(params, g)
            errs.append(
                float(np.abs(np.asarray(out["displacements"]) - ref["displacements"]).max())
            )
        worst = max(worst, *errs)
        lines.append(
            f"| {name} | {g.n_node[0]} | {g.n_edge[0]} | {k} | {errs[0]:.1e} | {errs[1]:.1e} | "
            f"{np.abs(ref['displacements']).max():.3f} |"
        )
        print(lines[-1], flush=True)
    lines += ["", f"Worst over all sets and steps: {worst:.1e} (bound 1e-4)."]
    report.write("parity.md", lines)


if __name__ == "__main__":
    main()
