"""On which side do the bundled two-level models win or lose ARI† against DBSCAN alone? (issue #21:
multiscale rings' ARI† sits level with DBSCAN alone while every other score leads)

  python -m experiments.ari_dagger_sides [--models multiscale_rings npc_like] [--test-fields 20]

ARI† is the harmonic mean of two unweighted means (metrics.wallace_indices_of_table): AW over the
true clusters (how whole each stays: splits lower it) and AV over the predicted clusters (how pure
each is: merges lower it). Per model and level, on the fresh test fields of experiments/multiscale
(the same seeds), MIRO + DBSCAN at the card's steps and parameters vs DBSCAN alone searched on the
training-side fields by the config's rule; the paired per-field differences of both means.
Writes experiments/results/ari_dagger_sides.md and its per-field CSV.
"""

import argparse
import time

import numpy as np
import pandas as pd

from experiments import report
from experiments.multiscale import stored_levels
from miro_jax import cluster, evaluation, fit, input_pipeline, metrics, model_store


def sides(truth: np.ndarray, pred: np.ndarray) -> dict:
    """Mean AW, mean AV, ARI† and the cluster counts of one labelling of one field."""
    table = metrics.contingency_table(truth, pred)
    aw, av = metrics.wallace_indices_of_table(table)
    return {
        "mean AW (whole)": aw.mean() if aw.size else 0.0,
        "mean AV (pure)": av.mean() if av.size else 0.0,
        "ARI_dagger": metrics.ari_dagger_of_table(table),
        "true clusters": len(np.unique(truth[truth > 0])),
        "found clusters": len(np.unique(pred[pred > 0])),
    }


def model_rows(name: str, num_fields: int | None) -> pd.DataFrame:
    """Per field, level and method: sides() of MIRO + DBSCAN (the card's levels) and DBSCAN alone."""
    params, config = model_store.load_model(name)
    levels = stored_levels(name, config)
    test_config = config.copy_and_resolve_references()
    if num_fields:
        test_config.data.num_eval_fovs = num_fields
    train = input_pipeline.eval_fovs(config, "train")
    test = input_pipeline.eval_fovs(test_config, "dev")
    squeezed = evaluation.squeezed_fovs_at_steps(
        params, config, test, [step - 1 for step, _ in levels.values()]
    )
    rows = []
    for (level, (step, miro_p)), level_squeezed in zip(levels.items(), squeezed):
        train_items = fit.finer_level(train) if level == "corner" else train
        test_items = fit.finer_level(test) if level == "corner" else test
        alone_p = evaluation.search_by_rule(config, train_items)
        for i, item in enumerate(test_items):
            for method, xy, p in (
                (f"MIRO + DBSCAN (step {step})", level_squeezed[i], miro_p),
                ("DBSCAN alone", item.fov.xy_nm, alone_p),
            ):
                labels = cluster.dbscan_labels(xy, p.eps, p.min_samples)
                rows.append(
                    {"model": name, "level": f"{level}s", "method": method, "field": i}
                    | sides(item.fov.labels, labels)
                )
    return pd.DataFrame(rows)


SCORES = ("mean AW (whole)", "mean AV (pure)", "ARI_dagger")
COUNTS = ("true clusters", "found clusters")


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--models", nargs="+", default=["multiscale_rings", "npc_like"])
    p.add_argument("--test-fields", type=int, help="fresh test fields (default: the config's, 20)")
    args = p.parse_args()
    t0 = time.time()
    per_field = pd.concat([model_rows(m, args.test_fields) for m in args.models])
    report.write_csv(per_field, report.path("ari_dagger_sides_per_field.csv"))
    table, paired = [], []
    for (model, level), group in per_field.groupby(["model", "level"], sort=False):
        methods = list(dict.fromkeys(group.method))
        for method in methods:
            g = group[group.method == method]
            table.append(
                {"labelling": f"{model}, {level}: {method}"}
                | {s: f"{g[s].mean():.3f} ± {g[s].std():.3f}" for s in SCORES}
                | {c: f"{g[c].mean():.1f}" for c in COUNTS}
            )
        ours, alone = (group[group.method == m] for m in methods)
        paired.append(
            {"MIRO + DBSCAN − DBSCAN alone": f"{model}, {level}"}
            | {s: report.paired_cell(ours[s].to_numpy(), alone[s].to_numpy()) for s in SCORES}
        )
    fields = per_field.field.nunique()
    lines = report.header(
        "ARI†'s two sides: whole true clusters (AW) and pure found clusters (AV)",
        "python -m experiments.ari_dagger_sides --models "
        + " ".join(args.models)
        + (f" --test-fields {args.test_fields}" if args.test_fields else ""),
        f"{fields} fresh test fields per model (experiments/multiscale's seeds); MIRO at its card's "
        f"steps and DBSCAN parameters, DBSCAN alone searched on the training-side fields by the "
        f"config's rule; wall time {time.time() - t0:.0f} s",
    )
    lines += [
        "Mean ± std over the fields. AW: the unweighted mean over true clusters of how whole each "
        "stays (splits lower it); AV: over found clusters, how pure each is (merges lower it); "
        "ARI† is their harmonic mean.",
        "",
        evaluation.markdown_table(pd.DataFrame(table).set_index("labelling")),
        "",
        "Paired per-field differences, MIRO + DBSCAN − DBSCAN alone (mean ± 95 % half-width; ✓ "
        "MIRO ahead beyond the interval, ✗ behind):",
        "",
        evaluation.markdown_table(pd.DataFrame(paired).set_index("MIRO + DBSCAN − DBSCAN alone")),
        "",
    ]
    report.write("ari_dagger_sides.md", lines)


if __name__ == "__main__":
    main()
