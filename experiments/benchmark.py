"""The benchmark with our own training: train on the 3 training FOVs (CPU recipe), evaluate on dev.

  python -m experiments.benchmark --scenario scenario_8        # one set
  python -m experiments.benchmark --all                         # all 18 (≈ 18 × ≤ 30 min)
  python -m experiments.benchmark --scenario scenario_8 --eval-only

Trains with configs/benchmark_cpu.py into workdirs/benchmark/<set> (skipped when its model
exists; an interrupted run resumes; --eval-only: the shipped model when the workdir has
none), then scores the dev FOVs: MIRO + DBSCAN (ours; paper and searched DBSCAN params, searched on the training
FOVs only), MIRO + DBSCAN (authors' weights in our model; paper and searched params), DBSCAN
alone (paper and searched params). Writes experiments/results/benchmark_<set>.md/.csv and the summary
experiments/results/benchmark.md over every set evaluated so far. Shipping the models and the
README's table: `python scripts/release.py --ship workdirs/benchmark`.
"""

import argparse
import json
import math
import time
from pathlib import Path

import pandas as pd

from configs import benchmark, benchmark_cpu
from experiments import report
from miro_jax import evaluation, model_store, reference_weights, train

WORKDIRS = report.WORKDIRS / "benchmark"  # one training workdir per set
KEY = ["ARI_dagger", "JI_c", "RMSRE_N", "ARI", "AMI", "IoU"]
# paper (Tables S3/S4, test FOVs) MIRO / DBSCAN, where our references quote them
PAPER = {
    "scenario_8": "ARI† .83/.81, JI_c .88/.80",
    "scenario_5_blinking": "ARI† .59/.56, JI_c .70/.56",
    "scenario_6_blinking": "JI_c .89/.72",
}
OURS, AUTHORS, DBSCAN = (
    "MIRO ours (auto params)",
    "MIRO authors' weights (paper params)",
    "DBSCAN (paper params)",
)


def _in_all(scenario: str) -> str:
    """' (N in all)': the minutes of every run behind a warm-started bundled model (its card)."""
    card = model_store.load_card(scenario)
    in_all = card["training"].get("minutes in all") if card else None
    return f" ({in_all:.1f} in all)" if in_all else ""


def overview() -> str:
    """One row per benchmark set: ours vs the authors' weights vs DBSCAN (dev FOVs) and a verdict.

    ✓ = ours ≥ DBSCAN alone on ARI†, JI_c and RMSRE_N (lower is better) AND ours ≥ authors' mean −
    authors' std on ARI† and JI_c (the issue's "within one std, or better").
    """
    lines = [
        "| set | ARI† ours | ARI† authors | ARI† DBSCAN | JI_c ours | JI_c authors | JI_c DBSCAN | "
        "RMSRE_N ours / DBSCAN | train min | ✓ | paper MIRO/DBSCAN |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for scenario in benchmark.SCENARIOS:
        csv = report.path(f"benchmark_{scenario}.csv")
        if not csv.exists():
            lines.append(
                f"| {scenario} | not trained yet | | | | | | | | | {PAPER.get(scenario, '')} |"
            )
            continue
        frame = pd.read_csv(csv)
        g = frame.groupby("method")
        m, sd = g[KEY].mean(), g[KEY].std(ddof=0)
        minutes = train_seconds(scenario, WORKDIRS / scenario) / 60
        ok = report.at_least(m.loc[OURS], m.loc[DBSCAN], lower=("RMSRE_N",)) and (
            report.within_one_std(m.loc[OURS], m.loc[AUTHORS], sd.loc[AUTHORS])
        )

        def cell(method, k, m=m, sd=sd):
            return evaluation.mean_std(m.loc[method, k], sd.loc[method, k])

        lines.append(
            f"| {scenario} | {cell(OURS, 'ARI_dagger')} | {cell(AUTHORS, 'ARI_dagger')} | "
            f"{cell(DBSCAN, 'ARI_dagger')} | {cell(OURS, 'JI_c')} | {cell(AUTHORS, 'JI_c')} | "
            f"{cell(DBSCAN, 'JI_c')} | {m.loc[OURS, 'RMSRE_N']:.3f} / {m.loc[DBSCAN, 'RMSRE_N']:.3f} | "
            f"{minutes:.1f}{_in_all(scenario)} | {'✓' if ok else '✗'} | {PAPER.get(scenario, '')} |"
        )
    return "\n".join(lines)


def made_by(scenario: str, config) -> str:
    """What made a benchmark model: the experiment when its set's row of
    configs/benchmark_cpu.py remakes it, else the training command with its overrides (against
    the config the row's training stores, train.stored_config)."""
    command = model_store.training_command(
        f"configs/benchmark_cpu.py:{scenario}",
        train.stored_config(benchmark_cpu.get_config(scenario)),
        config,
        f"workdirs/benchmark/{scenario}",
    )
    return (
        command
        if " --config." in command
        else "experiments/benchmark.py (configs/benchmark_cpu.py)"
    )


def train_scenario(scenario: str, workdir: Path) -> float:
    """Trains (or resumes) the model into workdir/model; returns the training wall time in
    seconds. Shipping it is the release step (scripts/release.py), not this experiment's."""
    config = benchmark_cpu.get_config(scenario)
    t0 = time.time()
    if not (workdir / "model" / "config.json").exists():
        train.train_and_evaluate(config, workdir)
    timing = workdir / "train_time.json"
    if not timing.exists():
        recorded = train.recorded_minutes(train.read_metrics(workdir)) * 60
        elapsed = time.time() - t0 if math.isnan(recorded) else max(recorded, time.time() - t0)
        timing.write_text(json.dumps({"seconds": elapsed}))
    return json.loads(timing.read_text())["seconds"]


def train_seconds(scenario: str, workdir: Path) -> float:
    """The recorded training time of the set's model: the workdir's, else the shipped card's."""
    timing = workdir / "train_time.json"
    if timing.exists():
        return json.loads(timing.read_text())["seconds"]
    card = json.loads((model_store.BUNDLED_DIR / scenario / "model_card.json").read_text())
    return 60.0 * card["training"]["minutes"]


def _shipped_step_note(workdir: Path, config) -> str:
    """', model from step N (best dev evaluation)' when model/ is not the last step (train.final_params)."""
    if not (workdir / "metrics.jsonl").exists():
        return ""
    records = train.read_metrics(workdir)
    steps = [r["final_params_step"] for r in records if "final_params_step" in r]
    if steps and steps[-1] != config.train.num_train_steps:
        return f"; model from step {steps[-1]}, its best dev evaluation"
    return ""


def evaluate_scenario(
    scenario: str, workdir: Path, train_seconds: float, eval_only: bool = False
) -> pd.DataFrame:
    """Scores workdir/model, or the shipped model of the set when the workdir has none."""
    model_dir = workdir / "model" if (workdir / "model").exists() else scenario
    params, config = model_store.load_model(model_dir)
    config = evaluation.with_benchmark_evals(config, scenario)
    ours = evaluation.evaluate_benchmark(
        config, params, auto_dbscan=True, label="MIRO ours", progress=False
    )
    ref_config = benchmark.get_config(scenario)
    ref = reference_weights.weights_path(scenario)
    ref_params, _ = model_store.load_model(ref, ref_config)
    # also with DBSCAN parameters searched on the training FOVs: the bar `miro fit` is held to
    authors = evaluation.evaluate_benchmark(
        ref_config, ref_params, auto_dbscan=True, label="MIRO authors' weights", progress=False
    )
    per_fov = pd.concat(
        [ours["per_fov"], authors["per_fov"][authors["per_fov"]["method"].str.startswith("MIRO")]],
        ignore_index=True,
    )
    per_fov.insert(0, "scenario", scenario)
    per_fov.to_csv(report.path(f"benchmark_{scenario}.csv"), index=False)
    chosen = {**ours["chosen"], **authors["chosen"]}
    lines = [
        *report.header(
            f"{scenario}: dev FOVs {list(config.data.dev_fovs)}",
            f"python -m experiments.benchmark --scenario {scenario}{' --eval-only' * eval_only}",
            f"Training {train_seconds / 60:.1f} min ({config.train.num_train_steps} steps, hidden "
            f"{config.model.hidden_size}{_shipped_step_note(workdir, config)})",
            *[f"Warm start, made by: `{made_by(scenario, config)}`"] * bool(config.train.init_from),
        ),
        "| method | eps (nm) | minPts |",
        "|---|---|---|",
    ]
    lines += [f"| {m} | {p.eps:.2f} | {p.min_samples} |" for m, p in chosen.items()]
    lines += ["", evaluation.markdown_table(evaluation.summarize(per_fov)), ""]
    report.write(f"benchmark_{scenario}.md", lines)
    return per_fov


def write_summary() -> None:
    rows = []
    for csv in sorted(report.RESULTS.glob("benchmark_scenario_*.csv")):
        frame = pd.read_csv(csv)
        scenario = frame["scenario"].iloc[0]
        minutes = train_seconds(scenario, WORKDIRS / scenario) / 60
        groups = frame.groupby("method", sort=False)[KEY]
        mean, std = groups.mean(), groups.std(ddof=0)  # as evaluation.summarize
        for method in mean.index:
            row = {"set": scenario, "method": method, "train min": f"{minutes:.1f}"}
            for k in KEY:
                row[k] = evaluation.mean_std(mean.loc[method, k], std.loc[method, k])
            rows.append(row)
    table = pd.DataFrame(rows).set_index("set")
    summary = overview()
    lines = [
        *report.header(
            "Benchmark with our CPU training (dev FOVs, mean ± std over 7 FOVs)",
            "python -m experiments.benchmark --scenario <set>",
            "All sets: `--all`; the shipped models scored again: `--all --eval-only`.",
        ),
        "## Overview",
        "",
        "Ours = MIRO + DBSCAN with parameters searched on the training FOVs; "
        "authors = their weights in our model, paper DBSCAN parameters; DBSCAN = paper parameters. "
        "✓ = ours ≥ DBSCAN on ARI†, JI_c, RMSRE_N and ≥ authors − 1 std on ARI†, JI_c. "
        "train min: the last run's; a warm start adds its earlier runs' (in all).",
        "",
        summary,
        "",
        "## All methods",
        "",
        evaluation.markdown_table(table),
    ]
    report.write("benchmark.md", lines)


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--scenario", action="append", default=[])
    p.add_argument("--all", action="store_true")
    p.add_argument("--eval-only", action="store_true")
    p.add_argument("--summary-only", action="store_true", help="only rewrite benchmark.md")
    args = p.parse_args()
    if args.summary_only:
        write_summary()
        return
    scenarios = list(benchmark.SCENARIOS) if args.all else args.scenario
    for scenario in scenarios:
        workdir = WORKDIRS / scenario
        if args.eval_only:
            seconds = train_seconds(scenario, workdir)
        else:
            seconds = train_scenario(scenario, workdir)
        evaluate_scenario(scenario, workdir, seconds, args.eval_only)
        write_summary()


if __name__ == "__main__":
    main()
