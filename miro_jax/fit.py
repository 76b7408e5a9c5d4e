"""`miro fit`: a MIRO model trained on a user's own annotated files, with its DBSCAN parameters
chosen on the annotation and a model card that says what it was trained on.

The model directory holds config.json + params/ (model_store) and model_card.json / .md.
"""

from __future__ import annotations

import datetime
import json
import time
from pathlib import Path

import ml_collections
import numpy as np
import scipy.spatial

from miro_jax import cluster, evaluation, input_pipeline, model_store, outputs, train

MIN_LOCALIZATIONS = 50  # an annotated set smaller than this cannot train a model
# `miro cluster` warns when an input's density or nearest-neighbour distance differs from the
# model card's by more than this factor
CARD_TOLERANCE = 3.0


class FitInputError(ValueError):
    """Annotated input that cannot train a model; the message names the problem and the fix."""


def field_statistics(tables) -> dict:
    """What a model was trained on (fields with .xy_nm and .labels), for its card: fields, clusters, localizations, density,
    median nearest-neighbour distance, localizations per cluster, cluster radius of gyration."""
    per_cluster, radii, nn, area, total = [], [], [], 0.0, 0
    for table in tables:
        total += len(table.xy_nm)
        area += float(np.prod(np.ptp(table.xy_nm, axis=0))) * 1e-6
        distance, _ = scipy.spatial.cKDTree(table.xy_nm).query(table.xy_nm, k=2)
        nn.append(distance[:, 1])
        for _, members in cluster.label_groups(table.labels):
            pts = table.xy_nm[members]
            per_cluster.append(len(pts))
            radii.append(float(np.sqrt(np.mean(np.sum((pts - pts.mean(0)) ** 2, axis=1)))))
    return {"fields": len(tables), "clusters": len(per_cluster), "localizations": total,
            "density [localizations/um^2]": total / area if area else float("nan"),
            "median nearest-neighbour distance [nm]": float(np.median(np.concatenate(nn))),
            "median localizations per cluster": float(np.median(per_cluster)) if per_cluster
            else 0.0,
            "median cluster radius of gyration [nm]": float(np.median(radii)) if radii else 0.0,
            "clustered fraction": float(sum(per_cluster) / total) if total else 0.0}


def check_annotation(tables, label_column: str) -> None:
    """Refuses annotation that cannot train a model, before any training."""
    total = sum(len(t.xy_nm) for t in tables)
    if total < MIN_LOCALIZATIONS:
        raise FitInputError(f"only {total} annotated localizations; fitting needs at least "
                            f"{MIN_LOCALIZATIONS}")
    clusters = sum(len(np.unique(t.labels[t.labels > 0])) for t in tables)
    if clusters < 2:
        raise FitInputError(f"the {label_column!r} labels hold {clusters} cluster(s); annotate at "
                            "least 2 (label 1, 2, …; 0 = background)")


def connectivity_radius_nm(statistics: dict, rule: ml_collections.ConfigDict) -> float:
    """δ in nm from the annotation: max(rg factor × median cluster radius of gyration, nn factor
    × median nearest-neighbour distance) — configs/fit.py says why."""
    return max(rule.delta_rg_factor * statistics["median cluster radius of gyration [nm]"],
               rule.delta_nn_factor * statistics["median nearest-neighbour distance [nm]"])


def fit_config(train_files, dev_files=(), label_column: str = "index", reader: dict | None = None,
               minutes: float | None = None, steps: int | None = None,
               base: ml_collections.ConfigDict | None = None) -> ml_collections.ConfigDict:
    """configs/fit.py filled in with the user's files and budget (--steps: exact, no budget)."""
    if base is None:
        from configs import fit as fit_recipe
        base = fit_recipe.get_config()
    config = base.copy_and_resolve_references()
    config.data.train_files = tuple(str(Path(f).resolve()) for f in train_files)
    config.data.dev_files = tuple(str(Path(f).resolve()) for f in dev_files)
    config.data.label_column = label_column
    config.data.reader.update(reader or {})
    check_annotation([input_pipeline.read_annotated(f, config) for f in config.data.train_files],
                     label_column)
    tables = input_pipeline.annotated_tables(config, "train")
    config.graph.connectivity_radius = connectivity_radius_nm(
        field_statistics(tables), config.fit) / config.graph.length_scale_nm
    if steps is not None:
        config.train.num_train_steps, config.train.max_minutes = int(steps), 0.0
    elif minutes is not None:
        config.train.max_minutes = float(minutes)
    return config


def _scores(params, config, items, dbscan: evaluation.DbscanParams, squeeze: bool) -> dict:
    points = (evaluation.squeezed_fovs(params, config, items) if squeeze
              else [i.fov.xy_nm for i in items])
    frame = evaluation.score_fovs(points, items, dbscan, "miro" if squeeze else "dbscan")
    return {k: float(frame[k].mean()) for k in ("ARI_dagger", "JI_c", "ARI")}


def fit(config: ml_collections.ConfigDict, model_dir: str | Path, workdir: str | Path,
        progress: bool = True) -> dict:
    """Trains, chooses DBSCAN parameters on the training fields (evals.search_*), scores the dev
    fields, writes model_dir (model + card) and returns the card."""
    model_dir, workdir = Path(model_dir), Path(workdir)
    t0 = time.time()
    state = train.train_and_evaluate(config, workdir, progress=progress)
    minutes = (time.time() - t0) / 60
    params = state.params
    train_items = input_pipeline.eval_fovs(config, "train")
    truths = [i.fov.labels for i in train_items]
    rule = evaluation.search_rule(config)
    miro, _ = evaluation.search_dbscan(evaluation.squeezed_fovs(params, config, train_items),
                                       truths, original_xy=[i.fov.xy_nm for i in train_items],
                                       **rule)
    alone, _ = evaluation.search_dbscan([i.fov.xy_nm for i in train_items], truths, **rule)
    stored = config.copy_and_resolve_references()
    stored.evals.miro_eps, stored.evals.miro_min_samples = miro.eps, miro.min_samples
    stored.evals.dbscan_eps, stored.evals.dbscan_min_samples = alone.eps, alone.min_samples
    dev_items = input_pipeline.eval_fovs(config, "dev")
    card = {
        "model": model_dir.name, "made by": "miro fit", "date": str(datetime.date.today()),
        "trained on": {"source": "annotated files",
                       "files": [Path(f).name for f in config.data.train_files],
                       **field_statistics([i.fov for i in train_items])},
        "length scale [nm]": config.graph.length_scale_nm,
        "connectivity radius δ [nm]": config.graph.connectivity_radius
        * config.graph.length_scale_nm,
        "K": config.model.num_iterations, "hidden size": config.model.hidden_size,
        "DBSCAN after MIRO": {"eps [nm]": miro.eps, "min samples": miro.min_samples},
        "DBSCAN alone": {"eps [nm]": alone.eps, "min samples": alone.min_samples},
        "training": {"steps": int(state.step), "minutes": round(minutes, 1),
                     "budget minutes": config.train.max_minutes or None},
        "dev scores": {"fields": [i.fov.name for i in dev_items],
                       "MIRO + DBSCAN": _scores(params, stored, dev_items, miro, True),
                       "DBSCAN alone": _scores(params, stored, dev_items, alone, False)},
        "warn when input differs by more than": CARD_TOLERANCE,
    }
    model_store.save_model(model_dir, params, stored)
    write_model_card(model_dir, card)
    return card


def write_model_card(model_dir: Path, card: dict) -> None:
    """model_card.json and a readable model_card.md beside the model."""
    with outputs.atomic_path(model_dir / "model_card.json") as tmp:
        tmp.write_text(json.dumps(card, indent=2, default=float))
    def text(value) -> str:
        if isinstance(value, float):
            return f"{value:.4g}"
        if isinstance(value, dict):
            return ", ".join(f"{k} {text(v)}" for k, v in value.items())
        if isinstance(value, list):
            return ", ".join(map(str, value))
        return str(value)

    lines = [f"# Model card: {card['model']}", ""]
    for key, value in card.items():
        if isinstance(value, dict):
            lines += [f"**{key}**"] + [f"- {k}: {text(v)}" for k, v in value.items()] + [""]
        else:
            lines.append(f"**{key}**: {text(value)}  ")
    with outputs.atomic_path(model_dir / "model_card.md") as tmp:
        tmp.write_text("\n".join(lines) + "\n")
