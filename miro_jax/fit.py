"""`miro fit`: a MIRO model trained on a user's own annotated files, with its DBSCAN parameters
chosen on the annotation and a model card that says what it was trained on.

The model directory holds config.json + params/ (model_store) and model_card.json / .md.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import time
from pathlib import Path

import ml_collections
import numpy as np
import scipy.spatial

from miro_jax import cluster, evaluation, inference, input_pipeline, model_store, outputs, train

MIN_LOCALIZATIONS = 50  # an annotated set smaller than this cannot train a model
MIN_CLUSTER_LOCALIZATIONS = 5  # --single-cluster: a cluster smaller than this cannot be learnt
# `miro cluster` warns when an input's density or nearest-neighbour distance differs from the
# model card's by more than this factor
CARD_TOLERANCE = 3.0
# ... and when the clusters it finds have a median radius of gyration further than this factor
# outside the 5th–95th percentile of the training clusters' (a model's moves and shape classes are
# learnt at its structures' size); the range is stated from at least SIZE_RANGE_MIN_CLUSTERS
SIZE_TOLERANCE = 1.5
SIZE_RANGE_MIN_CLUSTERS = 10
SIZE_RANGE_KEY = "cluster radius of gyration, 5th–95th percentile [nm]"
SIZE_TOLERANCE_KEY = "warn when cluster size is outside that range by more than"
# ... and when a two-level model finds fewer than this fraction of its subclusters inside
# clusters (its training structures hold all their subclusters: the data is of another kind)
SUBCLUSTERS_INSIDE_MIN = 0.5
SUBCLUSTER_CARD_KEY = "DBSCAN for subclusters"  # a two-level model's card: step and DBSCAN


class FitInputError(ValueError):
    """Annotated input that cannot train a model; the message names the problem and the fix."""


def field_statistics(tables) -> dict:
    """What a model was trained on (fields with .xy_nm and .labels), for its card: fields, clusters, localizations, density,
    median nearest-neighbour distance, localizations per cluster, cluster radius of gyration (its
    median, and its 5th–95th percentile from SIZE_RANGE_MIN_CLUSTERS clusters on: `miro cluster`'s
    size check)."""
    per_cluster, radii, nn, area, total = [], [], [], 0.0, 0
    for table in tables:
        total += len(table.xy_nm)
        area += float(np.prod(np.ptp(table.xy_nm, axis=0))) * 1e-6
        distance, _ = scipy.spatial.cKDTree(table.xy_nm).query(table.xy_nm, k=2, workers=-1)
        nn.append(distance[:, 1])
        for _, members in cluster.label_groups(table.labels):
            pts = table.xy_nm[members]
            per_cluster.append(len(pts))
            radii.append(cluster.radius_of_gyration(pts))
    return {
        "fields": len(tables),
        "clusters": len(per_cluster),
        "localizations": total,
        "density [localizations/um^2]": total / area if area else float("nan"),
        "median nearest-neighbour distance [nm]": float(np.median(np.concatenate(nn))),
        "median localizations per cluster": float(np.median(per_cluster)) if per_cluster else 0.0,
        "median cluster radius of gyration [nm]": float(np.median(radii)) if radii else 0.0,
        **(
            {SIZE_RANGE_KEY: [round(float(r), 1) for r in np.percentile(radii, [5, 95])]}
            if len(radii) >= SIZE_RANGE_MIN_CLUSTERS
            else {}
        ),
        "clustered fraction": float(sum(per_cluster) / total) if total else 0.0,
    }


def unlabelled(xy_nm: np.ndarray) -> input_pipeline.AnnotatedTable:
    """A field without annotation, for field_statistics (its density and nearest neighbours)."""
    return input_pipeline.AnnotatedTable("", xy_nm, np.zeros(len(xy_nm), np.int64))


def check_annotation(tables, label_column: str) -> None:
    """Refuses annotation that cannot train a model, before any training."""
    total = sum(len(t.xy_nm) for t in tables)
    if total < MIN_LOCALIZATIONS:
        raise FitInputError(
            f"only {total} annotated localizations; fitting needs at least {MIN_LOCALIZATIONS}"
        )
    clusters = sum(len(np.unique(t.labels[t.labels > 0])) for t in tables)
    if clusters < 2:
        raise FitInputError(
            f"the {label_column!r} labels hold {clusters} cluster(s); annotate at "
            "least 2 (label 1, 2, …; 0 = background)"
        )


def connectivity_radius_nm(statistics: dict, rule: ml_collections.ConfigDict) -> float:
    """δ in nm from the annotation: max(rg factor × median cluster radius of gyration, nn factor
    × median nearest-neighbour distance) — configs/fit.py says why."""
    return max(
        rule.delta_rg_factor * statistics["median cluster radius of gyration [nm]"],
        rule.delta_nn_factor * statistics["median nearest-neighbour distance [nm]"],
    )


SPEC_SHAPES = ("spot", "ring")


def read_spec(items, defaults: ml_collections.ConfigDict) -> dict:
    """A simulation spec from YAML/JSON files and key=value items (later ones win), checked
    against the keys and defaults of config.fit.spec."""
    import yaml

    spec = defaults.to_dict()
    for item in items:
        if "=" in item:
            key, _, value = item.partition("=")
            pairs = {key.strip(): yaml.safe_load(value)}
        else:
            try:
                pairs = yaml.safe_load(Path(item).read_text())  # JSON is YAML
            except (OSError, yaml.YAMLError) as err:
                raise FitInputError(
                    f"spec {item}: cannot read it as YAML/JSON or key=value ({type(err).__name__})"
                ) from err
            if not isinstance(pairs, dict):
                raise FitInputError(
                    f"spec {item}: expected key: value lines, e.g. cluster_radius_nm: 30"
                )
        for key, value in pairs.items():
            if key not in spec:
                raise FitInputError(f"spec key {key!r} is unknown; known: {', '.join(spec)}")
            spec[key] = value
    if spec["shape"] not in SPEC_SHAPES:
        raise FitInputError(f"spec shape {spec['shape']!r}: use one of {', '.join(SPEC_SHAPES)}")
    for key, value in spec.items():
        if key == "shape":
            continue
        if not isinstance(value, (int, float)) or not np.isfinite(value) or value < 0:
            raise FitInputError(f"spec {key} = {value!r}: must be a number ≥ 0")
        spec[key] = float(value)
    if (
        spec["blinking_repeats"] < 1
        or spec["cluster_density_per_um2"] <= 0
        or spec["localizations_per_cluster"] < 1
        or spec["cluster_radius_nm"] <= 0
    ):
        raise FitInputError(
            "spec: blinking_repeats and localizations_per_cluster must be ≥ 1, "
            "cluster_radius_nm and cluster_density_per_um2 > 0"
        )
    return spec


def spec_window_nm(spec: dict, config: ml_collections.ConfigDict) -> float:
    """Side of the simulated training fields: about fit.window_localizations at the spec's
    density, between fit.window_min_nm and one length scale (as annotated fields' windows)."""
    per_um2 = (
        spec["cluster_density_per_um2"] * spec["localizations_per_cluster"]
        + spec["background_density_per_um2"]
    )
    side = 1000.0 * np.sqrt(config.fit.window_localizations / max(per_um2, 1e-9))
    return float(np.clip(side, config.fit.window_min_nm, config.graph.length_scale_nm))


def simulated_tables(config: ml_collections.ConfigDict, count: int = 4) -> list:
    """A few fields of the configured spec (seed stream 9), for δ and the model card."""
    from miro_jax import simulate

    return [
        input_pipeline.AnnotatedTable(f"spec_{i}", f.xy, f.labels)
        for i, f in enumerate(
            simulate.spec_field(
                np.random.default_rng([config.data.seed, 9, i]),
                **config.data.simulator_kwargs.to_dict(),
            )
            for i in range(count)
        )
    ]


def fit_config(
    train_files=(),
    dev_files=(),
    label_column: str = "index",
    reader: dict | None = None,
    minutes: float | None = None,
    steps: int | None = None,
    base: ml_collections.ConfigDict | None = None,
    single_cluster: str | None = None,
    background_files=(),
    spec: dict | None = None,
    warm_start: str | None = None,
    exclude_models=(),
) -> ml_collections.ConfigDict:
    """configs/fit.py filled in with the user's data and budget (--steps: exact, no budget): the
    annotated `train_files`, or one annotated cluster + unannotated `background_files`, or a
    simulation `spec` (read_spec); `warm_start` and `exclude_models` as with_warm_start."""
    if base is None:
        from configs import fit as fit_recipe

        base = fit_recipe.get_config()
    config = base.copy_and_resolve_references()
    config.data.label_column = label_column
    config.data.reader.update(reader or {})
    scale = config.graph.length_scale_nm
    if spec is not None:
        config.data.source, config.data.simulator = "simulated", "spec_field"
        config.data.fov_nm = scale
        config.data.simulator_kwargs = ml_collections.ConfigDict(
            dict(spec, fov_nm=spec_window_nm(spec, config))
        )
        statistics = field_statistics(simulated_tables(config))
    elif single_cluster is not None:
        if not background_files:
            raise FitInputError(
                "--single-cluster needs unannotated fields to place it on: "
                "add --background RAW_FILES"
            )
        config.data.single_cluster_file = str(Path(single_cluster).resolve())
        config.data.background_files = tuple(str(Path(f).resolve()) for f in background_files)
        one = input_pipeline.read_single_cluster(config.data.single_cluster_file, config)
        if len(one) < MIN_CLUSTER_LOCALIZATIONS:
            raise FitInputError(
                f"{single_cluster}: the cluster has {len(one)} localizations; "
                f"give one with at least {MIN_CLUSTER_LOCALIZATIONS}"
            )
        raw = [input_pipeline.read_raw(f, config) for f in config.data.background_files]
        statistics = field_statistics(raw) | {
            "median cluster radius of gyration [nm]": cluster.radius_of_gyration(one)
        }
    else:
        config.data.train_files = tuple(str(Path(f).resolve()) for f in train_files)
        config.data.dev_files = tuple(str(Path(f).resolve()) for f in dev_files)
        files = [input_pipeline.read_annotated(f, config) for f in config.data.train_files]
        check_annotation(files, label_column)
        statistics = field_statistics(input_pipeline.annotated_tables(config, "train", files))
    config.graph.connectivity_radius = connectivity_radius_nm(statistics, config.fit) / scale
    config.fit.statistics = statistics
    config = with_warm_start(config, warm_start, exclude_models)
    if steps is not None:
        config.train.num_train_steps, config.train.max_minutes = int(steps), 0.0
    elif minutes is not None:
        config.train.max_minutes = float(minutes)
    return config


def with_warm_start(
    config: ml_collections.ConfigDict, warm_start: str | None, exclude=()
) -> ml_collections.ConfigDict:
    """train.init_from for a warm start: a model name or directory, 'auto' (the bundled model
    closest to the fit's training statistics, not in fit.exclude_models + `exclude`) or
    'none'/'' (from scratch); None: the config's fit.warm_start."""
    config = config.copy_and_resolve_references()
    config.fit.exclude_models = tuple(config.fit.exclude_models) + tuple(exclude)
    warm_start = warm_start or config.fit.warm_start
    config.fit.warm_start = warm_start
    if warm_start == "auto":  # from scratch when no bundled model has the fit's hidden size
        try:
            config.train.init_from, _ = model_store.closest_bundled_model(
                config.fit.statistics.to_dict(), config.fit.exclude_models, config.model.hidden_size
            )
        except model_store.ModelLoadError:
            config.train.init_from = ""
    else:
        config.train.init_from = "" if warm_start in ("", "none") else warm_start
    return config


def training_window_nm(config: ml_collections.ConfigDict) -> float:
    """Side of the fit's training windows (simulated fields: the simulator's field, whether the
    config sizes it or not; annotated/raw fields: their windows)."""
    if config.data.source == "simulated":
        return float(max(input_pipeline.simulated_field(config, np.random.default_rng(0)).fov_nm))
    tables = input_pipeline.builder_tables(config)
    return input_pipeline.training_window(tables, config) * config.graph.length_scale_nm


def training_source(config: ml_collections.ConfigDict) -> dict:
    """What a fit trained on, for its card."""
    if config.data.source == "simulated":
        kwargs = config.data.simulator_kwargs.to_dict()
        kwargs.pop("fov_nm", None)
        return {"source": "simulated", "simulator": config.data.simulator, "spec": kwargs}
    if config.data.single_cluster_file:
        return {
            "source": "one annotated cluster on unannotated fields",
            "files": [Path(config.data.single_cluster_file).name]
            + [Path(f).name for f in config.data.background_files],
        }
    return {"source": "annotated files", "files": [Path(f).name for f in config.data.train_files]}


def trained_on(config: ml_collections.ConfigDict, train_items) -> dict:
    """A card's "trained on": the training source and the statistics of its training fields."""
    return {**training_source(config), **field_statistics([i.fov for i in train_items])}


def _scores(
    params, config, items, dbscan: evaluation.DbscanParams, squeeze: bool, step_index: int = -1
) -> dict:
    points = (
        evaluation.squeezed_fovs(params, config, items, step_index)
        if squeeze
        else [i.fov.xy_nm for i in items]
    )
    frame = evaluation.score_fovs(points, items, dbscan, "miro" if squeeze else "dbscan")
    return {k: float(frame[k].mean()) for k in ("ARI_dagger", "JI_c", "ARI")}


def fit(
    config: ml_collections.ConfigDict,
    model_dir: str | Path,
    workdir: str | Path,
    progress: bool = True,
) -> dict:
    """Trains, then packages the model (package: DBSCAN parameters, dev scores, model + card in
    model_dir) and returns the card."""
    t0 = time.time()
    state = train.train_and_evaluate(config, Path(workdir), progress=progress)
    training = {
        "steps": int(state.step),
        "minutes": round((time.time() - t0) / 60, 1),
        "budget minutes": config.train.max_minutes or None,
    }
    return package(state.params, config, model_dir, "miro fit", training)


def choose_miro_dbscan(
    params, config: ml_collections.ConfigDict, train_items: list
) -> evaluation.DbscanParams:
    """DBSCAN parameters after MIRO, searched on the training fields with the config's rule
    (evals.search_objective / search_plateau), never on the fields that are scored."""
    return evaluation.search_by_rule(
        config, train_items, evaluation.squeezed_fovs(params, config, train_items)
    )


def choose_dbscan(
    params, config: ml_collections.ConfigDict, train_items: list
) -> tuple[evaluation.DbscanParams, evaluation.DbscanParams]:
    """(after MIRO, alone): DBSCAN parameters searched on the training fields with the config's
    rule (choose_miro_dbscan; DBSCAN alone on the raw coordinates by the same rule)."""
    alone = evaluation.search_by_rule(config, train_items)
    return choose_miro_dbscan(params, config, train_items), alone


def finer_level(items: list) -> list:
    """The fields scored against their finer labels (two-level fields' sublabels)."""
    return [
        dataclasses.replace(i, fov=dataclasses.replace(i.fov, labels=i.fov.sublabels))
        for i in items
    ]


def subcluster_candidate_steps(config: ml_collections.ConfigDict) -> list[int]:
    """The steps (1-based, ≤ k*) `choose_subcluster_dbscan` tries: evals.subcluster_step_fractions
    of k*."""
    k_star = config.loss.cutoff_iterations
    return sorted(
        {min(k_star, max(1, round(f * k_star))) for f in config.evals.subcluster_step_fractions}
    )


def search_subcluster_steps(
    params, config: ml_collections.ConfigDict, train_items: list
) -> list[tuple[int, evaluation.DbscanParams, float]] | None:
    """For a two-level model (loss.cutoff_iterations = k* > 0) whose training fields carry
    sublabels: (step, DBSCAN parameters, the search's objective) at each candidate step ≤ k*,
    DBSCAN searched against the sublabels with the config's rule; None otherwise."""
    k_star = config.loss.cutoff_iterations
    if not k_star or any(i.fov.sublabels is None for i in train_items):
        return None
    items = finer_level(train_items)
    steps = subcluster_candidate_steps(config)
    squeezed = evaluation.squeezed_fovs_at_steps(params, config, items, [s - 1 for s in steps])
    searches = []
    for step, points in zip(steps, squeezed):
        found, value = evaluation.search_dbscan(
            points,
            [i.fov.labels for i in items],
            original_xy=[i.fov.xy_nm for i in items],
            **evaluation.search_rule(config),
        )
        searches.append((step, found, value))
    return searches


def pick_subcluster_step(
    searches: list[tuple[int, evaluation.DbscanParams, float]],
) -> tuple[int, evaluation.DbscanParams]:
    """The searched step with the best objective (ties: the later step) and its parameters."""
    step, found, _ = max(searches, key=lambda s: (s[2], s[0]))
    return step, found


def choose_subcluster_dbscan(
    params, config: ml_collections.ConfigDict, train_items: list
) -> tuple[int, evaluation.DbscanParams] | None:
    """A two-level model's subcluster step and its DBSCAN parameters, chosen on the training
    fields (search_subcluster_steps, pick_subcluster_step); None for any other model."""
    searches = search_subcluster_steps(params, config, train_items)
    return None if searches is None else pick_subcluster_step(searches)


def package(
    params,
    config: ml_collections.ConfigDict,
    model_dir: str | Path,
    made_by: str,
    training: dict,
    card_extra: dict | None = None,
) -> dict:
    """A trained model made shippable: DBSCAN parameters chosen on the training fields (the
    config's search rule), dev fields scored, model + card written to model_dir; returns the
    card. The one path for `miro fit` and for scripts/release.py's simulated-shape models."""
    model_dir = Path(model_dir)
    train_items = input_pipeline.eval_fovs(config, "train")
    miro, alone = choose_dbscan(params, config, train_items)
    stored = config.copy_and_resolve_references()
    stored.evals.miro_eps, stored.evals.miro_min_samples = miro.eps, miro.min_samples
    stored.evals.dbscan_eps, stored.evals.dbscan_min_samples = alone.eps, alone.min_samples
    chosen_subclusters = choose_subcluster_dbscan(params, config, train_items)
    dev_items = input_pipeline.eval_fovs(config, "dev")
    two_level, subclusters = {}, None
    if chosen_subclusters is not None:
        step, subclusters = chosen_subclusters
        stored.evals.subcluster_step = step
        stored.evals.subcluster_eps = subclusters.eps
        stored.evals.subcluster_min_samples = subclusters.min_samples
        two_level = {
            SUBCLUSTER_CARD_KEY: {
                "step": step,
                "k*": config.loss.cutoff_iterations,
                "steps tried": subcluster_candidate_steps(config),
                "eps [nm]": subclusters.eps,
                "min samples": subclusters.min_samples,
            }
        }
    card = {
        "model": model_dir.name,
        "made by": made_by,
        "date": str(datetime.date.today()),
        "trained on": trained_on(config, train_items),
        **(card_extra or {}),
        "length scale [nm]": config.graph.length_scale_nm,
        "connectivity radius δ [nm]": config.graph.connectivity_radius
        * config.graph.length_scale_nm,
        "training window [nm]": training_window_nm(config),
        "K": config.model.num_iterations,
        "hidden size": config.model.hidden_size,
        "warm start from": config.train.init_from or None,
        "DBSCAN after MIRO": {"eps [nm]": miro.eps, "min samples": miro.min_samples},
        "DBSCAN alone": {"eps [nm]": alone.eps, "min samples": alone.min_samples},
        **two_level,
        "training": training,
        "dev scores": {
            "fields": [i.fov.name for i in dev_items],
            "MIRO + DBSCAN": _scores(params, stored, dev_items, miro, True),
            "DBSCAN alone": _scores(params, stored, dev_items, alone, False),
            **(
                {
                    "MIRO + DBSCAN, subclusters": _scores(
                        params,
                        stored,
                        finer_level(dev_items),
                        subclusters,
                        True,
                        inference.subcluster_step(stored) - 1,
                    )
                }
                if subclusters is not None
                else {}
            ),
        },
        "warn when input differs by more than": CARD_TOLERANCE,
        SIZE_TOLERANCE_KEY: SIZE_TOLERANCE,
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
