"""Which rule should choose DBSCAN's (eps, minPts) on the training FOVs for MIRO + DBSCAN?

  python -m experiments.dbscan_objective scenario_4_blinking scenario_7_blinking ...

For each set's shipped model (miro_jax/trained_models/<set>): squeeze the 3 training FOVs and
the 7 dev FOVs once, score DBSCAN on a log grid of (eps, minPts) on both (ARI, ARI†, JI_c,
RMSRE_N per FOV; cached in workdirs/dbscan_objective/<set>.npz), then compare selection rules:
maximize an objective on the training FOVs, either at the best grid point ("max") or at the best
3 × 3-neighbourhood mean ("plateau": robust to the squeeze being tighter on FOVs the model was
trained on). Dev scores of each rule's choice are reported; the dev FOVs never choose anything.
Writes experiments/results/dbscan_objective.md.
"""

import argparse
import time

import numpy as np
import pandas as pd

from configs import benchmark
from experiments import report
from miro_jax import cluster, evaluation, input_pipeline, metrics, model_store

EPS, MIN_PTS = evaluation.PLATEAU_EPS, evaluation.PLATEAU_MIN_SAMPLES  # the benchmark search's grid
SCORES = ["ARI", "ARI_dagger", "JI_c", "RMSRE_N"]
OBJECTIVES = {
    "ARI": ["ARI"],
    "JI_c": ["JI_c"],
    "ARI†+JI_c": ["ARI_dagger", "JI_c"],
    "ARI+JI_c": ["ARI", "JI_c"],
    "ARI+ARI†+JI_c": ["ARI", "ARI_dagger", "JI_c"],
    "ARI†+JI_c−RMSRE_N": ["ARI_dagger", "JI_c", "-RMSRE_N"],
}
CHOSEN = "ARI+ARI†+JI_c"  # the objective the benchmark's rule maximizes (on a plateau)


def grid_scores(point_sets, items) -> np.ndarray:
    """[eps, minPts, fov, score] for DBSCAN on each point set, scored in the FOV's own nm."""
    out = np.zeros((len(EPS), len(MIN_PTS), len(items), len(SCORES)))
    for f, (xy, item) in enumerate(zip(point_sets, items)):
        truth = item.fov.labels
        for i, eps in enumerate(EPS):
            for j, pred in enumerate(cluster.dbscan_labels_per_min_samples(xy, eps, MIN_PTS)):
                pair = metrics.pair_clusters(item.fov.xy_nm, truth, pred)
                out[i, j, f] = (
                    *metrics.ari_and_ari_dagger(truth, pred),
                    pair["JI_c"],
                    pair["RMSRE_N"],
                )
    return out


def cached_grids(scenario: str) -> dict:
    cache = report.WORKDIRS / "dbscan_objective" / f"{scenario}.npz"
    if cache.exists():
        return dict(np.load(cache))
    params, config = model_store.load_model(model_store.BUNDLED_DIR / scenario)
    grids = {}
    for split in ("train", "dev"):
        items = input_pipeline.eval_fovs(config, split)
        grids[split] = grid_scores(evaluation.squeezed_fovs(params, config, items), items)
    paper = benchmark.get_config(scenario).evals
    grids["paper"] = np.array([paper.miro_eps, paper.miro_min_samples])
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, **grids)
    return grids


def objective_values(grid: np.ndarray, objective: str) -> np.ndarray:
    """[eps, minPts, fov] values of `objective` (the mean of its terms) on a score grid."""
    terms = [
        (-1.0 if s.startswith("-") else 1.0) * grid[..., SCORES.index(s.lstrip("-"))]
        for s in OBJECTIVES[objective]
    ]
    return np.mean(terms, axis=0)


def choose(train: np.ndarray, objective: str, rule: str) -> tuple[int, int]:
    surface = objective_values(train, objective).mean(axis=2)  # [eps, minPts]
    if rule == "plateau":
        return evaluation.plateau_argmax(surface)[0]
    return np.unravel_index(np.argmax(surface), surface.shape)


def rows_for(scenario: str) -> list[dict]:
    grids = cached_grids(scenario)
    rows = []
    for objective in OBJECTIVES:
        for rule in ("max", "plateau"):
            i, j = choose(grids["train"], objective, rule)
            dev = grids["dev"][i, j].mean(axis=0)
            rows.append(
                {
                    "set": scenario,
                    "rule": f"{objective} {rule}",
                    "eps": round(float(EPS[i]), 1),
                    "minPts": int(MIN_PTS[j]),
                    **dict(zip(SCORES, dev)),
                }
            )
    return rows + oracle_rows(scenario, grids["dev"])


def oracle_rows(scenario: str, dev: np.ndarray, objective: str = CHOSEN) -> list[dict]:
    """What no rule chosen on the training FOVs can beat: the grid point best on the dev FOVs
    themselves (any fixed per-set rule's ceiling) and each dev FOV's own best point (the
    ceiling of a rule adapting eps and minPts to every field), both by `objective`."""
    values = objective_values(dev, objective)  # [eps, minPts, fov]
    i, j = np.unravel_index(np.argmax(values.mean(axis=2)), values.shape[:2])
    per_fov = [
        np.unravel_index(np.argmax(values[..., f]), values.shape[:2])
        for f in range(values.shape[2])
    ]
    per_fov_scores = np.mean([dev[a, b, f] for f, (a, b) in enumerate(per_fov)], axis=0)
    return [
        {
            "set": scenario,
            "rule": f"{objective} dev best (oracle)",
            "eps": round(float(EPS[i]), 1),
            "minPts": int(MIN_PTS[j]),
            **dict(zip(SCORES, dev[i, j].mean(axis=0))),
        },
        {
            "set": scenario,
            "rule": f"{objective} per-FOV best (oracle)",
            "eps": "per FOV",
            "minPts": "per FOV",
            **dict(zip(SCORES, per_fov_scores)),
        },
    ]


def meets_bar(row: dict) -> str:
    """The issue's bar for one rule's dev scores, against the set's benchmark_<set>.csv rows
    (DBSCAN alone with paper params; the authors' weights, mean − 1 std): 'ok' or what fails."""
    frame = pd.read_csv(report.path(f"benchmark_{row['set']}.csv"))
    groups = frame.groupby("method")[["ARI_dagger", "JI_c", "RMSRE_N"]]
    mean, std = groups.mean(), groups.std(ddof=0)
    dbscan, authors = "DBSCAN (paper params)", "MIRO authors' weights (paper params)"
    fails = [f"{k} < DBSCAN" for k in ("ARI_dagger", "JI_c") if row[k] < mean.loc[dbscan, k]]
    fails += ["RMSRE_N > DBSCAN"] if row["RMSRE_N"] > mean.loc[dbscan, "RMSRE_N"] else []
    fails += [
        f"{k} < authors − std"
        for k in ("ARI_dagger", "JI_c")
        if row[k] < mean.loc[authors, k] - std.loc[authors, k]
    ]
    return ", ".join(fails) or "ok"


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("scenarios", nargs="+")
    args = parser.parse_args()
    t0 = time.time()
    frame = pd.DataFrame([r for s in args.scenarios for r in rows_for(s)])
    frame["bar"] = [meets_bar(r) for r in frame.to_dict("records")]
    print(frame.to_string())
    means = frame.groupby("rule", sort=False)[SCORES].mean()
    means["sets meeting the bar"] = frame.groupby("rule", sort=False)["bar"].apply(
        lambda b: f"{(b == 'ok').sum()} of {len(b)}"
    )
    lines = [
        *report.header(
            "How to choose DBSCAN parameters for MIRO + DBSCAN (dev FOVs, our shipped models)",
            f"python -m experiments.dbscan_objective {' '.join(args.scenarios)}",
            f"{(time.time() - t0) / 60:.1f} min (grids cached in workdirs/dbscan_objective/)",
        ),
        f"Grid: eps {EPS[0]:.0f}–{EPS[-1]:.0f} nm ({len(EPS)} log steps) × minPts "
        f"{MIN_PTS[0]}–{MIN_PTS[-1]} ({len(MIN_PTS)}); chosen on the 3 training FOVs (squeezed by "
        "the model trained on them); scores = mean over the 7 dev FOVs.",
        "",
        "Chosen for the benchmark (2026-11-27, on the dev FOVs of the 9 sets trained by then): "
        "**ARI+ARI†+JI_c plateau** (`evals.search_objective = 'ARI+ARI_dagger+JI_c'`, "
        "`evals.search_plateau = True`), the only rule whose choice met the issue's bar (≥ DBSCAN "
        "on ARI†, JI_c, RMSRE_N; ≥ authors' weights − 1 std on ARI†, JI_c) on all 9, with the best "
        "mean ARI† and JI_c; the sets trained afterwards are its out-of-sample check. The two "
        "oracle rows choose on the dev FOVs themselves (the grid point best on their mean, and "
        "each FOV's own best point): no rule choosing on the training FOVs can beat them, so they "
        "bound what a better rule, fixed or adapting to each field, could gain.",
        "",
        "## Mean over the sets",
        "",
        evaluation.markdown_table(means),
        "",
        "## Per set",
        "",
        evaluation.markdown_table(frame.set_index("set")),
        "",
    ]
    report.write("dbscan_objective.md", lines)


if __name__ == "__main__":
    main()
