"""Does averaging a model over the square's 8 symmetries (test-time augmentation) help?

  python -m experiments.dihedral_views --sets scenario_3 scenario_6_blinking   # some sets
  python -m experiments.dihedral_views                                         # all 18

Each bundled benchmark model squeezes every FOV as given (one view) and as the mean of its 8
dihedral views: the edge vectors rotated / reflected, the predicted displacements mapped back
(the Delaunay graph and its Laplacian features do not change). For each, DBSCAN is searched on
the 3 training FOVs with the benchmark's rule and the 7 dev FOVs are scored: a rule with nothing
tuned per set. Per set results are cached in workdirs/dihedral_views/<set>.csv (two invocations
on two cores share the work); the report covers every cached set:
experiments/results/dihedral_views.md.
"""

import time

import numpy as np
import pandas as pd

from experiments import report
from miro_jax import evaluation, inference, input_pipeline, model_store

ONE_VIEW, EIGHT_VIEWS = "1 view", "8 views"


def dihedral_matrices() -> list[np.ndarray]:
    """The 8 symmetries of the square as 2 × 2 matrices: 4 rotations, 4 reflections."""
    rotations = [
        np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]).round()
        for a in np.arange(4) * np.pi / 2
    ]
    mirror = np.array([[1.0, 0.0], [0.0, -1.0]])
    return [m.astype(np.float32) for m in rotations + [r @ mirror for r in rotations]]


def view_displacements(params, config, graph, matrix: np.ndarray) -> np.ndarray:
    """[K, nodes, 2] displacements of the model on the graph seen through `matrix`, mapped back
    to the graph's own frame (edge features are (dx, dy, distance) / δ)."""
    features = np.asarray(graph.edges["features"]).copy()
    features[:, :2] = features[:, :2] @ matrix.T
    seen = graph._replace(edges={**graph.edges, "features": features})
    return np.asarray(inference.apply_graph(params, config, seen)["displacements"]) @ matrix


def squeezed_views(params, config, items, matrices) -> tuple[list[np.ndarray], list[float]]:
    """Squeezed nm coordinates from the views' mean displacement, and per FOV the views' spread
    (mean distance of a view's last-step displacement from the mean, over its mean length)."""
    squeezed, spread = [], []
    for item in items:
        n = item.fov.xy_nm.shape[0]
        views = np.stack([view_displacements(params, config, item.graph, m) for m in matrices])
        mean = views.mean(axis=0)
        squeezed.append(
            evaluation.squeeze_fov(
                {"displacements": mean},
                item,
                config.graph.connectivity_radius,
                config.evals.authors_scaling,
            )
        )
        last = views[:, -1, :n]
        deviation = np.linalg.norm(last - mean[-1, :n], axis=-1).mean()
        spread.append(float(deviation / np.linalg.norm(mean[-1, :n], axis=-1).mean()))
    return squeezed, spread


def score_set(scenario: str) -> pd.DataFrame:
    """Per dev FOV scores of the bundled model of `scenario` with one and with 8 views."""
    params, config = model_store.load_model(scenario)
    config = evaluation.with_benchmark_evals(config, scenario)
    dev = input_pipeline.eval_fovs(config, "dev")
    train = input_pipeline.eval_fovs(config, "train")
    frames = []
    for method, matrices in (
        (ONE_VIEW, dihedral_matrices()[:1]),
        (EIGHT_VIEWS, dihedral_matrices()),
    ):
        t0 = time.perf_counter()
        squeezed_dev, spread = squeezed_views(params, config, dev, matrices)
        squeezed_train, _ = squeezed_views(params, config, train, matrices)
        found = evaluation.search_by_rule(config, train, squeezed_train)
        frame = evaluation.score_fovs(squeezed_dev, dev, found, method)
        frame["views_spread"] = spread
        frame["seconds"] = time.perf_counter() - t0
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "set", scenario)
    return out


def summary(frame: pd.DataFrame) -> list[str]:
    """One row per set (means over its dev FOVs, paired 8 − 1 view differences) and one over
    every FOV of every set."""
    lines = [
        "| set | ARI† 1 / 8 views | 8 − 1 views | JI_c 1 / 8 views | 8 − 1 views | "
        "RMSRE_N 8 − 1 views | views' spread | DBSCAN eps / minPts 1 → 8 views | s 1 / 8 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    groups = [(s, frame[frame.set == s]) for s in frame.set.unique()]
    for name, part in [*groups, ("all sets' FOVs", frame)]:
        one, eight = (part[part.method == m].reset_index() for m in (ONE_VIEW, EIGHT_VIEWS))
        params, seconds = "–", "–"
        if name != "all sets' FOVs":
            params = (
                f"{one.eps[0]:.1f} / {one.min_samples[0]} → "
                f"{eight.eps[0]:.1f} / {eight.min_samples[0]}"
            )
            seconds = f"{one.seconds[0]:.0f} / {eight.seconds[0]:.0f}"
        lines.append(
            f"| {name} | {one.ARI_dagger.mean():.3f} / {eight.ARI_dagger.mean():.3f} | "
            f"{report.paired_cell(eight.ARI_dagger, one.ARI_dagger)} | "
            f"{one.JI_c.mean():.3f} / {eight.JI_c.mean():.3f} | "
            f"{report.paired_cell(eight.JI_c, one.JI_c)} | "
            f"{report.paired_cell(eight.RMSRE_N, one.RMSRE_N, lower_is_better=True)} | "
            f"{eight.views_spread.mean():.3f} | {params} | {seconds} |"
        )
    return lines


def main(argv=None) -> None:
    report.per_set_study(
        "dihedral_views",
        "Averaging the bundled benchmark models over the square's 8 symmetries",
        [
            "Dev FOVs; DBSCAN searched on the 3 training FOVs with the benchmark's rule for each "
            "way of squeezing; paired differences with their 95 % interval over FOVs (✓ / ✗: "
            "beyond it); views' spread = mean distance of a view's last-step displacement from "
            "the 8 views' mean, over the mean's length; s = seconds to squeeze the 10 FOVs and "
            "search (the 1-view pass, run first, includes JAX's compilations)"
        ],
        score_set,
        summary,
        argv,
    )


if __name__ == "__main__":
    main()
