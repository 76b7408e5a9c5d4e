"""Resumable sweep runner: every (point, seed) of a sweep file trains into its own workdir.

  python scripts/sweep.py experiments/sweeps/hidden_size.py [--jobs 2 [--pin]] [--out DIR]

A sweep file defines get_sweep() -> dict(
    name="hidden_size", base="configs/benchmark.py:scenario_8",
    overrides={"train.num_train_steps": 2000},          # applied to every point
    points=[{"model.hidden_size": 64}, ...],            # the swept values
    seeds=[0, 1, 2],                                   # repeats (train.seed and data.seed)
    # a point may also name its own base config: {"base": "configs/benchmark_cpu.py:scenario_4", ...}
    metrics=["dev_ARI_dagger", "dev_JI_c"],            # scores for the table
    history=["dev_ARI_dagger"],                        # also shown at every dev evaluation
    reference="paper Table S8: ...")                   # optional: the paper's numbers, in the report
Finished points (workdir/model/config.json exists) are skipped; unfinished ones resume from their
last checkpoint, so a killed sweep restarted with the same command completes only what is missing.
Several invocations of one sweep on one machine (e.g. `taskset -c 0 …` and `taskset -c 1 …`) share
its points: a point in training is claimed by its process (`claimed_by`), the others skip it.
At the end: experiments/results/sweep_<name>.md (mean ± std over seeds, training time) and one
PNG per swept axis.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import importlib.util
import os
import platform
import queue
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def load_sweep(path: str) -> dict:
    spec = importlib.util.spec_from_file_location("sweep_file", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sweep = module.get_sweep()
    sweep.setdefault("overrides", {})
    sweep.setdefault("seeds", [0])
    sweep.setdefault("reference", "–")  # the paper's result for this ablation, shown in the report
    sweep.setdefault("metrics", ["dev_ARI_dagger", "dev_JI_c", "dev_loss"])
    sweep.setdefault("history", sweep["metrics"][:1])  # scores shown at every dev evaluation
    return sweep


def _shown(key: str, value) -> str:
    """A point's value as names and tables show it: a per-point base config by its argument."""
    return str(value).split(":")[-1] if key == "base" else str(value)


def point_name(point: dict, seed: int) -> str:
    """Workdir name of one (point, seed)."""
    parts = [f"{k.split('.')[-1]}={_shown(k, v)}" for k, v in point.items()]
    return "__".join(parts + [f"seed={seed}"])


def is_done(workdir: Path) -> bool:
    return (workdir / "model" / "config.json").exists()


def plan(sweep: dict, out: Path) -> list[tuple[Path, str, dict]]:
    """(workdir, base config, overrides) of every (point, seed) not finished yet."""
    todo = []
    for point in sweep["points"]:
        for seed in sweep["seeds"]:
            workdir = out / point_name(point, seed)
            if is_done(workdir):
                print(f"done already: {workdir.name}")
                continue
            fields = {k: v for k, v in point.items() if k != "base"}
            overrides = {**sweep["overrides"], **fields, "train.seed": seed, "data.seed": seed}
            todo.append((workdir, point.get("base", sweep["base"]), overrides))
    return todo


def core_slots(jobs: int) -> list[list[int]]:
    """This process's CPU cores split into `jobs` disjoint sets, one per parallel training."""
    cores = sorted(os.sched_getaffinity(0))
    per = max(1, len(cores) // jobs)
    return [cores[(i * per) % len(cores) : (i * per) % len(cores) + per] for i in range(jobs)]


CLAIMED = -1  # run_point's code for a point another live sweep process is training


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def claim(workdir: Path) -> bool:
    """Marks `workdir` as trained by this process (file `claimed_by` holds its pid), so several
    sweep invocations on one machine share the points; False while another live process holds it.
    A claim whose process is gone (killed) is taken over."""
    workdir.mkdir(parents=True, exist_ok=True)
    lock, mine = workdir / "claimed_by", workdir / f"claimed_by.{os.getpid()}"
    mine.write_text(str(os.getpid()))
    try:
        for _ in range(3):
            try:
                os.link(mine, lock)  # atomic: fails when a claim exists
                return True
            except FileExistsError:
                try:
                    holder = int(lock.read_text())
                except (OSError, ValueError):
                    holder = 0
                if holder == os.getpid():
                    return True
                if holder and _alive(holder):
                    return False
                lock.unlink(missing_ok=True)  # stale: its process was killed
        return False
    finally:
        mine.unlink(missing_ok=True)


def run_point(base: str, overrides: dict, workdir: Path, slots: queue.Queue | None = None) -> int:
    """Trains one (point, seed) in a subprocess, pinned to a free core set when `slots` is given;
    CLAIMED (no training) when another sweep process is training it or has finished it."""
    if not claim(workdir):
        return CLAIMED
    args = [sys.executable, "-m", "miro_jax.main", f"--config={base}", f"--workdir={workdir}"]
    args += [f"--config.{k}={v}" for k, v in overrides.items()]
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cores = slots.get() if slots is not None else None
    try:
        if is_done(workdir):  # finished by another process since this one planned
            return CLAIMED
        with open(workdir / "sweep.log", "a") as log:
            return subprocess.run(
                args,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=REPO,
                env=env,
                preexec_fn=(lambda: os.sched_setaffinity(0, cores)) if cores else None,
            ).returncode
    finally:
        if cores is not None:
            slots.put(cores)
        (workdir / "claimed_by").unlink(missing_ok=True)


def _miro_jax():
    """The miro_jax package, imported only when a report is written (importing jax is slow and
    running the points needs none of it); from this checkout, as the points' subprocesses
    (cwd=REPO) import it, so a report needs no installed package either."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    import miro_jax.evaluation
    import miro_jax.train

    return miro_jax


def final_record(workdir: Path) -> dict:
    """Last dev scores, the training wall time (every resumed run counted) and, under
    "history", each dev score at every step it was evaluated, from metrics.jsonl
    (train.read_metrics)."""
    train = _miro_jax().train
    records = train.read_metrics(workdir)
    out: dict = {"history": {}}
    for record in records:
        dev = {k: v for k, v in record.items() if k.startswith("dev_")}
        out.update(dev)
        for k, v in dev.items():
            out["history"].setdefault(k, {})[record["step"]] = v
    minutes = train.recorded_minutes(records)
    if np.isfinite(minutes):
        out["train_time_s"] = 60.0 * minutes
    return out


def history_table(histories: list[tuple[str, list[dict[int, float]]]], metric: str) -> list[str]:
    """One row per point: `metric` at each evaluated step (mean over its seeds); empty when no
    point was evaluated at more than one step (nothing to show beyond the main table)."""
    steps = sorted({s for _, hs in histories for h in hs for s in h})
    if len(steps) < 2:
        return []
    lines = [
        f"\n`{metric}` at each dev evaluation (step):\n",
        "| point | " + " | ".join(str(s) for s in steps) + " |",
        "|---" * (len(steps) + 1) + "|",
    ]
    for label, hs in histories:
        cells = [_mean_std([h[s] for h in hs if s in h]) for s in steps]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def plot_axes(points: list[dict]) -> list[str]:
    """Swept keys that get a plot: those with numeric values, or, when no key is numeric (e.g.
    node-feature modes), every key that takes several values; the other keys label the series."""
    numeric = sorted({k for p in points for k, v in p.items() if _is_number(v)})
    return numeric or sorted(
        k for k in {k for p in points for k in p} if len({str(p.get(k)) for p in points}) > 1
    )


def plot_axis(
    rows: list[tuple[dict, list[dict]]], axis: str, metrics: list[str], png: Path
) -> None:
    """One panel per metric against `axis`, one line per combination of the other swept keys
    (e.g. K for MIRO, MPN and MPN + LayerNorm); error bars = std over seeds."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axs = plt.subplots(1, len(metrics), figsize=(3.6 * len(metrics), 3.2), squeeze=False)
    series: dict[str, list] = {}
    for point, recs in rows:
        if axis in point and recs:
            label = ", ".join(
                f"{k.split('.')[-1]}={_shown(k, v)}" for k, v in point.items() if k != axis
            )
            series.setdefault(label or "all", []).append((point[axis], recs))
    values = list(dict.fromkeys(p[axis] for p, _ in rows if axis in p))
    numeric = all(_is_number(v) for v in values)
    position = {v: (v if numeric else i) for i, v in enumerate(values)}  # categories: 0, 1, …
    for ax, m in zip(axs[0], metrics):
        for label, pts in series.items():
            pts = [(position[x], [r[m] for r in recs if m in r]) for x, recs in pts]
            pts = sorted((x, v) for x, v in pts if v)
            if pts:
                ax.errorbar(
                    [x for x, _ in pts],
                    [np.mean(v) for _, v in pts],
                    yerr=[np.std(v) for _, v in pts],
                    marker="o",
                    capsize=3,
                    label=label,
                )
        if not numeric:
            ax.set_xticks(range(len(values)), [_shown(axis, v) for v in values], fontsize=8)
        ax.set_xlabel(axis)
        ax.set_title(m, fontsize=9)
    axs[0][0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(png, dpi=100)
    plt.close(fig)


def point_label(point: dict) -> str:
    """A point as the report's rows name it: `key=value, …`."""
    return ", ".join(f"{k}={_shown(k, v)}" for k, v in point.items())


def _mean_std(values: list[float]) -> str:
    """A table cell over seeds (evaluation.seeds_cell)."""
    return _miro_jax().evaluation.seeds_cell(values)


def invocation(argv: list[str]) -> str:
    """The command as it ran, with the `taskset` that pinned it when it did not use every core."""
    cores = sorted(os.sched_getaffinity(0))
    pinned = (
        f"taskset -c {','.join(map(str, cores))} " if len(cores) < (os.cpu_count() or 0) else ""
    )
    return pinned + "python scripts/sweep.py " + " ".join(argv)


def write_report(
    sweep: dict, out: Path, results_dir: Path, command: str, wall_s: float = 0.0
) -> Path:
    """The sweep's table and one plot per swept axis; a hand-written "## Discussion" in an existing
    report is kept (miro_jax.evaluation.write_results_markdown)."""
    rows = []
    for point in sweep["points"]:
        recs = [
            final_record(out / point_name(point, s))
            for s in sweep["seeds"]
            if is_done(out / point_name(point, s))
        ]
        for r in recs:
            r["train_min"] = r.get("train_time_s", np.nan) / 60
        rows.append((point, recs))
    metrics = sweep["metrics"] + ["train_min"]
    total_s = sum(r.get("train_time_s", 0.0) for _, recs in rows for r in recs)
    lines = [
        f"# Sweep `{sweep['name']}`",
        "",
        f"Command: `{command}`  ",
        f"Base: `{sweep['base']}` with {sweep['overrides']}; seeds {sweep['seeds']}  ",
        f"Paper: {sweep['reference']}  ",
        f"Machine: {platform.machine()}, CPU, {len(os.sched_getaffinity(0))} of {os.cpu_count()} "
        f"cores used; date {datetime.date.today()}; training time of all points "
        f"{total_s / 60:.1f} min"
        + (f", wall time of the last invocation {wall_s / 60:.1f} min" if wall_s else ""),
        "",
        "| point | seeds done | " + " | ".join(metrics) + " |",
        "|---" * (len(metrics) + 2) + "|",
    ]
    for point, recs in rows:
        cells = []
        for m in metrics:
            vals = [r[m] for r in recs if m in r]
            cells.append(_mean_std(vals))
        lines.append(f"| {point_label(point)} | {len(recs)} | " + " | ".join(cells) + " |")
    for metric in sweep["history"]:
        histories = [
            (point_label(point), [r["history"].get(metric, {}) for r in recs])
            for point, recs in rows
        ]
        lines += history_table(histories, metric)
    report = results_dir / f"sweep_{sweep['name']}.md"
    results_dir.mkdir(parents=True, exist_ok=True)
    for axis in plot_axes(sweep["points"]):
        png = results_dir / f"sweep_{sweep['name']}_{axis.replace('.', '_')}.png"
        plot_axis(rows, axis, sweep["metrics"], png)
        lines.append(f"\n![{axis}]({png.name})")
    _miro_jax().evaluation.write_results_markdown(report, "\n".join(lines))
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("sweep_file")
    parser.add_argument("--jobs", type=int, default=1, help="points trained in parallel processes")
    parser.add_argument(
        "--pin",
        action="store_true",
        help="pin each parallel training to its own share of the cores (no oversubscription)",
    )
    parser.add_argument("--out", default=None, help="workdir root (default workdirs/sweeps/NAME)")
    parser.add_argument("--results", default=str(REPO / "experiments" / "results"))
    args = parser.parse_args(argv)
    sweep = load_sweep(args.sweep_file)
    out = Path(args.out or REPO / "workdirs" / "sweeps" / sweep["name"]).resolve()
    todo = plan(sweep, out)
    t0 = time.time()
    failed = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        slots = None
        if args.pin:
            slots = queue.Queue()
            for cores in core_slots(args.jobs):
                slots.put(cores)
        futures = {pool.submit(run_point, b, o, w, slots): w for w, b, o in todo}
        for future in concurrent.futures.as_completed(futures):
            w = futures[future]
            code = future.result()
            if code == CLAIMED:
                print(f"taken by another sweep process: {w.name}", flush=True)
                continue
            print(f"{'finished' if code == 0 else f'FAILED ({code})'}: {w.name}", flush=True)
            if code:
                failed.append(w.name)
    command = invocation(sys.argv[1:] if argv is None else argv)
    wall_s = time.time() - t0 if todo else 0.0  # nothing trained: the report is only rewritten
    print(f"wrote {write_report(sweep, out, Path(args.results), command, wall_s)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
