"""`miro fit` used as a user would on the benchmark: the 3 training FOVs of a set as plain CSV
files, the default budget and no per-set option; the fitted model scored on the 7 dev FOVs.

  python -m experiments.fit_benchmark --sets scenario_8 scenario_3 … [--minutes 10]

Per set: `miro fit <3 training CSVs> --out D/<set>` (label column `index`), then MIRO + the
stored DBSCAN parameters vs DBSCAN alone with parameters searched on the same training FOVs
(both stored in the model card), on the dev FOVs; the authors' weights' dev scores from
benchmark_<set>.md for reference. Writes experiments/results/fit.md (rows accumulate: a set run
again replaces its row).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from configs import benchmark
from experiments import report
from miro_jax import (
    benchmark_data,
    cluster,
    evaluation,
    inference,
    input_pipeline,
    model_store,
)

RESULTS = report.path("fit.md")
COLUMNS = [
    "set",
    "fit min",
    "steps",
    "δ nm",
    "ARI† MIRO",
    "ARI† DBSCAN",
    "JI_c MIRO",
    "JI_c DBSCAN",
    "✓ beats DBSCAN",
    "command",
]


def dev_scores(model_dir: Path, scenario: str) -> dict:
    """Mean ± std (evaluation.summarize) of ARI† and JI_c on the dev FOVs for MIRO + the stored
    DBSCAN parameters and DBSCAN alone with the card's, and whether MIRO beats it on both."""
    params, config = model_store.load_model(model_dir)
    ev = config.evals
    items = [
        input_pipeline.EvalFov(
            fov=benchmark_data.read_fov(benchmark_data.fov_path(scenario, n)), graph=None
        )
        for n in benchmark.SCENARIOS[scenario]["dev_fovs"]
    ]
    squeezed = [
        inference.predict(i.fov.xy_nm, params, config, duplicates="jitter").squeezed_nm
        for i in items
    ]
    per_fov = pd.concat(
        [
            evaluation.score_fovs(
                squeezed, items, evaluation.DbscanParams(ev.miro_eps, ev.miro_min_samples), "MIRO"
            ),
            evaluation.score_fovs(
                [i.fov.xy_nm for i in items],
                items,
                evaluation.DbscanParams(ev.dbscan_eps, ev.dbscan_min_samples),
                "DBSCAN",
            ),
        ]
    )
    summary = evaluation.summarize(per_fov)
    means = per_fov.groupby("method")[["ARI_dagger", "JI_c"]].mean()
    return {
        f"{k} {m}": summary.loc[m, k] for k in ("ARI_dagger", "JI_c") for m in ("MIRO", "DBSCAN")
    } | {"beats": report.at_least(means.loc["MIRO"], means.loc["DBSCAN"])}


def model_folder(name: str) -> str:
    """The fitted model's folder for a row name ('scenario_6 (1 cluster)' → scenario_6_1_cluster)."""
    return name.replace(" (", "_").replace(")", "").replace(" ", "_")


def read_rows() -> pd.DataFrame:
    """The rows fit.md holds (columns COLUMNS; the authors' columns are recomputed on writing)."""
    if not RESULTS.exists() or "<!-- rows -->" not in RESULTS.read_text():
        return pd.DataFrame(columns=COLUMNS)
    text = RESULTS.read_text().split("<!-- rows -->")[1].split("<!-- /rows -->")[0]
    return evaluation.read_markdown_table(text)[COLUMNS]


def authors_scores() -> dict:
    """set → (ARI† mean, std, JI_c mean, std) of the authors' weights on the dev FOVs, from
    benchmark.md's overview."""
    text = (RESULTS.parent / "benchmark.md").read_text().split("## Overview", 1)[1]
    table = evaluation.read_markdown_table(text)
    return {
        r["set"]: (
            *evaluation.read_mean_std(r["ARI† authors"]),
            *evaluation.read_mean_std(r["JI_c authors"]),
        )
        for _, r in table.iterrows()
    }


def with_authors(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows with the authors' weights' dev scores and whether the fit is within one std of
    them on ARI† and JI_c (inserted before the command)."""
    authors = authors_scores()
    shown = rows.copy()
    ari, within = [], []
    for _, r in rows.iterrows():
        a_ari, s_ari, a_ji, s_ji = authors[r["set"].split()[0]]
        ari.append(f"{evaluation.mean_std(a_ari, s_ari)} / {evaluation.mean_std(a_ji, s_ji)}")
        mine = {
            "ARI_dagger": evaluation.read_mean_std(r["ARI† MIRO"])[0],
            "JI_c": evaluation.read_mean_std(r["JI_c MIRO"])[0],
        }
        ok = report.within_one_std(
            mine, {"ARI_dagger": a_ari, "JI_c": a_ji}, {"ARI_dagger": s_ari, "JI_c": s_ji}
        )
        within.append("✓" if ok else "✗")
    shown.insert(len(COLUMNS) - 1, "authors ARI† / JI_c", ari)
    shown.insert(len(COLUMNS), "✓ ≥ authors − 1 std", within)
    return shown


def single_shot_files(files, folder: Path) -> list[str]:
    """`--single-cluster C.csv --background RAW…` arguments: the median-sized annotated cluster
    of the training FOVs (as experiments/single_shot.py) and the FOVs without their labels."""
    folder.mkdir(parents=True, exist_ok=True)
    fovs = [benchmark_data.read_fov(f) for f in files]
    clusters = [f.xy_nm[idx] for f in fovs for _, idx in cluster.label_groups(f.labels)]
    one = input_pipeline.single_shot_cluster(clusters)
    pd.DataFrame({"x": one[:, 0], "y": one[:, 1]}).to_csv(folder / "one_cluster.csv", index=False)
    raws = []
    for f in fovs:
        raws.append(folder / f"{f.name}_unlabelled.csv")
        pd.DataFrame({"x": f.xy_nm[:, 0], "y": f.xy_nm[:, 1]}).to_csv(raws[-1], index=False)
    return ["--single-cluster", str(folder / "one_cluster.csv"), "--background", *map(str, raws)]


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--sets", nargs="+", default=[])
    p.add_argument("--minutes", type=float, default=None, help="default: configs/fit.py's")
    p.add_argument("--out-dir", default=None)
    p.add_argument(
        "--single-shot",
        action="store_true",
        help="fit on ONE annotated cluster (the median-sized of the training FOVs) "
        "placed on the training FOVs without their labels (--single-cluster)",
    )
    p.add_argument(
        "--rescore",
        action="store_true",
        help="score the fits already in --out-dir again (keeps their fit minutes)",
    )
    args = p.parse_args()
    out = Path(args.out_dir or tempfile.mkdtemp())
    old = read_rows()
    for scenario in args.sets:
        files = [
            benchmark_data.fov_path(scenario, n)
            for n in benchmark.SCENARIOS[scenario]["train_fovs"]
        ]
        budget = ["--minutes", str(args.minutes)] if args.minutes else []
        name, data = scenario, [*map(str, files)]
        if args.single_shot:
            name = f"{scenario} (1 cluster)"
            data = single_shot_files(files, out / f"{scenario}_single_shot_inputs")
        # a user's own data has no bundled model trained on it: the set's own is excluded
        cmd = [
            "fit",
            *data,
            "--out",
            str(out / model_folder(name)),
            "--quiet",
            *budget,
            "--exclude-model",
            scenario,
        ]
        t0 = time.time()
        if args.rescore:  # a fit made earlier in --out-dir: its dev scores again
            minutes = old.loc[old["set"] == name, "fit min"].iloc[0]
        else:
            subprocess.run(
                [sys.executable, "-m", "miro_jax.cli", *cmd],
                check=True,
                env=dict(os.environ, PYTHONPATH=str(report.REPO)),
            )
            minutes = f"{(time.time() - t0) / 60:.1f}"
        model_dir = out / model_folder(name)
        card = json.loads((model_dir / "model_card.json").read_text())
        scores = dev_scores(model_dir, scenario)
        row = {
            "set": name,
            "fit min": minutes,
            "steps": str(card["training"]["steps"]),
            "δ nm": f"{card['connectivity radius δ [nm]']:.0f}",
            "ARI† MIRO": scores["ARI_dagger MIRO"],
            "ARI† DBSCAN": scores["ARI_dagger DBSCAN"],
            "JI_c MIRO": scores["JI_c MIRO"],
            "JI_c DBSCAN": scores["JI_c DBSCAN"],
            "✓ beats DBSCAN": "✓" if scores["beats"] else "✗",
            "command": f"`miro fit {'--single-cluster C --background <3 unlabelled training FOVs>' if args.single_shot else '<3 training FOVs>'} --out {name.split()[0]}{' ' + ' '.join(budget) if budget else ''} --exclude-model {scenario}`",
        }
        old = pd.concat([old[old["set"] != name], pd.DataFrame([row])], ignore_index=True)
        print(row, flush=True)
    lines = report.header(
        "`miro fit` on the benchmark, as a user would (issue #17)",
        "python -m experiments.fit_benchmark --sets <set> [--single-shot] --out-dir DIR",
        "Each row's `miro fit` command is in its last column; rows of earlier runs are kept, a "
        "set run again replaces its row.",
        "Fit: the set's 3 training FOVs as given (CSV x, y, index), default recipe "
        "(configs/fit.py), default budget, no per-set option; the set's own bundled model "
        "excluded from the warm start. `(1 cluster)`: the median-sized annotated cluster of "
        "those FOVs and the FOVs without labels (`--single-cluster … --background …`). Scores: "
        "the 7 dev FOVs, mean ± std (population, as benchmark.md); MIRO + the DBSCAN "
        "parameters stored by the fit vs DBSCAN alone with the parameters stored beside them "
        "(searched on the same training FOVs; single-shot: on fresh training windows). Authors: "
        "their weights with the paper's DBSCAN parameters (benchmark.md). ✓ beats DBSCAN: "
        "MIRO's mean ≥ DBSCAN alone's on ARI† and JI_c.",
    )
    shown = with_authors(old)
    lines += [
        "<!-- rows -->",
        evaluation.markdown_table(shown.set_index("set")),
        "<!-- /rows -->",
        "",
    ]
    report.write(RESULTS.name, lines)


if __name__ == "__main__":
    main()
