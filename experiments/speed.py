"""Times MIRO on the authors' scenario_6_blinking graph (7,642 nodes, 45,692 edges, K = 25).

  python experiments/speed.py            # all variants, each in its own process (peak RSS)
  python experiments/speed.py --variant fused-train --repeats 5

Variants: {plain,fused}-{infer,train}[-remat][-bf16], graph (Delaunay + Laplacian features).
Each timing is the median of --repeats runs after compilation; compile time is reported apart.
Writes experiments/results/speed.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
GRAPH = REPO.parent / "shared" / "reference" / "parity_scenario_6_blinking.npz"
VARIANTS = ["graph", "plain-infer", "fused-infer", "fused-infer-bf16", "plain-train",
            "fused-train", "fused-train-remat"]


def flops_per_step(n: int, e: int, h: int, fused: bool) -> float:
    """Multiply-adds × 2 of one recurrent step (encoders and invariants excluded)."""
    if fused:
        macs = n * (h * 2 * h + h * h + 2 * h) + e * h * h
    else:
        macs = n * (2 * h * h + h * h + 2 * h) + e * (2 * h * h + 3 * h * h)
    return 2.0 * macs


def run_variant(name: str, repeats: int) -> dict:
    import jax
    import jax.numpy as jnp
    import numpy as np
    import optax

    from miro_jax import graph as graph_lib
    from miro_jax import input_pipeline, losses, models, reference_weights

    ref = np.load(GRAPH)
    n, e = ref["node_features"].shape[0], ref["edge_index"].shape[1]
    k, r = int(ref["num_steps"]), float(ref["connectivity_radius"])
    result = {"variant": name, "nodes": n, "edges": e, "K": k}
    if name == "graph":
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            graph_lib.build_point_graph(ref["positions"].astype(np.float64), r)
            times.append(time.perf_counter() - t)
        result.update(median_s=float(np.median(times)), compile_s=0.0)
    else:
        fused, train = name.startswith("fused"), "train" in name
        model = models.Miro(num_iterations=k, fused=fused, remat="remat" in name,
                            bf16_matmuls="bf16" in name)
        params = reference_weights.load_reference_params(
            REPO.parent / "shared" / "reference" / "weights_scenario_6_blinking.npz")
        pg = graph_lib.PointGraph(ref["positions"], ref["node_features"], ref["edge_index"],
                                  ref["edge_features"], r)
        g = input_pipeline.pad_batch([graph_lib.to_graphs_tuple(
            pg, target=np.zeros((n, 2), np.float32))], 1.0001)
        if train:
            tx = optax.adam(1e-4)
            opt_state = tx.init(params)

            def step(params, opt_state, g):
                def loss(p):
                    return losses.miro_loss(model.apply(p, g), g, r)[0]
                value, grads = jax.value_and_grad(loss)(params)
                updates, opt_state = tx.update(grads, opt_state, params)
                return optax.apply_updates(params, updates), opt_state, value
            fn = jax.jit(step)
            args = (params, opt_state, g)
        else:
            fn = jax.jit(lambda p, g: model.apply(p, g)["displacements"])
            args = (params, g)
        t = time.perf_counter()
        compiled = fn.lower(*args).compile()
        compile_s = time.perf_counter() - t
        jax.block_until_ready(compiled(*args))
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            jax.block_until_ready(compiled(*args))
            times.append(time.perf_counter() - t)
        flops = k * flops_per_step(n, e, 256, fused) * (3.0 if train else 1.0)
        result.update(median_s=float(np.median(times)), min_s=float(np.min(times)),
                      compile_s=compile_s, gflops=flops / 1e9,
                      gflop_per_s=flops / 1e9 / float(np.median(times)))
        if not train:
            out = np.asarray(compiled(*args))
            result["parity_max_abs"] = float(np.abs(out[:, :n] - ref["displacements"]).max())
        del jnp
    result["peak_rss_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variant", default=None)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if args.variant:
        print(json.dumps(run_variant(args.variant, args.repeats)))
        return
    rows = []
    for v in VARIANTS:
        reps = args.repeats if "plain-train" not in v else max(3, args.repeats // 2)
        out = subprocess.run([sys.executable, __file__, "--variant", v, "--repeats", str(reps)],
                             capture_output=True, text=True, check=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(rows[-1], flush=True)
    lines = [
        "# Speed on the authors' scenario_6_blinking graph (7,642 nodes, 45,692 edges, K = 25)",
        "",
        f"Command: `python experiments/speed.py --repeats {args.repeats}`  ",
        f"Machine: {platform.machine()} {platform.processor() or ''}, 2 cores, 24 GiB, no GPU; "
        f"JAX {__import__('jax').__version__}; date {datetime.date.today()}  ",
        "Each variant runs in its own process; times are medians over the repeats after compilation;"
        " peak RSS is the process's maximum resident set (includes JAX/XLA itself).",
        "",
        "| variant | median s | compile s | GFLOP | GFLOP/s | peak RSS GB | parity max abs |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['variant']} | {r['median_s']:.3f} | {r['compile_s']:.1f} | "
            f"{r.get('gflops', 0):.0f} | {r.get('gflop_per_s', 0):.0f} | {r['peak_rss_gb']:.2f} | "
            f"{r.get('parity_max_abs', float('nan')):.1e} |")
    lines += ["", "Authors' PyTorch code on this machine kind (issue 5): 9.4 s per forward pass, "
              "34 s per training step (≈33 GFLOP per recurrent step, ≈88 GFLOP/s)."]
    out = REPO / "experiments" / "results" / "speed.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
