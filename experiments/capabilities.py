"""Scores a model trained on a simulator (configs/shapes.py) on 20 fresh simulated FOVs.

  python -m experiments.capabilities --workdir runs/c_shapes

MIRO + DBSCAN vs DBSCAN alone; DBSCAN parameters for both chosen as every model's are
(fit.choose_dbscan: the config's search rule on the 20 separate simulated "training" FOVs, seed
stream 8), never on the evaluation FOVs. For
classifying models also the per-cluster class (mode of its localizations' predicted classes):
confusion matrix and macro F1 over matched clusters, and per-localization macro F1.
Writes experiments/results/capability_<task>.md.
"""

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from configs import shapes
from experiments import report
from miro_jax import (
    cluster,
    evaluation,
    fit,
    inference,
    input_pipeline,
    metrics,
    model_store,
    train,
)

PAPER = {
    "c_shapes": "paper Table 1: MIRO ARI† 0.95, JI_c 0.999; DBSCAN ARI† 0.88, JI_c 0.67",
    "c_shapes_calibrated": "paper Table 1: MIRO ARI† 0.95, JI_c 0.999; DBSCAN ARI† 0.88, JI_c 0.67",
    "rings": "paper Table 1: MIRO ARI† 0.85, JI_c 0.99; DBSCAN ARI† 0.69, JI_c 0.55",
    "spots_ellipses": "paper: classification macro F1 ≈ 0.93",
}


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--workdir", required=True)
    args = p.parse_args()
    params, config = model_store.load_model(Path(args.workdir) / "model")
    task = config.data.scenario
    t0 = time.time()
    dev = input_pipeline.eval_fovs(config, "dev")
    search = input_pipeline.eval_fovs(config, "train")
    miro_p, raw_p = fit.choose_dbscan(params, config, search)
    outs = [inference.apply_graph(params, config, it.graph) for it in dev]
    dev_sq = [
        evaluation.squeeze_fov(
            o, it, config.graph.connectivity_radius, config.evals.authors_scaling
        )
        for o, it in zip(outs, dev)
    ]
    frames = [
        evaluation.score_fovs([i.fov.xy_nm for i in dev], dev, raw_p, "DBSCAN alone"),
        evaluation.score_fovs(dev_sq, dev, miro_p, "MIRO + DBSCAN"),
    ]
    per_fov = pd.concat(frames, ignore_index=True)
    records = train.read_metrics(args.workdir)
    lines = [
        *report.header(
            f"Capability `{task}`: 20 fresh simulated FOVs",
            f"python -m experiments.capabilities --workdir {args.workdir}",
            "Training: `"
            + model_store.training_command(
                f"configs/shapes.py:{task}", shapes.get_config(task), config, args.workdir
            )
            + f"` ({train.recorded_minutes(records):.1f} min recorded)",
            f"Model: {args.workdir} (K = {config.model.num_iterations}, hidden "
            f"{config.model.hidden_size}, {train.recorded_steps(records)} steps"
            f"{', warm start from ' + config.train.init_from if config.train.init_from else ''}"
            "); evaluation "
            f"wall time {time.time() - t0:.0f} s",
            f"DBSCAN params (fit.choose_dbscan on {len(search)} separate simulated FOVs, rule "
            f"{config.evals.search_objective}{' plateau' if config.evals.search_plateau else ''}): "
            f"alone eps {raw_p.eps:.1f} nm "
            f"minPts {raw_p.min_samples}; MIRO eps {miro_p.eps:.1f} nm minPts {miro_p.min_samples}",
            f"Reference: {PAPER.get(task, '–')}",
        ),
        evaluation.markdown_table(evaluation.summarize(per_fov)),
        "",
    ]
    if config.model.num_classes:
        truth_c, pred_c, unvoted_c, ceiling_c, loc_t, loc_p = [], [], [], [], [], []
        for o, sq, it in zip(outs, dev_sq, dev):
            labels = cluster.dbscan_labels(sq, miro_p.eps, miro_p.min_samples)
            true_cls, refined = evaluation.class_predictions(o, it, labels)
            loc_t.append(true_cls)
            loc_p.append(refined)
            t, p = metrics.cluster_classes(it.fov.labels, true_cls, refined)
            truth_c += list(t)
            pred_c += list(p)
            # what limits the score: the classes before the vote, and the vote of true classes
            unvoted = evaluation.unvoted_classes(o, it)
            unvoted_c += list(metrics.cluster_classes(it.fov.labels, true_cls, unvoted)[1])
            voted_truth = cluster.majority_class_per_cluster(labels, true_cls)
            ceiling_c += list(metrics.cluster_classes(it.fov.labels, true_cls, voted_truth)[1])
        k = config.model.num_classes  # background + the shape kinds

        def cluster_f1(pred):  # shape classes only
            return metrics.classification_scores(
                np.array(truth_c), np.array(pred), k, f1_classes=range(1, k)
            )

        cl = cluster_f1(pred_c)
        lo = metrics.classification_scores(np.concatenate(loc_t), np.concatenate(loc_p), k)
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
            f"(no vote by MIRO's clusters) {cluster_f1(unvoted_c)['macro_F1']:.3f}; with the true "
            "classes voted by MIRO's clusters (the vote's ceiling: clusters that merge two shapes) "
            f"{cluster_f1(ceiling_c)['macro_F1']:.3f}.",
            "",
        ]
    report.write(f"capability_{task}.md", lines)


if __name__ == "__main__":
    main()
