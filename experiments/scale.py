"""The user path at real sizes: `miro cluster` end to end on simulated cells of 20k, 200k and 10^6
localizations, default options, beside the previous default path in the same run.

  python -m experiments.scale [--sizes 20000 200000 1000000] [--repeats 3] [--bf16]

Fields have scenario-8-like density (≈100 localizations per µm²: Gaussian clusters of 5 and 15
localizations, std 24 nm, 50 % clustered); files carry x, y only, like a real cell. Model: the
bundled scenario_8 (hidden 128, K = 12, δ = 400 nm). Each run is a fresh `miro cluster` process,
timed with /usr/bin/time (wall, peak RSS). The previous default path (Laplacian features of the
whole graph, the model on the whole graph at once) is the same model with
predict.feature_tile_scale, max_nodes_per_call and spatial_order_min_nodes set beyond the field,
stopped after --baseline-timeout seconds. Label agreement: the share of localizations whose
cluster (matched by largest overlap) or background state is the same in both runs.
Writes experiments/results/scale.md.
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from experiments import report
from miro_jax import evaluation, metrics, model_store, simulate

PREVIOUS_PATH = {
    "predict.feature_tile_scale": 1e9,
    "predict.max_nodes_per_call": 10**9,
    "predict.spatial_order_min_nodes": 10**9,
}
UNTILED_MODEL = {"predict.max_nodes_per_call": 10**9}


def simulate_field(points: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    side = 2000.0 * np.sqrt(points / 400.0)  # 400 localizations per 2 µm × 2 µm, as scenario 8
    n_clusters = int(points / 2 / 10)  # mean cluster size 10 (5 and 15), half clustered
    sizes = rng.choice([5, 15], n_clusters)
    return simulate.gaussian_clusters(
        rng,
        fov_nm=side,
        num_clusters=n_clusters,
        points_per_cluster=sizes,
        cluster_std_nm=24.0,
        clustered_fraction=0.5,
        margin_nm=50.0,
    )


def model_variant(folder: Path, name: str, overrides: dict) -> Path:
    params, config = model_store.load_model("scenario_8")
    config.update_from_flattened_dict(overrides)
    model_store.save_model(folder / name, params, config)
    return folder / name


def run_cluster(csv: Path, model: Path | str, out: Path, timeout: float, extra: tuple = ()):
    """(wall s, peak GB, labels) of one `miro cluster` process (`extra`: more options);
    (None, None, None) on timeout."""
    cmd = [
        "/usr/bin/time",
        "-f",
        "TIME %e %M",
        sys.executable,
        "-m",
        "miro_jax.cli",
        "cluster",
        str(csv),
        "--model",
        str(model),
        "--out",
        str(out),
        "--quiet",
        *extra,
    ]
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(report.REPO)),
        start_new_session=True,
    )
    try:
        _, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # /usr/bin/time and the miro process under it
        proc.communicate()
        return None, None, None
    line = [x for x in stderr.splitlines() if x.startswith("TIME")]
    if proc.returncode != 0 or not line:
        raise RuntimeError(stderr[-2000:])
    wall, kb = line[-1].split()[1:]
    return float(wall), float(kb) / 1e6, pd.read_csv(out)["cluster"].to_numpy()


def agreement(a: np.ndarray, b: np.ndarray) -> float:
    """Share of localizations with the same state in both labelings (clusters of `a` mapped to
    the `b` cluster they overlap most; 0 = background maps to 0)."""
    frame = pd.DataFrame({"a": a, "b": b})
    best = frame[frame.a > 0].groupby("a")["b"].agg(lambda s: s.value_counts().index[0])
    mapped = frame.a.map(best).fillna(0).to_numpy()
    return float(np.mean(mapped == b))


def _cell(column: str, value) -> str:
    """A table cell: scores to 3 decimals, other floats to 2, counts with thousands separators."""
    if column.endswith("ARI vs simulation"):
        return f"{value:,.3f}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, (int, np.integer)):
        return f"{value:,}"
    return str(value)


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--sizes", type=int, nargs="+", default=[20_000, 200_000, 1_000_000])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--repeats-largest", type=int, default=1)
    p.add_argument("--baseline-timeout", type=float, default=300.0)
    p.add_argument("--bf16", action="store_true", help="also time `miro cluster --bf16`")
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp())
    previous = model_variant(tmp, "previous_path", PREVIOUS_PATH)
    untiled = model_variant(tmp, "untiled_model", UNTILED_MODEL)
    rows, notes = [], []
    for size in args.sizes:
        xy, truth = simulate_field(size)
        csv = tmp / f"cell_{size}.csv"
        pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1]}).to_csv(csv, index=False)
        repeats = args.repeats_largest if size == max(args.sizes) else args.repeats
        runs, bf16_runs = [], []
        for _ in range(repeats):  # with --bf16: the two alternate, side by side in one run
            runs.append(run_cluster(csv, "scenario_8", tmp / "out.csv", 3600))
            if args.bf16:
                bf16_runs.append(
                    run_cluster(csv, "scenario_8", tmp / "bf16.csv", 3600, ("--bf16",))
                )
        labels = runs[-1][2]
        walls, peaks = [r[0] for r in runs], [r[1] for r in runs]
        row = {
            "localizations": len(xy),
            "default: wall s (median)": np.median(walls),
            "runs": " / ".join(f"{w:.1f}" for w in walls),
            "default: peak GB": max(peaks),
            "ARI vs simulation": metrics.ari(truth, labels),
            "s per 10k localizations": np.median(walls) / len(xy) * 1e4,
        }
        if args.bf16:
            row["--bf16: wall s (median)"] = np.median([r[0] for r in bf16_runs])
            row["--bf16: ARI vs simulation"] = metrics.ari(truth, bf16_runs[-1][2])
            row["--bf16: labels agree with default"] = f"{agreement(labels, bf16_runs[-1][2]):.4f}"
        base_wall, base_peak, base_labels = run_cluster(
            csv, previous, tmp / "base.csv", args.baseline_timeout
        )
        row["previous path: wall s"] = (
            f"{base_wall:.1f}"
            if base_wall is not None
            else f"> {args.baseline_timeout:.0f} (stopped)"
        )
        row["previous path: peak GB"] = f"{base_peak:.2f}" if base_peak is not None else "–"
        row["labels agree with previous path"] = (
            f"{agreement(labels, base_labels):.4f}" if base_labels is not None else "–"
        )
        if size <= 200_000:
            _, _, whole = run_cluster(csv, untiled, tmp / "whole.csv", 3600)
            row["labels agree, model untiled"] = f"{agreement(labels, whole):.4f}"
        else:
            row["labels agree, model untiled"] = "–"
        rows.append(row)
        print(row, flush=True)
    lines = report.header(
        "The user path at real sizes: `miro cluster`, default options",
        f"python -m experiments.scale --sizes {' '.join(map(str, args.sizes))} --repeats "
        f"{args.repeats} --repeats-largest {args.repeats_largest} --baseline-timeout "
        f"{args.baseline_timeout:g}{' --bf16' * args.bf16}",
        "Each run: `miro cluster cell.csv --model scenario_8 --out labels.csv --quiet` in a "
        "fresh process (reading, graph, features, model, DBSCAN, statistics, writing; JAX "
        "start-up and compilation included), wall time and peak RSS from /usr/bin/time.",
    )
    shown = pd.DataFrame([{k: _cell(k, v) for k, v in r.items()} for r in rows])
    lines += evaluation.markdown_table(shown.set_index("localizations")).splitlines()
    first, last = rows[0], rows[-1]
    lines += [
        "",
        f"Cost per localization, largest vs smallest field: "
        f"{last['s per 10k localizations'] / first['s per 10k localizations']:.2f}× "
        f"({last['localizations'] / first['localizations']:.0f}× the localizations, "
        f"{last['default: wall s (median)'] / first['default: wall s (median)']:.1f}× the time).",
    ]
    lines += notes
    report.write("scale.md", lines)


if __name__ == "__main__":
    main()
