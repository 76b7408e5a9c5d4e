"""Multiscale clustering (paper Fig. 3, Fig. 5c–f): one model, corners at an early step (k* or
the step `miro fit` chooses) and whole structures (rings, pores) at the last step.

  python -m miro_jax.main --config configs/shapes.py:multiscale_rings --workdir workdirs/multiscale_rings
  python -m experiments.multiscale --workdir workdirs/multiscale_rings
  python -m experiments.multiscale --model npc_like --out npc_like.md      # a bundled model
  python -m experiments.multiscale --workdir runs/warm_start --against multiscale_rings --out x.md

The model trains with per-step targets (corner centres for steps < k*, ring centres after). Test:
20 fresh simulated FOVs (1.25 µm, 40–60 rings of radius 40 nm, 5–9 corners). For each level,
MIRO + DBSCAN (squeezed for corners at the step chosen on the training-side fields and at
step k*, for rings at step K) vs DBSCAN alone, DBSCAN parameters per level and method as `miro
fit` and every shipped model choose them (the config's rule on the training-side fields,
fit.choose_dbscan / search_subcluster_steps).
Structure statistics of each two-level labelling (structures found, corners per structure,
localizations per corner, structure radius) beside the truth's. Writes
experiments/results/<--out> (default multiscale.md) and <its stem>_hist.png (the ground truth's
localizations per structure / per corner, the sizes the labellings are scored against).
--against: a packaged two-level model (a warm start's origin) on the same test fields, at the
steps and DBSCAN parameters its card stores (fit.package: the same rule, the same training-side
fields), and the per-field differences at both levels.
"""

import argparse
import time
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import scipy.spatial

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from experiments import report
from miro_jax import cluster, cluster_stats, evaluation, fit, inference, input_pipeline, model_store


def two_level_statistics(xy: np.ndarray, structures: np.ndarray, corners: np.ndarray) -> dict:
    """Structures found, median corners per structure (each corner counted in the structure
    holding most of its localizations), median localizations per corner, median structure
    radius (mean distance of its corners' centroids from the structure's centroid)."""
    corner_table = cluster_stats.cluster_table(xy, corners, shapes=False).set_index("cluster")
    structure_table = cluster_stats.cluster_table(xy, structures, shapes=False, subclusters=corners)
    ids, owner = cluster.subcluster_owners(structures, corners)
    ids, owner = ids[owner > 0], owner[owner > 0]
    centre = structure_table.set_index("cluster")[["centroid_x [nm]", "centroid_y [nm]"]]
    offsets = (
        corner_table.loc[ids, ["centroid_x [nm]", "centroid_y [nm]"]].to_numpy()
        - centre.loc[owner].to_numpy()
    )
    radius = pd.Series(np.linalg.norm(offsets, axis=1)).groupby(owner).mean()
    per_structure = structure_table["subclusters"]
    return {
        "structures": float(len(structure_table)),
        "median corners per structure": float(per_structure.median()),
        "median localizations per corner": float(corner_table["localizations"].median()),
        "median structure radius [nm]": float(radius.median()),
    }


def stored_levels(name: str, config) -> dict[str, tuple[int, evaluation.DbscanParams]]:
    """A packaged two-level model's stored read steps (1-based) and DBSCAN parameters per level,
    {"corner": ..., "ring": ...}; exits naming the fix when the model was never packaged."""
    ev = config.evals
    if model_store.load_card(name) is None or not ev.subcluster_eps:
        raise SystemExit(f"--against {name}: not a packaged two-level model (no card with "
                         "subcluster DBSCAN): name a bundled one, or package it with "
                         "scripts/release.py --ship-shapes")  # fmt: skip
    return {
        "corner": (
            inference.subcluster_step(config),
            evaluation.DbscanParams(ev.subcluster_eps, ev.subcluster_min_samples),
        ),
        "ring": (
            config.model.num_iterations,
            evaluation.DbscanParams(ev.miro_eps, ev.miro_min_samples),
        ),
    }


def corner_trajectory(items, trajectory: list[list[np.ndarray]], steps) -> pd.DataFrame:
    """How the true corners move over the steps (medians over every corner of the fields): their
    localizations' RMS spread about their own centroid, the centroid's shift from where it
    started, the distance to the nearest other corner's centroid, and the mean L1 per coordinate
    of each localization to its own corner's starting centroid (what the loss's corner term
    asks; step 0 = staying put), before any step and after each of `steps` (1-based). A last
    row, "oracle": every localization at the nearest true corner centroid. A two-level model
    should hold the corners tight and in place up to k*, then move them to their structures."""
    rows = []
    for step in [0, *steps, "oracle"]:
        spread, shift, nearest, l1 = [], [], [], []
        for i, item in enumerate(items):
            xy = item.fov.xy_nm
            groups = [idx for _, idx in cluster.label_groups(item.fov.sublabels)]
            start = np.array([xy[idx].mean(0) for idx in groups])
            if step == "oracle":
                moved = start[scipy.spatial.cKDTree(start).query(xy)[1]]
            else:
                moved = xy if step == 0 else trajectory[step - 1][i]
            now = np.array([moved[idx].mean(0) for idx in groups])
            spread += [
                np.sqrt(((moved[idx] - c) ** 2).sum(1).mean()) for idx, c in zip(groups, now)
            ]
            shift += list(np.linalg.norm(now - start, axis=1))
            nearest += list(scipy.spatial.cKDTree(now).query(now, k=2)[0][:, 1])
            l1 += [np.abs(moved[idx] - c).mean() for idx, c in zip(groups, start)]
        rows.append(
            {
                "step": step,
                "corner RMS spread [nm]": float(np.median(spread)),
                "corner centroid shift [nm]": float(np.median(shift)),
                "nearest other corner [nm]": float(np.median(nearest)),
                "L1 to own corner [nm]": float(np.median(l1)),
            }
        )
    return pd.DataFrame(rows).set_index("step")


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    report.add_model_arguments(p)
    p.add_argument("--out", default="multiscale.md", help="results file name")
    p.add_argument(
        "--test-fields",
        type=int,
        help="fresh test fields (default: the config's data.num_eval_fovs, 20); the first 20 are "
        "the default's, so more fields extend the same test set",
    )
    p.add_argument(
        "--against",
        help="a packaged two-level model (bundled name or directory) scored on the same test "
        "fields at its stored steps and DBSCAN parameters, paired per field: a warm start vs "
        "its origin",
    )
    args = p.parse_args()
    t0 = time.time()
    trained = report.trained_model(args)
    params, config = trained.params, trained.config
    k_star = config.loss.cutoff_iterations

    # DBSCAN per level as every shipped model chooses it (fit.choose_dbscan and
    # fit.choose_subcluster_dbscan: the config's rule on the training-side fields); scored on
    # fresh fields against their structures, and (fit.finer_level) against their corners
    train = input_pipeline.eval_fovs(config, "train")
    test_config = config.copy_and_resolve_references()
    if args.test_fields:
        test_config.data.num_eval_fovs = args.test_fields
    test = input_pipeline.eval_fovs(test_config, "dev")
    miro_structure, raw_structure = fit.choose_dbscan(params, config, train)
    raw_corner = evaluation.search_by_rule(config, fit.finer_level(train))
    searches = fit.search_subcluster_steps(params, config, train)
    corner_step, miro_corner = fit.pick_subcluster_step(searches)
    at_k_star = {step: found for step, found, _ in searches}[k_star]
    chosen = {"corner": (raw_corner, miro_corner), "ring": (raw_structure, miro_structure)}
    # one model run per test field gives every step: both levels and the trajectory
    trajectory = evaluation.squeezed_fovs_at_steps(
        params, config, test, range(config.model.num_iterations)
    )
    test_squeezed = {"corner": trajectory[corner_step - 1], "ring": trajectory[-1]}
    corner_items = fit.finer_level(test)
    levels = {"corner": corner_items, "ring": test}  # each level's scored items
    frames, this_model = [], {}  # this_model: each level's MIRO + DBSCAN method name
    for level, step in (("corner", corner_step), ("ring", 0)):
        t_items = levels[level]
        raw_p, miro_p = chosen[level]
        frames.append(
            evaluation.score_fovs(
                [it.fov.xy_nm for it in t_items], t_items, raw_p, f"{level}s: DBSCAN alone"
            )
        )
        if level == "corner" and corner_step != k_star:  # the paper's readout, beside the chosen
            frames.append(
                evaluation.score_fovs(
                    trajectory[k_star - 1], t_items, at_k_star, f"corners: MIRO + DBSCAN (step {k_star} = k*)"
                )
            )  # fmt: skip
        name = f"step {step}, chosen" if step else f"step {config.model.num_iterations}"
        this_model[level] = f"{level}s: MIRO + DBSCAN ({name})"
        frames.append(
            evaluation.score_fovs(test_squeezed[level], t_items, miro_p, this_model[level])
        )
    if args.against:
        other_params, other_config = model_store.load_model(args.against)
        other = stored_levels(args.against, other_config)
        other_model = {
            level: f"{level}s: {args.against} (step {step})" for level, (step, _) in other.items()
        }
        other_squeezed = evaluation.squeezed_fovs_at_steps(
            other_params, other_config, test, [step - 1 for step, _ in other.values()]
        )
        for (level, (_, other_p)), squeezed in zip(other.items(), other_squeezed):
            frames.append(
                evaluation.score_fovs(squeezed, levels[level], other_p, other_model[level])
            )
    per_fov = pd.concat(frames, ignore_index=True)
    (raw_corner, miro_corner), (raw_structure, miro_structure) = chosen.values()
    rows = []
    for i, item in enumerate(test):
        xy = item.fov.xy_nm
        labellings = {
            "ground truth": (item.fov.labels, item.fov.sublabels),
            "MIRO + DBSCAN": (
                cluster.dbscan_labels(
                    test_squeezed["ring"][i], miro_structure.eps, miro_structure.min_samples
                ),
                cluster.dbscan_labels(
                    test_squeezed["corner"][i], miro_corner.eps, miro_corner.min_samples
                ),
            ),
            "DBSCAN alone": (
                cluster.dbscan_labels(xy, raw_structure.eps, raw_structure.min_samples),
                cluster.dbscan_labels(xy, raw_corner.eps, raw_corner.min_samples),
            ),
        }
        for name, (structure_labels, corner_labels) in labellings.items():
            rows.append(
                {"labelling": name, **two_level_statistics(xy, structure_labels, corner_labels)}
            )

    num_steps = config.model.num_iterations
    shown = {1, *(s for s, _, _ in searches), k_star + 1, num_steps}
    shown_steps = sorted(s for s in shown if 1 <= s <= num_steps)

    fig, axes = plt.subplots(1, 2, figsize=(8, 3))
    for ax, level, name in (
        (axes[0], "labels", "structure"),
        (axes[1], "sublabels", "sub-cluster"),
    ):
        counts = np.concatenate([np.bincount(getattr(it.fov, level))[1:] for it in test])
        ax.hist(counts[counts > 0], bins=30, color="0.4")
        ax.set_xlabel(f"localizations per {name}")
        ax.set_ylabel("count")
    fig.tight_layout()
    hist = f"{Path(args.out).stem}_hist.png"
    fig.savefig(report.path(hist), dpi=120)
    out_flag = "" if args.out == "multiscale.md" else f" --out {args.out}"
    out_flag += f" --test-fields {args.test_fields}" if args.test_fields else ""
    out_flag += f" --against {args.against}" if args.against else ""
    lines = report.header(
        f"Two-level clustering `{config.data.scenario}`: corners and whole structures from one "
        "model",
        f"python -m experiments.multiscale {trained.flag}{out_flag}",
        f"Model: {trained.name} (K = {config.model.num_iterations}, k* = {k_star}, hidden "
        f"{config.model.hidden_size}, {trained.steps} steps, configs/shapes.py:"
        f"{config.data.scenario}); evaluation {time.time() - t0:.0f} s",
        f"Training: `{trained.made_by}` ({trained.minutes:.1f} min recorded)",
        *(
            f"DBSCAN params for {level}s (project rule, {len(train)} training-side fields): alone "
            f"eps {raw_p.eps:.1f} nm minPts {raw_p.min_samples}; MIRO eps {miro_p.eps:.1f} nm "
            f"minPts {miro_p.min_samples}"
            for level, (raw_p, miro_p) in chosen.items()
        ),
    )
    lines += [
        f"{len(test)} fresh FOVs, mean ± std. Histogram of the ground truth's localizations per"
        f" structure and per corner: {hist}",
        "",
        evaluation.markdown_table(evaluation.summarize(per_fov)),
        "",
        "Paired per-field differences (mean ± 95 % half-width over the fields; ✓ MIRO ahead"
        " beyond the interval, ✗ behind; RMSRE_N: lower is better):",
        "",
        evaluation.markdown_table(
            report.paired_rows(
                per_fov,
                [
                    (m, f"{m.split(':')[0]}: DBSCAN alone")
                    for m in dict.fromkeys(per_fov.method)
                    if "alone" not in m
                ],
                "MIRO + DBSCAN − DBSCAN alone",
            )
        ),
        "",
        *(
            [
                f"Paired per-field differences, this model − {args.against} (its card's steps and"
                " DBSCAN parameters: "
                + "; ".join(
                    f"{level}s step {step}, eps {q.eps:.1f} nm minPts {q.min_samples}"
                    for level, (step, q) in other.items()
                )
                + "; mean ± 95 % half-width; ✓ this model ahead beyond the interval, ✗ behind):",
                "",
                evaluation.markdown_table(
                    report.paired_rows(
                        per_fov,
                        [(this_model[level], other_model[level]) for level in other],
                        "this model − the other",
                    )
                ),
                "",
            ]
            if args.against
            else []
        ),
        f"The corner step, chosen on the training-side fields (`fit.search_subcluster_steps`:"
        f" the searched DBSCAN's objective, {config.evals.search_objective} on the best plateau,"
        " at each candidate step):",
        "",
        "| step | " + " | ".join(str(s) for s, _, _ in searches) + " |",
        "|---" * (len(searches) + 1) + "|",
        "| objective | " + " | ".join(f"{v:.3f}" for _, _, v in searches) + " |",
        "| MIRO eps [nm] / minPts | "
        + " | ".join(f"{p.eps:.1f} / {p.min_samples}" for _, p, _ in searches)
        + " |",
        "",
        f"Structure statistics of each two-level labelling (corners at step {corner_step},"
        " structures at step K; DBSCAN alone with its two searched parameter sets):",
        "",
        evaluation.markdown_table(report.versus_truth(rows, by="labelling")),
        "",
        "How the true corners move over the steps (medians over all corners of the test fields;"
        f" the corner targets hold for steps 1–{k_star}, the structure targets after):",
        "",
        evaluation.markdown_table(corner_trajectory(test, trajectory, shown_steps)),
        "",
    ]
    report.write(args.out, lines)


if __name__ == "__main__":
    main()
