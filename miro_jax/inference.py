"""The one prediction path: nm coordinates and a model in, squeezed nm coordinates (+ classes) out.

Stages: model units → Delaunay graph → Laplacian node features (per ≈ length-scale tile, so the
cost grows linearly; a benchmark-sized FOV is one tile, as the authors compute it) → MIRO, in one
call or, for large fields, in tiles of balanced node counts with exact K-hop halos, all padded to
one size (one compilation) → squeeze. Large fields are sorted along a Z-order curve first (speed).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import sys
import time

import jax
import jraph
import ml_collections
import numpy as np
import tqdm

from miro_jax import cluster, graph, models, reference_weights, tiling


class ModelConfigMismatch(ValueError):
    """Parameters that do not fit the config they came with (e.g. feature counts)."""


class ModelOutputError(ValueError):
    """The model produced non-finite displacements (corrupt parameters)."""


def check_params_match_config(params, config: ml_collections.ConfigDict) -> None:
    found = reference_weights.hyperparameters_from_params(params)
    expected = dict(
        hidden_size=config.model.hidden_size,
        num_node_features=config.model.num_node_features,
        num_classes=config.model.num_classes,
    )
    bad = {k: (v, found[k]) for k, v in expected.items() if found[k] != v}
    if config.graph.num_features != config.model.num_node_features:
        bad["graph.num_features"] = (config.graph.num_features, config.model.num_node_features)
    if bad:
        detail = ", ".join(f"{k}: config {a} vs weights {b}" for k, (a, b) in bad.items())
        raise ModelConfigMismatch(f"model weights do not match their config ({detail})")


@dataclasses.dataclass
class Prediction:
    squeezed_nm: np.ndarray  # [N, 2]
    displacements: np.ndarray  # [K, N, 2] units of δ
    classes: np.ndarray | None  # [N] argmax of the chosen step's logits
    class_probability: np.ndarray | None  # [N]
    num_edges: int
    num_tiles: int  # model calls (1 = the whole field at once)
    subcluster_squeezed_nm: np.ndarray | None = None  # [N, 2] at subcluster_step (two-level)


def to_model_units(xy_nm: np.ndarray, scaling: str, length_scale_nm: float):
    """nm -> model coordinates and the inverse map.

    'fov': per-axis min-max to [0, 1] as the authors do (graph.normalize_fov; for ≈2 µm FOVs like
    the benchmark; their scale-back quirk is not copied: the inverse is exact). 'physical':
    (x − min)/L with the model's length scale L in nm, for FOVs of any size.
    """
    if scaling == "fov":
        unit, lo, extent = graph.normalize_fov(xy_nm)
    elif scaling == "physical":
        lo, extent = xy_nm.min(axis=0), np.array([length_scale_nm, length_scale_nm], np.float64)
        unit = (xy_nm - lo) / extent
    else:
        raise ValueError(f"unknown scaling {scaling!r}: use 'fov' or 'physical'")
    return unit, (lambda u: u * extent + lo)


class StageLog:
    """A line per stage on stderr ('miro: triangulating 200,000 localizations (0.3 s so far)'),
    so that no size runs silently; loops over tiles add progress bars. Pass `t0` to count from
    an earlier start (the CLI counts from reading the file)."""

    def __init__(self, enabled: bool, t0: float | None = None):
        self.enabled, self.t0 = enabled, time.perf_counter() if t0 is None else t0

    def start(self, text: str) -> None:
        if self.enabled:
            print(
                f"miro: {text} ({time.perf_counter() - self.t0:.1f} s so far)",
                file=sys.stderr,
                flush=True,
            )


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


@functools.lru_cache(maxsize=8)
def _jitted_apply(structure: str):
    """One jitted `apply` per model structure (models.create_model), shared by every field and
    evaluation of a process (compiled once per padded size)."""
    return jax.jit(models.create_model(ml_collections.ConfigDict(json.loads(structure))).apply)


def subcluster_step(config: ml_collections.ConfigDict) -> int:
    """The step (1-based) whose squeeze a two-level model's subclusters come from: the stored
    evals.subcluster_step (chosen by `miro fit`), else k*; 0 for a one-level model."""
    if not config.loss.cutoff_iterations:
        return 0
    return config.evals.subcluster_step or config.loss.cutoff_iterations


def apply_graph(params, config: ml_collections.ConfigDict, graphs: jraph.GraphsTuple) -> dict:
    """The model's outputs on padded graphs: the one place a model is applied for prediction
    (predict's tiles, dev evaluation, experiments)."""
    structure = {
        "model_name": config.model_name,
        "mpn_layer_norm": config.mpn_layer_norm,
        "mpn_reinject_inputs": config.mpn_reinject_inputs,
        "model": config.model.to_dict(),
    }
    return _jitted_apply(json.dumps(structure, sort_keys=True))(params, graphs)


def apply_in_tiles(
    config: ml_collections.ConfigDict,
    params,
    point_graph: graph.PointGraph,
    tiles: np.ndarray,
    hops: int,
    ratio: float,
    progress: bool,
) -> dict:
    """Model outputs [K, N, ·] assembled from one call per tile (+ K-hop halo), every tile padded
    to the largest tile's size so that the model compiles once."""
    parts = list(tiling.halo_subgraphs(point_graph, tiles, hops))
    singles = [graph.to_graphs_tuple(sub) for _, _, sub in parts]
    if len(singles) == 1:  # bucketed: fields of similar size (a batch of cells) share compiles
        n_node, n_edge = graph.padding_budget(singles, ratio)
    else:  # the largest tile's size (+ the padding graph's node), one compilation for all
        n_node = _round_up(max(int(g.n_node[0]) for g in singles) + 1, 8)
        n_edge = _round_up(max(int(g.n_edge[0]) for g in singles), 8)
    out = {}
    bar = tqdm.tqdm(
        zip(parts, singles),
        total=len(parts),
        disable=not progress,
        desc="MIRO",
        unit="tile",
        leave=False,
    )
    for (nodes, core, _), single in bar:
        result = apply_graph(params, config, graph.pad_to_budget([single], n_node, n_edge))
        for key in ("displacements", "logits"):
            if key in result:
                values = np.asarray(result[key])[:, : len(nodes)]
                if key not in out:
                    out[key] = np.zeros(
                        (values.shape[0], point_graph.num_nodes, values.shape[2]), np.float32
                    )
                out[key][:, nodes[core]] = values[:, core]
    return out


def predict(
    xy_nm: np.ndarray,
    params,
    config: ml_collections.ConfigDict,
    scaling: str = "physical",
    duplicates: str = "error",
    step_index: int = -1,
    tile_size_nm: float | None = None,
    progress: bool | StageLog = False,
) -> Prediction:
    """Squeezed nm coordinates (and classes for classifying models) of one field.

    `tile_size_nm` (physical scaling) sets square compute tiles; by default fields above
    config.predict.max_nodes_per_call nodes run in balanced tiles. Tiles are exact: every node
    sees its full K-hop neighbourhood. `progress`: stage lines and progress bars on stderr
    (True, or a StageLog that the caller's own stages share).
    """
    check_params_match_config(params, config)
    if tile_size_nm is not None and scaling != "physical":
        raise ValueError("tiles need physical scaling (one length scale for the whole field)")
    stages = progress if isinstance(progress, StageLog) else StageLog(bool(progress))
    progress = stages.enabled
    length_scale = config.graph.length_scale_nm
    radius = config.graph.connectivity_radius
    unit, back = to_model_units(np.asarray(xy_nm, np.float64), scaling, length_scale)
    xy = graph.check_coordinates(unit, config.graph.num_features + 1, duplicates)
    n = len(xy)
    order = graph.spatial_order(xy) if n >= config.predict.spatial_order_min_nodes else np.arange(n)
    xy = xy[order]
    stages.start(f"triangulating {n:,} localizations")
    edges = graph.delaunay_edges(xy, radius)
    feature_tiles = tiling.tile_ids(xy, config.predict.feature_tile_scale)
    stages.start(f"node features ({feature_tiles.max() + 1:,} tiles)")
    features = tiling.tiled_laplacian_features(
        edges, feature_tiles, config.graph.num_features, progress
    )
    pg = graph.PointGraph(
        xy.astype(np.float32), features, edges, graph.edge_features(xy, edges, radius), radius
    )
    if tile_size_nm is not None:
        tiles = tiling.tile_ids(xy, tile_size_nm / length_scale)
    else:
        tiles = tiling.balanced_tile_ids(xy, config.predict.max_nodes_per_call)
    stages.start(f"MIRO, K = {config.model.num_iterations} ({tiles.max() + 1} model call(s))")
    out = apply_in_tiles(
        config,
        params,
        pg,
        tiles,
        config.model.num_iterations,
        config.train.bucket_ratio,
        progress,
    )
    inverse = np.empty_like(order)
    inverse[order] = np.arange(n)
    disp = out["displacements"][:, inverse]
    if not np.isfinite(disp).all():
        raise ModelOutputError(
            "the model's output is NaN or infinite: its parameters are "
            "damaged; re-train it or use a bundled model"
        )
    squeezed = back(cluster.squeeze(unit, disp[step_index], radius))
    step = subcluster_step(config)
    finer = back(cluster.squeeze(unit, disp[step - 1], radius)) if step else None
    classes = prob = None
    if "logits" in out:
        logits = out["logits"][step_index][inverse]
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        classes, prob = p.argmax(axis=1), p.max(axis=1)
    return Prediction(squeezed, disp, classes, prob, pg.num_edges, int(tiles.max() + 1), finer)
