"""Scores a model trained on a simulator (configs/shapes.py) on 20 fresh simulated FOVs.

  python -m experiments.capabilities --workdir runs/c_shapes
  python -m experiments.capabilities --model rings_calibrated [--fields rings_separated]
  python -m experiments.capabilities --workdir runs/warm_start --against c_shapes_rings

MIRO + DBSCAN vs DBSCAN alone; DBSCAN parameters for both chosen as every model's are
(fit.choose_dbscan: the config's search rule on the 20 separate simulated "training" FOVs, seed
stream 8), never on the evaluation FOVs. For
classifying models also the per-cluster class (mode of its localizations' predicted classes):
confusion matrix and macro F1 over matched clusters, and per-localization macro F1. --against
scores a second model on the same fields and adds the paired per-field differences (whether a
warm start beats the model it started from). Writes experiments/results/capability_<task>.md.
"""

import argparse
import time

import numpy as np
import pandas as pd

from configs import shapes
from experiments import report
from miro_jax import (
    cluster,
    evaluation,
    fit,
    input_pipeline,
    metrics,
    model_store,
)

PAPER = {  # by task; its calibrated and separated variants share the task's reference
    "c_shapes": "paper Table 1: MIRO ARI† 0.95, JI_c 0.999; DBSCAN ARI† 0.88, JI_c 0.67",
    "rings": "paper Table 1: MIRO ARI† 0.85, JI_c 0.99; DBSCAN ARI† 0.69, JI_c 0.55",
    "spots_ellipses": "paper: classification macro F1 ≈ 0.93",
}


def paper_reference(task: str) -> str:
    """The paper's result for a task or one of its variants (`<task>_calibrated`, `_separated`)."""
    return PAPER.get(task.removesuffix("_separated").removesuffix("_calibrated"), "–")


OUTCOMES = ("whole", "split", "merged", "missed")
NEIGHBOUR_BINS = (0.6, 1.0, 1.4, 2.0)  # nearest other centroid, in structure diameters


def outcome_table(items, labellings: dict) -> list[str]:
    """How each method found every true cluster (metrics.cluster_outcomes), by the distance to
    its nearest neighbour in diameters (2 × the median radius of gyration): where JI_c is lost."""
    radii = [
        cluster.radius_of_gyration(it.fov.xy_nm[idx])
        for it in items
        for _, idx in cluster.label_groups(it.fov.labels)
    ]
    diameter = 2.0 * float(np.median(radii))
    edges = [0.0, *NEIGHBOUR_BINS, np.inf]
    names = [f"{a:g}–{b:g}" if np.isfinite(b) else f"≥ {a:g}" for a, b in zip(edges, edges[1:])]
    found = {}
    for method, labels in labellings.items():
        pairs = [metrics.cluster_outcomes(it.fov.xy_nm, it.fov.labels, lab)
                 for it, lab in zip(items, labels)]  # fmt: skip
        nearest = np.concatenate([n for n, _ in pairs]) / diameter
        found[method] = (
            np.digitize(nearest, NEIGHBOUR_BINS),
            np.concatenate([o for _, o in pairs]),
        )
    bins = next(iter(found.values()))[0]
    rows = []
    for b, name in enumerate(names):
        row = {"nearest neighbour [diameters]": name, "true clusters": int((bins == b).sum())}
        for method, (in_bin, outcome) in found.items():
            sel = outcome[in_bin == b]
            row[f"{method}: whole / split / merged / missed"] = (
                " / ".join(f"{np.mean(sel == k):.2f}" for k in OUTCOMES) if len(sel) else "–"
            )
        rows.append(row)
    return [
        f"How each true cluster was found (metrics.cluster_outcomes: ≥ 20 % of it in one predicted "
        f"cluster), by its nearest neighbour's centroid distance in diameters (2 × the median "
        f"radius of gyration, {diameter:.0f} nm), fraction of the clusters in the bin:",
        "",
        evaluation.markdown_table(pd.DataFrame(rows).set_index("nearest neighbour [diameters]")),
        "",
    ]


def squeezed_and_clustered(params, config, items, dbscan_params):
    """A model's outputs on `items`, its squeezed coordinates (nm) and their DBSCAN labels."""
    runs = list(evaluation.applied_and_squeezed(params, config, items, [-1]))
    outs = [o for o, _ in runs]
    squeezed = [sq for _, (sq,) in runs]
    labels = [
        cluster.dbscan_labels(sq, dbscan_params.eps, dbscan_params.min_samples) for sq in squeezed
    ]
    return outs, squeezed, labels


def class_scores(outs, labels, items, config):
    """A classifying model's class scores: per true cluster (the mode of the refined classes of
    its localizations) and per localization, then the cluster-level macro F1 without the
    clusters' vote and with the true classes voted (the vote's ceiling: merged shapes)."""
    truth_c, pred_c, unvoted_c, ceiling_c, loc_t, loc_p = [], [], [], [], [], []
    for o, lab, it in zip(outs, labels, items):
        true_cls, refined = evaluation.class_predictions(o, it, lab)
        loc_t.append(true_cls)
        loc_p.append(refined)
        t, p = metrics.cluster_classes(it.fov.labels, true_cls, refined)
        truth_c += list(t)
        pred_c += list(p)
        unvoted = evaluation.unvoted_classes(o, it)
        unvoted_c += list(metrics.cluster_classes(it.fov.labels, true_cls, unvoted)[1])
        voted_truth = cluster.majority_class_per_cluster(lab, true_cls)
        ceiling_c += list(metrics.cluster_classes(it.fov.labels, true_cls, voted_truth)[1])
    k = config.model.num_classes  # background + the shape kinds

    def cluster_f1(pred):  # shape classes only
        return metrics.classification_scores(
            np.array(truth_c), np.array(pred), k, f1_classes=range(1, k)
        )

    per_localization = metrics.classification_scores(
        np.concatenate(loc_t), np.concatenate(loc_p), k
    )
    return (
        cluster_f1(pred_c),
        per_localization,
        cluster_f1(unvoted_c)["macro_F1"],
        cluster_f1(ceiling_c)["macro_F1"],
    )


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    report.add_model_arguments(p)
    p.add_argument("--fields", help="score on another configs/shapes.py task's simulated fields")
    p.add_argument(
        "--against",
        help="a bundled model or model directory to compare with per field on the same fields "
        "(each with its own DBSCAN parameters, chosen the same way): a warm start vs the model "
        "it started from",
    )
    args = p.parse_args()
    trained = report.trained_model(args)
    params, config = trained.params, trained.config
    made_by, minutes, steps = trained.made_by, trained.minutes, trained.steps
    model, command = trained.name, trained.flag
    task = config.data.scenario
    if args.fields:  # the same model on another simulator setting's fields
        other = shapes.get_config(args.fields)

        def simulated(c):  # what a field holds: the simulator and, for mixtures, its classes
            return c.data.simulator, tuple(c.data.eval_simulator_kwargs.get("kinds", ()))

        if simulated(other) != simulated(config):
            raise SystemExit(f"--fields {args.fields} simulates {simulated(other)}, the model was "
                             f"trained on {simulated(config)}: choose a task of the same shapes")  # fmt: skip
        config.data.eval_simulator_kwargs = other.data.eval_simulator_kwargs
        command += f" --fields {args.fields}"
    fields = args.fields or task
    t0 = time.time()
    dev = input_pipeline.eval_fovs(config, "dev")
    search = input_pipeline.eval_fovs(config, "train")
    miro_p, raw_p = fit.choose_dbscan(params, config, search)
    outs, dev_sq, miro_labels = squeezed_and_clustered(params, config, dev, miro_p)
    frames = [
        evaluation.score_fovs([i.fov.xy_nm for i in dev], dev, raw_p, "DBSCAN alone"),
        evaluation.score_fovs(dev_sq, dev, miro_p, "MIRO + DBSCAN"),
    ]
    if args.against:  # the other model, its DBSCAN chosen on the same search fields
        other_params, other_config = model_store.load_model(args.against)
        other_p = fit.choose_miro_dbscan(other_params, other_config, search)
        other_outs, other_sq, other_labels = squeezed_and_clustered(
            other_params, other_config, dev, other_p
        )
        against = f"MIRO + DBSCAN, {args.against}"
        frames.append(evaluation.score_fovs(other_sq, dev, other_p, against))
        command += f" --against {args.against}"
    per_fov = pd.concat(frames, ignore_index=True)
    lines = [
        *report.header(
            f"Capability `{task}`: 20 fresh simulated FOVs"
            + (f" of `{fields}`" if fields != task else ""),
            f"python -m experiments.capabilities {command}",
            f"Training: `{made_by}` ({minutes:.1f} min recorded)",
            f"Model: {model} (K = {config.model.num_iterations}, hidden "
            f"{config.model.hidden_size}, {steps} steps"
            f"{', warm start from ' + config.train.init_from if config.train.init_from else ''}"
            "); evaluation "
            f"wall time {time.time() - t0:.0f} s",
            f"DBSCAN params (fit.choose_dbscan on {len(search)} separate simulated FOVs, rule "
            f"{config.evals.search_objective}{' plateau' if config.evals.search_plateau else ''}): "
            f"alone eps {raw_p.eps:.1f} nm "
            f"minPts {raw_p.min_samples}; MIRO eps {miro_p.eps:.1f} nm minPts {miro_p.min_samples}",
            f"Reference: {paper_reference(fields)}",
        ),
        evaluation.markdown_table(evaluation.summarize(per_fov)),
        "",
        *(
            [
                f"Paired per-field differences, this model − {args.against} (DBSCAN eps "
                f"{other_p.eps:.1f} nm minPts {other_p.min_samples} for it; mean ± 95 % "
                "half-width over the fields; ✓ this model ahead beyond the interval, ✗ behind; "
                "RMSRE_N: lower is better):",
                "",
                evaluation.markdown_table(
                    report.paired_rows(
                        per_fov, [("MIRO + DBSCAN", against)], "this model − the other"
                    )
                ),
                "",
            ]
            if args.against
            else []
        ),
        *outcome_table(
            dev,
            {
                "DBSCAN alone": [
                    cluster.dbscan_labels(it.fov.xy_nm, raw_p.eps, raw_p.min_samples) for it in dev
                ],
                "MIRO + DBSCAN": miro_labels,
            },
        ),
    ]
    if config.model.num_classes:
        cl, lo, unvoted_f1, ceiling_f1 = class_scores(outs, miro_labels, dev, config)
        lines += [
            f"Per ground-truth cluster class (mode of refined predicted classes over its "
            f"localizations): macro F1 over the shape classes {cl['macro_F1']:.3f}; confusion "
            "(rows truth 0 = bg, 1, 2; columns predicted):",
            "",
            "```",
            str(cl["confusion"]),
            "```",
            "",
            f"Per localization: macro F1 {lo['macro_F1']:.3f}",
            "",
            "What limits the cluster-level F1: the same score with each localization's own class "
            f"(no vote by MIRO's clusters) {unvoted_f1:.3f}; with the true "
            "classes voted by MIRO's clusters (the vote's ceiling: clusters that merge two shapes) "
            f"{ceiling_f1:.3f}.",
            "",
        ]
        if args.against:
            other = class_scores(other_outs, other_labels, dev, other_config)
            lines += [
                f"{args.against} on the same fields: cluster-class macro F1 "
                f"{other[0]['macro_F1']:.3f}, per localization {other[1]['macro_F1']:.3f}, "
                f"without the vote {other[2]:.3f}, the vote's ceiling {other[3]:.3f}.",
                "",
            ]
    report.write(f"capability_{task}" + (f"_on_{fields}" if fields != task else "") + ".md", lines)


if __name__ == "__main__":
    main()
