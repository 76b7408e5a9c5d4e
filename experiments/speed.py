"""Times MIRO on the authors' scenario_6_blinking graph (7,642 nodes, 45,692 edges, K = 25).

  python -m experiments.speed            # all variants, each in its own process (peak RSS)
  python -m experiments.speed --variant fused-train --repeats 5

Variants: {plain,fused}-{infer,train}[-remat][-bf16], graph (Delaunay + Laplacian features),
matmul-peak[-bf16] (XLA's dense 2048³ matmul on this CPU: the ceiling any formulation can reach),
matmul-edges[-bf16] (the step's dominant product, [edges, 256] @ [256, 256], alone).
Each timing is the median of --repeats runs after compilation; compile time is reported apart.
Writes experiments/results/speed.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from experiments import report
from miro_jax import reference_weights

GRAPH = reference_weights.parity_path("scenario_6_blinking")
VARIANTS = [
    "graph",
    "plain-infer",
    "fused-infer",
    "fused-infer-bf16",
    "plain-train",
    "fused-train",
    "fused-train-remat",
    "fused-train-bf16",
    "matmul-peak",
    "matmul-peak-bf16",
    "matmul-edges",
    "matmul-edges-bf16",
    "torch-infer",
    "torch-train",
]


def repeat_times(fn, repeats: int) -> list[float]:
    """Wall seconds of `repeats` calls of fn() after one untimed call (warm-up, compilation);
    fn blocks until its result is ready."""
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


def timing_fields(times: list[float], flops: float, compile_s: float = 0.0) -> dict:
    """A row's timing columns: median and min seconds, compile seconds, GFLOP, GFLOP/s at the
    median, and the process's peak RSS so far."""
    import numpy as np

    median = float(np.median(times))
    return {
        "median_s": median,
        "min_s": float(np.min(times)),
        "compile_s": compile_s,
        "gflops": flops / 1e9,
        "gflop_per_s": flops / 1e9 / median,
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
    }


def run_torch(name: str, repeats: int) -> dict:
    """The authors' formulation in plain PyTorch (their layer order, concatenations, index_select
    and index_add at the receiver, fp32, torch's default CPU threads): the baseline we compare to.
    Needs `pip install torch==2.13.0`; skipped without it."""
    import numpy as np
    import torch

    ref = np.load(GRAPH)
    w = np.load(reference_weights.weights_path("scenario_6_blinking"))
    k, r = int(ref["num_steps"]), float(ref["connectivity_radius"])
    lin = {}
    for role, key in [
        ("xenc", "model.encoder.0.blocks.0.layer"),
        ("eenc", "model.encoder.1.blocks.0.layer"),
        ("nc", "model.backbone.layer.0.0.blocks.0.layer"),
        ("ec", "model.backbone.layer.0.1.blocks.0.layer"),
        ("msg", "model.backbone.layer.1.blocks.0.transform.layer"),
        ("upd", "model.backbone.layer.1.blocks.0.update.blocks.0.layer"),
        ("head", "model.backbone.head.blocks.0.layer"),
    ]:
        layer = torch.nn.Linear(w[key + ".weight"].shape[1], w[key + ".weight"].shape[0])
        layer.weight.data = torch.tensor(w[key + ".weight"])
        layer.bias.data = torch.tensor(w[key + ".bias"])
        lin[role] = layer
    modules = torch.nn.ModuleDict(lin)
    x = torch.tensor(ref["node_features"])
    ea = torch.tensor(ref["edge_features"])
    s_idx, t_idx = (torch.tensor(ref["edge_index"][0]), torch.tensor(ref["edge_index"][1]))
    pos = torch.tensor(ref["positions"])

    def forward():
        v, e = lin["xenc"](x), lin["eenc"](ea)
        u = torch.zeros(v.shape[0], 256)
        f = torch.zeros(e.shape[0], 256)
        outs = []
        for _ in range(k):
            h = lin["nc"](torch.cat([u, v], 1))
            g = lin["ec"](torch.cat([f, e], 1))
            f = torch.relu(lin["msg"](torch.cat([h[s_idx], h[t_idx], g], 1)))
            agg = torch.zeros_like(u).index_add_(0, t_idx, f)
            u = torch.relu(lin["upd"](agg))
            outs.append(lin["head"](u))
        return outs

    def train_step(opt):
        outs = forward()
        loss = 0.0
        for o in outs:
            q = pos - r * o
            d = torch.linalg.norm(q[s_idx] - q[t_idx], dim=1)
            dt = torch.linalg.norm(pos[s_idx] - pos[t_idx], dim=1)
            loss = (
                loss
                + torch.nn.functional.l1_loss(o, torch.zeros_like(o))
                + 10 * (d - dt).abs().mean()
            )
        loss = loss / len(outs)
        opt.zero_grad()
        loss.backward()
        opt.step()

    result = {
        "variant": name,
        "nodes": x.shape[0],
        "edges": ea.shape[0],
        "K": k,
        "torch_threads": torch.get_num_threads(),
    }
    if name == "torch-infer":
        with torch.no_grad():
            times = repeat_times(forward, repeats)
            out = forward()
        result["parity_max_abs"] = float(
            np.abs(torch.stack(out).numpy() - ref["displacements"]).max()
        )
        flops = k * flops_per_step(x.shape[0], ea.shape[0], 256, False)
    else:
        opt = torch.optim.Adam(modules.parameters(), lr=1e-4)
        times = repeat_times(lambda: train_step(opt), repeats)
        flops = 3 * k * flops_per_step(x.shape[0], ea.shape[0], 256, False)
    result.update(timing_fields(times, flops))
    return result


def flops_per_step(n: int, e: int, h: int, fused: bool) -> float:
    """Multiply-adds × 2 of one recurrent step (encoders and invariants excluded)."""
    if fused:
        macs = n * (h * 2 * h + h * h + 2 * h) + e * h * h
    else:
        macs = n * (2 * h * h + h * h + 2 * h) + e * (2 * h * h + 3 * h * h)
    return 2.0 * macs


def run_matmul(name: str, repeats: int, num_edges: int) -> dict:
    """One XLA matmul (fp32, or bf16 inputs with fp32 results): 'peak' is a dense [2048, 2048]
    square, the rate no formulation of the same FLOPs can beat on this CPU; 'edges' is the
    step's dominant [edges, 256] @ [256, 256] product, how close to it the model's shape gets."""
    import jax
    import jax.numpy as jnp

    m, k, n = (2048, 2048, 2048) if "peak" in name else (num_edges, 256, 256)
    dtype = jnp.bfloat16 if name.endswith("bf16") else jnp.float32
    key_a, key_b = jax.random.split(jax.random.PRNGKey(0))
    a = jax.random.normal(key_a, (m, k)).astype(dtype)
    b = jax.random.normal(key_b, (k, n)).astype(dtype)
    fn = jax.jit(lambda x, y: jnp.matmul(x, y, preferred_element_type=jnp.float32))
    times = repeat_times(lambda: jax.block_until_ready(fn(a, b)), repeats)
    return {"variant": name, **timing_fields(times, 2.0 * m * k * n)}


def speed_ceiling(rows: list[dict]) -> list[str]:
    """The largest speed-ups over the PyTorch rows that the fused FLOPs allow at XLA's measured
    dense-matmul peak (every FLOP at peak, gathers and scatters free)."""
    by = {r["variant"]: r for r in rows}
    if "matmul-peak" not in by or "torch-infer" not in by:
        return []
    lines = []
    for kind, peak in [("fp32", by["matmul-peak"]), ("bf16", by.get("matmul-peak-bf16"))]:
        if peak is None:
            continue
        rate = peak["gflop_per_s"]
        infer_s = by["fused-infer"]["gflops"] / rate
        train_s = by["fused-train"]["gflops"] / rate
        lines.append(
            f"Ceiling at XLA's {kind} matmul peak ({rate:.0f} GFLOP/s): fused inference "
            f"≥ {infer_s:.2f} s, training step ≥ {train_s:.2f} s, i.e. at most "
            f"{by['torch-infer']['median_s'] / infer_s:.1f}× / "
            f"{by['torch-train']['median_s'] / train_s:.1f}× over this run's PyTorch rows."
        )
    return lines


def padded_graph(ref):
    """The parity file's graph as training pads it (one graph, zero targets)."""
    import numpy as np

    from miro_jax import graph as graph_lib

    pg = graph_lib.PointGraph(
        ref["positions"],
        ref["node_features"],
        ref["edge_index"],
        ref["edge_features"],
        float(ref["connectivity_radius"]),
    )
    target = np.zeros((ref["node_features"].shape[0], 2), np.float32)
    return graph_lib.pad_batch([graph_lib.to_graphs_tuple(pg, target=target)], 1.0001)


def adam_train_step(model, params, radius: float):
    """(step(params, opt_state, graph) -> (params, opt_state, loss), initial opt_state): one Adam
    step of the paper's loss, what training times."""
    import jax
    import optax

    from miro_jax import losses

    tx = optax.adam(1e-4)

    def step(params, opt_state, g):
        def loss(p):
            return losses.miro_loss(model.apply(p, g), g, radius)[0]

        value, grads = jax.value_and_grad(loss)(params)
        updates, opt_state = tx.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, value

    return step, tx.init(params)


def run_variant(name: str, repeats: int) -> dict:
    import jax
    import numpy as np

    from miro_jax import graph as graph_lib
    from miro_jax import models

    ref = np.load(GRAPH)
    n, e = ref["node_features"].shape[0], ref["edge_index"].shape[1]
    k, r = int(ref["num_steps"]), float(ref["connectivity_radius"])
    result = {"variant": name, "nodes": n, "edges": e, "K": k}
    if name.startswith("torch"):
        return run_torch(name, repeats)
    if name.startswith("matmul"):
        return run_matmul(name, repeats, e)
    if name == "graph":
        positions = ref["positions"].astype(np.float64)
        times = repeat_times(lambda: graph_lib.build_point_graph(positions, r), repeats)
        result.update(timing_fields(times, 0.0))
    else:
        fused, train = name.startswith("fused"), "train" in name
        model = models.Miro(
            num_iterations=k, fused=fused, remat="remat" in name, bf16_matmuls="bf16" in name
        )
        params = reference_weights.load_reference_params(
            reference_weights.weights_path("scenario_6_blinking")
        )
        g = padded_graph(ref)
        if train:
            step, opt_state = adam_train_step(model, params, r)
            fn = jax.jit(step)
            args = (params, opt_state, g)
        else:
            fn = jax.jit(lambda p, g: model.apply(p, g)["displacements"])
            args = (params, g)
        t = time.perf_counter()
        compiled = fn.lower(*args).compile()
        compile_s = time.perf_counter() - t
        times = repeat_times(lambda: jax.block_until_ready(compiled(*args)), repeats)
        flops = k * flops_per_step(n, e, 256, fused) * (3.0 if train else 1.0)
        result.update(timing_fields(times, flops, compile_s))
        if not train:
            out = np.asarray(compiled(*args))
            result["parity_max_abs"] = float(np.abs(out[:, :n] - ref["displacements"]).max())
    result["peak_rss_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    return result


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--variant", default=None)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--out", default="speed.md", help="results file (another machine kind: another name)"
    )
    args = parser.parse_args()
    if args.variant:
        print(json.dumps(run_variant(args.variant, args.repeats)))
        return
    rows = []
    for v in VARIANTS:
        if v.startswith("torch") and importlib.util.find_spec("torch") is None:
            print(f"skipping {v}: torch not installed (pip install torch==2.13.0)")
            continue
        reps = args.repeats if "train" not in v else max(3, args.repeats - 2)
        out = subprocess.run(
            [sys.executable, "-m", "experiments.speed", "--variant", v, "--repeats", str(reps)],
            cwd=Path(__file__).resolve().parents[1],
            capture_output=True,
            text=True,
            check=True,
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(rows[-1], flush=True)
    lines = [
        *report.header(
            "Speed on the authors' scenario_6_blinking graph (7,642 nodes, 45,692 edges, K = 25)",
            f"python -m experiments.speed --repeats {args.repeats}"
            + (f" --out {args.out}" if args.out != "speed.md" else ""),
            "Each variant runs in its own process; times are medians over the repeats after "
            "compilation; peak RSS is the process's maximum resident set (includes JAX/XLA "
            "itself).",
        ),
        "| variant | median s | compile s | GFLOP | GFLOP/s | peak RSS GB | parity max abs |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['variant']} | {r['median_s']:.3f} | {r['compile_s']:.1f} | "
            f"{r.get('gflops', 0):.0f} | {r.get('gflop_per_s', 0):.0f} | {r['peak_rss_gb']:.2f} | "
            f"{r.get('parity_max_abs', float('nan')):.1e} |"
        )
    base = {r["variant"]: r["median_s"] for r in rows}
    if "torch-infer" in base:
        lines += [
            "",
            f"Speed-up over the PyTorch baseline (same run, same machine): inference "
            f"{base['torch-infer'] / base['fused-infer']:.1f}×, training step "
            f"{base['torch-train'] / base['fused-train']:.1f}×.",
            "",
            *speed_ceiling(rows),
        ]
    lines += [
        "",
        "torch-* = the authors' formulation in plain PyTorch 2.13 (CPU, default threads): "
        "their concatenations, gathers and receiver scatter-add, fp32. The issue quotes the "
        "authors' own code on this machine kind at 9.4 s per forward pass and 34 s per "
        "training step (≈33 GFLOP per recurrent step, ≈88 GFLOP/s).",
    ]
    report.write(args.out, lines)


if __name__ == "__main__":
    main()
