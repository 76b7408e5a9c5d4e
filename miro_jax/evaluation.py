"""Benchmark evaluation: MIRO + DBSCAN vs DBSCAN alone per FOV, summaries, DBSCAN parameter search."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import jax
import ml_collections
import numpy as np
import pandas as pd
import scipy.ndimage
import tqdm

from miro_jax import cluster, inference, input_pipeline, losses, metrics

SCORE_COLUMNS = [
    "IoU",
    "ARI",
    "ARI_c",
    "ARI_dagger",
    "AMI",
    "JI_c",
    "RMSRE_N",
    "RMSE_xy",
    "RMSE_xy_paper",
]


@dataclasses.dataclass(frozen=True)
class DbscanParams:
    eps: float  # nm
    min_samples: int


def squeeze_fov(
    outputs: dict,
    item: input_pipeline.EvalFov,
    connectivity_radius: float,
    authors_scaling: bool,
    step_index: int = -1,
) -> np.ndarray:
    """Squeezed coordinates of the FOV's real nodes in nm (authors' scale-back quirk optional)."""
    n = item.fov.xy_nm.shape[0]
    disp = np.asarray(outputs["displacements"][step_index, :n])
    squeezed = cluster.squeeze(item.graph.nodes["position"][:n], disp, connectivity_radius)
    if authors_scaling:
        return item.fov.unit_to_authors_nm(squeezed)
    return item.fov.unit_to_nm(squeezed)


def squeezed_fovs(
    params, config: ml_collections.ConfigDict, items, step_index: int = -1
) -> list[np.ndarray]:
    """MIRO-squeezed nm coordinates of each FOV after step `step_index` (default the last; the
    config decides the scale-back)."""
    return squeezed_fovs_at_steps(params, config, items, [step_index])[0]


def applied_and_squeezed(params, config: ml_collections.ConfigDict, items, step_indices):
    """Per FOV, one model run's outputs and its squeezed nm coordinates after each of
    `step_indices`: the one apply-and-squeeze loop (class scores need the outputs too)."""
    for item in items:
        outputs = inference.apply_graph(params, config, item.graph)
        yield (
            outputs,
            [
                squeeze_fov(
                    outputs,
                    item,
                    config.graph.connectivity_radius,
                    config.evals.authors_scaling,
                    step_index=step,
                )
                for step in step_indices
            ],
        )


def squeezed_fovs_at_steps(
    params, config: ml_collections.ConfigDict, items, step_indices
) -> list[list[np.ndarray]]:
    """[step][FOV] squeezed nm coordinates after each of several steps, from one model run per
    FOV (a two-level model's corners at k* and structures at K, or its whole trajectory)."""
    out: list[list[np.ndarray]] = [[] for _ in step_indices]
    for _, squeezed in applied_and_squeezed(params, config, items, step_indices):
        for per_step, fov_squeezed in zip(out, squeezed):
            per_step.append(fov_squeezed)
    return out


@functools.partial(jax.jit, static_argnames=("settings",))
def loss_parts(outputs: dict, graph, settings: tuple) -> dict:
    """The loss's parts (losses.miro_loss with static `settings`) of a model's outputs."""
    return losses.miro_loss(outputs, graph, **dict(settings))[1]


def unvoted_classes(outputs: dict, item: input_pipeline.EvalFov) -> np.ndarray:
    """Each localization's own predicted class (argmax of the last step's logits), before any
    vote by clusters."""
    return np.asarray(outputs["logits"][-1, : item.fov.xy_nm.shape[0]]).argmax(-1)


def class_predictions(
    outputs: dict, item: input_pipeline.EvalFov, labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(true, predicted) shape class per localization of the FOV; the DBSCAN clusters `labels`
    vote their class from the last step's logits (cMIRO's refinement)."""
    refined = cluster.majority_class_per_cluster(labels, unvoted_classes(outputs, item))
    return np.asarray(item.graph.nodes["class"][: item.fov.xy_nm.shape[0]]), refined


def cluster_class_f1(outputs: dict, item: input_pipeline.EvalFov, labels: np.ndarray) -> float:
    """Cluster-level macro F1 over the shape classes: each ground-truth cluster takes the class
    most of its localizations got after the clusters' vote (class_predictions)."""
    truth, refined = class_predictions(outputs, item, labels)
    truth_c, pred_c = metrics.cluster_classes(item.fov.labels, truth, refined)
    k = outputs["logits"].shape[-1]  # background + the shape kinds
    return metrics.classification_scores(truth_c, pred_c, k, f1_classes=range(1, k))["macro_F1"]


def fov_scores(
    params, item, config: ml_collections.ConfigDict, settings: tuple, with_iou: bool = False
) -> dict:
    """One evaluation FOV's loss (the paper's, `settings` = losses.static_loss_settings),
    clustering scores of MIRO + the config's DBSCAN parameters, compression index and Dirichlet
    energy (and class F1 for classifying models)."""
    ((outputs, (squeezed,)),) = applied_and_squeezed(params, config, [item], [-1])
    row = {k: float(v) for k, v in loss_parts(outputs, item.graph, settings).items()}
    pred = cluster.dbscan_labels(squeezed, config.evals.miro_eps, config.evals.miro_min_samples)
    row.update(metrics.clustering_scores(item.fov.xy_nm, item.fov.labels, pred, with_iou=with_iou))
    n = item.fov.xy_nm.shape[0]
    row["compression_index"] = metrics.compression_index(item.fov.xy_nm, squeezed, item.fov.labels)
    real_edges = int(item.graph.n_edge[0])
    row["dirichlet_energy"] = metrics.dirichlet_energy(
        np.asarray(outputs["node_states"][:n]),
        np.asarray(item.graph.senders[:real_edges]),
        np.asarray(item.graph.receivers[:real_edges]),
    )
    if "logits" in outputs and "class" in item.graph.nodes:
        row["class_macro_F1"] = cluster_class_f1(outputs, item, pred)
    return row


def model_scores(params, items, config: ml_collections.ConfigDict, with_iou: bool = False) -> dict:
    """fov_scores averaged over evaluation FOVs: what training logs for its dev FOVs."""
    settings = losses.static_loss_settings(config)
    rows = [fov_scores(params, item, config, settings, with_iou) for item in items]
    keys = [k for k, v in rows[0].items() if isinstance(v, float)]
    return {k: float(np.mean([r[k] for r in rows])) for k in keys}


def score_fovs(
    point_sets: list[np.ndarray], items, dbscan: DbscanParams, method: str, progress: bool = False
) -> pd.DataFrame:
    """DBSCAN on each point set, scored against the FOV's ground truth in its original nm."""
    rows = []
    for xy, item in tqdm.tqdm(list(zip(point_sets, items)), disable=not progress, desc=method):
        pred = cluster.dbscan_labels(xy, dbscan.eps, dbscan.min_samples)
        row = {
            "method": method,
            "fov": item.fov.name,
            "eps": dbscan.eps,
            "min_samples": dbscan.min_samples,
            "num_clusters": int(pred.max()),
        }
        row.update(metrics.clustering_scores(item.fov.xy_nm, item.fov.labels, pred))
        rows.append(row)
    return pd.DataFrame(rows)


def _joint_score(truth: np.ndarray, pred: np.ndarray, xy: np.ndarray) -> float:
    """Mean of ARI† (localization assignment) and JI_c (cluster detection)."""
    return 0.5 * (metrics.ari_dagger(truth, pred) + metrics.pair_clusters(xy, truth, pred)["JI_c"])


def _project_rule_score(truth: np.ndarray, pred: np.ndarray, xy: np.ndarray) -> float:
    """Mean of ARI, ARI† and JI_c, the project's search objective (ARI and ARI† from one
    contingency table)."""
    ari, ari_dagger = metrics.ari_and_ari_dagger(truth, pred)
    return (ari_dagger + metrics.pair_clusters(xy, truth, pred)["JI_c"] + ari) / 3.0


# what a DBSCAN parameter search may maximize: name -> score(truth, pred, original nm xy)
SEARCH_OBJECTIVES = {
    "ARI": lambda truth, pred, xy: metrics.ari(truth, pred),
    "ARI_dagger": lambda truth, pred, xy: metrics.ari_dagger(truth, pred),
    "JI_c": lambda truth, pred, xy: metrics.pair_clusters(xy, truth, pred)["JI_c"],
    "ARI_dagger+JI_c": _joint_score,
    "ARI+ARI_dagger+JI_c": _project_rule_score,
}


SEARCH_EPS_MIN_NM = 3.0  # the bottom of every DBSCAN eps search (the top: evals.search_eps_max_nm)


def plateau_eps(eps_max: float = 150.0) -> np.ndarray:
    """The plateau search's eps grid, nm: log-spaced from SEARCH_EPS_MIN_NM to `eps_max` at the
    step of the 3–150 nm, 24-point grid that experiments/dbscan_objective.py chose the rule on."""
    count = 1 + round(23 * np.log(eps_max / SEARCH_EPS_MIN_NM) / np.log(50.0))
    return np.geomspace(SEARCH_EPS_MIN_NM, eps_max, count)


PLATEAU_EPS = plateau_eps()
PLATEAU_MIN_SAMPLES = np.unique(np.geomspace(2, 100, 20).round().astype(int))


def plateau_argmax(surface: np.ndarray) -> tuple[tuple[int, int], float]:
    """Grid index [eps, minPts] of the best 3 × 3-neighbourhood mean of `surface`, and that mean."""
    smooth = scipy.ndimage.uniform_filter(surface, size=3, mode="nearest")
    i, j = np.unravel_index(np.argmax(smooth), smooth.shape)
    return (int(i), int(j)), float(smooth[i, j])


def search_dbscan(
    point_sets: list[np.ndarray],
    truths: list[np.ndarray],
    eps_range=(SEARCH_EPS_MIN_NM, 150.0),
    min_samples_range=(2, 100),
    coarse: int = 14,
    refine_rounds: int = 2,
    objective: str = "ARI",
    original_xy: list[np.ndarray] | None = None,
    plateau: bool = False,
) -> tuple[DbscanParams, float]:
    """(eps, min_samples) maximizing the mean `objective` (SEARCH_OBJECTIVES) over the given FOVs.

    plateau=False: a log grid, then refined grids around the best point. plateau=True: the
    plateau grid (`plateau_eps` up to eps_range's top, PLATEAU_MIN_SAMPLES), maximizing the
    3 × 3-neighbourhood mean — a choice robust to the squeeze being tighter on the FOVs searched
    (a model's own training FOVs) than on new ones
    (experiments/results/dbscan_objective.md). Cluster-level objectives (JI_c) are scored on
    `original_xy` (the FOVs' own nm coordinates; default: the point sets). Deterministic.
    """
    if objective not in SEARCH_OBJECTIVES:
        raise ValueError(
            f"unknown DBSCAN search objective {objective!r}; choose from {sorted(SEARCH_OBJECTIVES)}"
        )
    score = SEARCH_OBJECTIVES[objective]
    original_xy = point_sets if original_xy is None else original_xy

    def mean_scores(eps, ms_values) -> np.ndarray:
        """Mean score over the FOVs for each minPts at one eps (one neighbour search a FOV)."""
        per_fov = [
            [
                score(t, labels, o)
                for labels in cluster.dbscan_labels_per_min_samples(x, eps, ms_values)
            ]
            for x, t, o in zip(point_sets, truths, original_xy)
        ]
        return np.mean(per_fov, axis=0)

    if plateau:
        eps_grid = plateau_eps(eps_range[1])
        surface = np.array([mean_scores(e, PLATEAU_MIN_SAMPLES) for e in eps_grid])
        (i, j), value = plateau_argmax(surface)
        return DbscanParams(float(eps_grid[i]), int(PLATEAU_MIN_SAMPLES[j])), value
    eps_grid = np.geomspace(*eps_range, coarse)
    ms_grid = np.unique(np.geomspace(*min_samples_range, coarse).round().astype(int))
    cache: dict = {}
    best = None
    for _ in range(refine_rounds + 1):
        for eps in eps_grid:
            eps = round(float(eps), 3)
            missing = [int(m) for m in ms_grid if (eps, int(m)) not in cache]
            if missing:
                cache.update(
                    zip(((eps, m) for m in missing), map(float, mean_scores(eps, missing)))
                )
        best = max(cache, key=cache.get)
        e_step = eps_grid[1] / eps_grid[0] if len(eps_grid) > 1 else 1.2
        # refined grids stay inside the requested ranges
        eps_grid = np.clip(np.geomspace(best[0] / e_step, best[0] * e_step, 7), *eps_range)
        m_lo = max(min_samples_range[0], int(best[1] / 1.4))
        m_hi = min(min_samples_range[1], int(np.ceil(best[1] * 1.4)))
        ms_grid = np.unique(np.linspace(m_lo, m_hi, 7).round().astype(int))
    return DbscanParams(*best), cache[best]


def markdown_table(frame: pd.DataFrame) -> str:
    """A DataFrame as a GitHub markdown table (index as the first column)."""
    header = [frame.index.name or ""] + [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for idx, row in frame.iterrows():
        cells = [f"{v:.3f}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join([str(idx)] + cells) + " |")
    return "\n".join(lines)


def read_markdown_table(text: str) -> pd.DataFrame:
    """The first markdown table in `text` (as markdown_table writes them), every cell a string."""
    lines = [ln.strip() for ln in text.splitlines()]
    start = next(i for i, ln in enumerate(lines) if ln.startswith("|"))
    table = []
    for ln in lines[start:]:
        if not ln.startswith("|"):
            break
        table.append([c.strip() for c in ln.strip("|").split("|")])
    return pd.DataFrame(table[2:], columns=table[0])


def read_mean_std(cell: str) -> tuple[float, float]:
    """(mean, std) of a cell mean_std wrote."""
    mean, std = cell.split(" ± ")
    return float(mean), float(std)


def write_results_markdown(path: Path | str, generated: str) -> None:
    """Writes a generated results file, keeping the hand-written "## Discussion" section (and all
    below it) of the file it replaces, so regenerating the tables never loses the commentary."""
    path = Path(path)
    old = path.read_text() if path.exists() else ""
    discussion = old[old.index("## Discussion") :] if "## Discussion" in old else ""
    path.write_text((generated.rstrip() + "\n\n" + discussion).rstrip() + "\n")


def vector_units(flags: set[str]) -> str:
    """The widest vector instructions a CPU's /proc/cpuinfo flags name ('AVX-512 + AMX',
    'AVX-512', 'AVX2' or ''): machines of one kind differ in them, and the network's speed with
    them."""
    widest = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else ""
    return widest + (" + AMX" if "amx_bf16" in flags else "")


def machine() -> str:
    """Where a result was measured, read from the environment, e.g. 'x86_64 AMD EPYC 7B13
    (AVX2), 2 cores, CPU' (the CPU model and vector units from /proc/cpuinfo; cores this process
    may run on)."""
    import os
    import platform

    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        lines = cpuinfo.read_text().splitlines()
        names = [ln for ln in lines if ln.startswith("model name")]
        model = names[0].split(":", 1)[1].strip() if names else model
        flags = [ln.split(":", 1)[1].split() for ln in lines if ln.startswith("flags")]
        units = vector_units(set(flags[0]) if flags else set())
        model += f" ({units})" if units else ""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    devices = {d.platform for d in jax.devices()}
    accelerator = "CPU" if devices == {"cpu"} else "/".join(sorted(devices)).upper()
    return f"{platform.machine()} {model}, {cores} cores, {accelerator}"


def mean_std(mean: float, std: float) -> str:
    """How every results table writes a mean and its (population) std: '0.812 ± 0.034'."""
    return f"{mean:.3f} ± {std:.3f}"


def seeds_cell(values) -> str:
    """A table cell over repeats (seeds): the value for one, mean ± std for several, – for none."""
    values = [float(v) for v in values]
    if not values:
        return "–"
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return mean_std(np.mean(values), np.std(values))


def summarize(per_fov: pd.DataFrame) -> pd.DataFrame:
    """Mean ± std of every score per method."""
    groups = per_fov.groupby("method", sort=False)[SCORE_COLUMNS]
    mean, std = groups.mean(), groups.std(ddof=0)
    return pd.DataFrame(
        {c: [mean_std(m, s) for m, s in zip(mean[c], std[c])] for c in SCORE_COLUMNS},
        index=mean.index,
    )


def search_rule(config: ml_collections.ConfigDict) -> dict:
    """The config's DBSCAN search rule (evals.search_objective, search_plateau and
    search_eps_max_nm)."""
    return dict(
        objective=config.evals.search_objective,
        plateau=config.evals.search_plateau,
        eps_range=(SEARCH_EPS_MIN_NM, config.evals.search_eps_max_nm),
    )


def search_by_rule(
    config: ml_collections.ConfigDict, items: list, squeezed: list[np.ndarray] | None = None
) -> DbscanParams:
    """DBSCAN parameters searched by the config's rule (search_rule) on `items`, the
    training-side fields: on their raw coordinates (DBSCAN alone), or on `squeezed`, their
    coordinates after MIRO."""
    raw = [i.fov.xy_nm for i in items]
    found, _ = search_dbscan(
        raw if squeezed is None else squeezed,
        [i.fov.labels for i in items],
        original_xy=raw,
        **search_rule(config),
    )
    return found


# evals fields a benchmark evaluation takes from configs/benchmark.py, not from the model
BENCHMARK_EVALS = (
    "search_objective",
    "search_plateau",
    "search_eps_max_nm",
    "miro_eps",
    "miro_min_samples",
    "dbscan_eps",
    "dbscan_min_samples",
)


def with_benchmark_evals(
    config: ml_collections.ConfigDict, scenario: str
) -> ml_collections.ConfigDict:
    """config with the benchmark's DBSCAN search rule and the paper's DBSCAN parameters (Tables
    S1/S2: the "paper params" rows) for `scenario`, whatever the model stores (a bundled
    benchmark model stores those searched on its training FOVs; a fitted model its own). A copy:
    the caller's config keeps the parameters it stores."""
    from configs import benchmark

    rule = benchmark.get_config(scenario).evals
    config = config.copy_and_resolve_references()
    for field in BENCHMARK_EVALS:
        config.evals[field] = rule[field]
    return config


def evaluate_benchmark(
    config: ml_collections.ConfigDict,
    params=None,
    auto_dbscan: bool = False,
    label: str = "MIRO+DBSCAN",
    progress: bool = True,
) -> dict:
    """Dev-FOV scores of MIRO + DBSCAN (if params) and DBSCAN alone, paper and searched parameters.

    Returns {'per_fov': DataFrame, 'summary': DataFrame, 'chosen': {method: DbscanParams}}.
    """
    dev = input_pipeline.eval_fovs(config, "dev")
    frames, chosen = [], {}
    raw = [item.fov.xy_nm for item in dev]
    paper_dbscan = DbscanParams(config.evals.dbscan_eps, config.evals.dbscan_min_samples)
    frames.append(score_fovs(raw, dev, paper_dbscan, "DBSCAN (paper params)", progress))
    chosen["DBSCAN (paper params)"] = paper_dbscan
    train_items = input_pipeline.eval_fovs(config, "train") if auto_dbscan else []
    if auto_dbscan:
        found = search_by_rule(config, train_items)
        frames.append(score_fovs(raw, dev, found, "DBSCAN (auto params)", progress))
        chosen["DBSCAN (auto params)"] = found
    if params is not None:
        squeezed = squeezed_fovs(params, config, dev)
        paper_miro = DbscanParams(config.evals.miro_eps, config.evals.miro_min_samples)
        frames.append(score_fovs(squeezed, dev, paper_miro, f"{label} (paper params)", progress))
        chosen[f"{label} (paper params)"] = paper_miro
        if auto_dbscan:
            found = search_by_rule(config, train_items, squeezed_fovs(params, config, train_items))
            frames.append(score_fovs(squeezed, dev, found, f"{label} (auto params)", progress))
            chosen[f"{label} (auto params)"] = found
    per_fov = pd.concat(frames, ignore_index=True)
    return {"per_fov": per_fov, "summary": summarize(per_fov), "chosen": chosen}


def benchmark_report(
    scenario: str,
    model: str,
    out_dir: Path | str,
    auto_dbscan: bool = False,
    exact_nm: bool = False,
    bf16: bool = False,
    command: str = "",
) -> str:
    """`miro evaluate`: a benchmark set's dev scores for a model ('authors' = their weights from
    $MIRO_REFERENCE_DIR, 'none' = DBSCAN only, else a model name or directory), written to
    out_dir as eval_<set>_<tag>.csv (per FOV) and .md (mean ± std, DBSCAN parameters)."""
    import datetime
    import time

    from configs import benchmark
    from miro_jax import model_store, reference_weights

    config = benchmark.get_config(scenario)
    config.evals.authors_scaling = not exact_nm
    params, label = None, "MIRO"
    if model == "authors":
        params, _ = model_store.load_model(reference_weights.weights_path(scenario), config)
        label = "MIRO authors' weights"
    elif model != "none":
        params, config = model_store.load_model(model)
        config = with_benchmark_evals(config, scenario)
        config.evals.authors_scaling = not exact_nm
        label = "MIRO ours"
    config.model.bf16_matmuls = bf16
    t0 = time.time()
    result = evaluate_benchmark(config, params, auto_dbscan, label=label)
    tag = model if model in ("authors", "none") else Path(model).name
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"eval_{scenario}_{tag}{'_bf16' if bf16 else ''}"
    result["per_fov"].to_csv(f"{stem}.csv", index=False)
    lines = [
        f"# {scenario}: dev FOVs {list(config.data.dev_fovs)}",
        "",
        f"Command: `{command}`  ",
        f"Machine: {machine()}; date {datetime.date.today()}; wall time {time.time() - t0:.0f} s",
        "",
        "| method | eps (nm) | minPts |",
        "|---|---|---|",
    ]
    lines += [f"| {m} | {p.eps:.2f} | {p.min_samples} |" for m, p in result["chosen"].items()]
    lines += ["", markdown_table(result["summary"]), "", f"Per FOV: {Path(f'{stem}.csv').name}", ""]
    text = "\n".join(lines)
    Path(f"{stem}.md").write_text(text)
    return text
