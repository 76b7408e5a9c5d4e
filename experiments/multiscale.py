"""Multiscale clustering (paper Fig. 3): one model, corners at step k*−1 and rings at the last step.

  python -m miro_jax.main --config configs/shapes.py:multiscale_rings --workdir workdirs/multiscale_rings
  python -m experiments.multiscale --workdir workdirs/multiscale_rings

The model trains with per-step targets (corner centres for steps < k*, ring centres after). Test:
20 fresh simulated FOVs (1.25 µm, 40–60 rings of radius 40 nm, 5–9 corners). For each level,
MIRO + DBSCAN (squeezed at step k*−1 for corners, at step K for rings) vs DBSCAN alone, DBSCAN
parameters searched per level and method on 5 separate simulated FOVs. Writes
experiments/results/multiscale.md and multiscale_hist.png (localizations per ring / per corner).
"""

import argparse
import dataclasses
import time
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from experiments import report
from miro_jax import evaluation, input_pipeline, model_store


def fovs(config, stream: int, count: int):
    """(graph item, ring labels, corner labels) of fresh simulated FOVs."""
    out = []
    for i in range(count):
        rng = np.random.default_rng([config.data.seed, stream, i])
        field = input_pipeline.simulated_field(config, rng, evaluation=True)
        item = input_pipeline.field_eval_fov(field, config, rng, f"sim_{stream}_{i:02d}")
        out.append((item, field.labels, field.sublabels))
    return out


def with_labels(item, labels):
    """The same FOV and graph, scored against other ground-truth labels."""
    return dataclasses.replace(item, fov=dataclasses.replace(item.fov, labels=labels))


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--workdir", required=True)
    args = p.parse_args()
    t0 = time.time()
    params, config = model_store.load_model(Path(args.workdir) / "model")
    k_star = config.loss.cutoff_iterations

    def squeeze(items, step):
        return evaluation.squeezed_fovs(params, config, items, step_index=step)

    search, test = fovs(config, 8, 5), fovs(config, 7, config.data.num_eval_fovs)
    frames, chosen = [], {}
    for level, column, step in (("corner", 2, k_star - 1), ("ring", 1, -1)):
        s_items = [with_labels(f[0], f[column]) for f in search]
        t_items = [with_labels(f[0], f[column]) for f in test]
        truths = [it.fov.labels for it in s_items]
        # minPts ≥ 3: with 1.5 % background, minPts 1 (every stray point a cluster) can win ARI
        raw_p, _ = evaluation.search_dbscan(
            [it.fov.xy_nm for it in s_items], truths, min_samples_range=(3, 100)
        )
        miro_p, _ = evaluation.search_dbscan(
            squeeze(s_items, step), truths, min_samples_range=(3, 100)
        )
        chosen[level] = (raw_p, miro_p)
        frames.append(
            evaluation.score_fovs(
                [it.fov.xy_nm for it in t_items], t_items, raw_p, f"{level}s: DBSCAN alone"
            )
        )
        frames.append(
            evaluation.score_fovs(
                squeeze(t_items, step),
                t_items,
                miro_p,
                f"{level}s: MIRO + DBSCAN (step {step % config.model.num_iterations + 1})",
            )
        )
    per_fov = pd.concat(frames, ignore_index=True)

    fig, axes = plt.subplots(1, 2, figsize=(8, 3))
    for ax, column, name in ((axes[0], 1, "ring"), (axes[1], 2, "corner")):
        counts = np.concatenate([np.bincount(f[column])[1:] for f in test])
        ax.hist(counts[counts > 0], bins=30, color="0.4")
        ax.set_xlabel(f"localizations per {name}")
        ax.set_ylabel("count")
    fig.tight_layout()
    fig.savefig(report.path("multiscale_hist.png"), dpi=120)
    lines = report.header(
        "Multiscale rings: corners and rings from one model",
        f"python -m experiments.multiscale --workdir {args.workdir}",
        f"Model: K = {config.model.num_iterations}, k* = {k_star}, hidden {config.model.hidden_size}, "
        f"{config.train.num_train_steps} steps (configs/shapes.py:multiscale_rings); evaluation "
        f"{time.time() - t0:.0f} s",
        *(
            f"DBSCAN params for {level}s (searched on 5 separate FOVs): alone eps {raw_p.eps:.1f} "
            f"nm minPts {raw_p.min_samples}; MIRO eps {miro_p.eps:.1f} nm minPts {miro_p.min_samples}"
            for level, (raw_p, miro_p) in chosen.items()
        ),
    )
    lines += [
        f"{len(test)} fresh FOVs, mean ± std. Histogram: multiscale_hist.png",
        "",
        evaluation.markdown_table(evaluation.summarize(per_fov)),
        "",
    ]
    report.write("multiscale.md", lines)


if __name__ == "__main__":
    main()
