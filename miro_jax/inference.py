"""Applying a trained MIRO model to a user's localizations (nm in, nm out)."""

from __future__ import annotations

import dataclasses

import jax
import ml_collections
import numpy as np

from miro_jax import cluster, graph, input_pipeline, models, reference_weights, tiling


class ModelConfigMismatch(ValueError):
    """Parameters that do not fit the config they came with (e.g. feature counts)."""


def check_params_match_config(params, config: ml_collections.ConfigDict) -> None:
    found = reference_weights.hyperparameters_from_params(params)
    expected = dict(hidden_size=config.model.hidden_size,
                    num_node_features=config.model.num_node_features,
                    num_classes=config.model.num_classes)
    bad = {k: (v, found[k]) for k, v in expected.items() if found[k] != v}
    if config.graph.num_features != config.model.num_node_features:
        bad["graph.num_features"] = (config.graph.num_features, config.model.num_node_features)
    if bad:
        detail = ", ".join(f"{k}: config {a} vs weights {b}" for k, (a, b) in bad.items())
        raise ModelConfigMismatch(f"model weights do not match their config ({detail})")


@dataclasses.dataclass
class SqueezeResult:
    squeezed_nm: np.ndarray  # [N, 2]
    displacements: np.ndarray  # [K, N, 2] units of δ
    classes: np.ndarray | None  # [N] argmax of the last step's logits
    class_probability: np.ndarray | None  # [N]
    num_edges: int


def to_model_units(xy_nm: np.ndarray, scaling: str, length_scale_nm: float):
    """nm -> model coordinates and the inverse map.

    'fov': per-axis min-max to [0, 1] as the authors do (for ≈2 µm FOVs like the benchmark;
    their scale-back quirk is not copied: the inverse is exact). 'physical': (x − min)/L with the
    model's length scale L in nm, for FOVs of any size.
    """
    lo = xy_nm.min(axis=0)
    if scaling == "fov":
        extent = np.ptp(xy_nm, axis=0)
        if np.any(extent <= 0):
            raise graph.CollinearPointsError("all points share one x or y value")
    elif scaling == "physical":
        extent = np.array([length_scale_nm, length_scale_nm], dtype=np.float64)
    else:
        raise ValueError(f"unknown scaling {scaling!r}: use 'fov' or 'physical'")
    return (xy_nm - lo) / extent, (lambda unit: unit * extent + lo)


def squeeze_localizations(xy_nm: np.ndarray, params, config: ml_collections.ConfigDict,
                          scaling: str = "physical", duplicates: str = "error",
                          step_index: int = -1, tile_size_nm: float | None = None,
                          progress: bool = False) -> SqueezeResult:
    """Builds the graph, runs MIRO and returns squeezed nm coordinates (and classes).

    With `tile_size_nm` (physical scaling only) the field is processed in tiles: Laplacian
    features per model-length-scale tile, the model per compute tile with a K-hop halo (exact).
    """
    check_params_match_config(params, config)
    length_scale = config.graph.get("length_scale_nm", 2000.0)
    unit, back = to_model_units(np.asarray(xy_nm, np.float64), scaling, length_scale)
    model = models.Miro(**config.model)
    apply_fn = jax.jit(model.apply)
    n = len(unit)
    if tile_size_nm:
        if scaling != "physical":
            raise ValueError("tiles need physical scaling (one length scale for the whole field)")
        if config.model.num_classes:
            raise ValueError("tiled processing of classifying models is not supported yet")
        xy = graph.check_coordinates(unit, config.graph.num_features + 1, duplicates)
        edges = graph.delaunay_edges(xy, config.graph.connectivity_radius)
        features = tiling.tiled_laplacian_features(
            edges, tiling.tile_ids(xy, 1.0), config.graph.num_features, progress)
        pg = graph.PointGraph(xy.astype(np.float32), features, edges,
                              graph.edge_features(xy, edges, config.graph.connectivity_radius),
                              config.graph.connectivity_radius)
        disp = tiling.tiled_displacements(apply_fn, params, pg, tile_size_nm / length_scale,
                                          config.model.num_iterations,
                                          config.train.bucket_ratio, progress)
        squeezed = back(cluster.squeeze(pg.positions.astype(np.float64), disp[step_index],
                                        config.graph.connectivity_radius))
        return SqueezeResult(squeezed, disp, None, None, pg.num_edges)
    pg = graph.build_point_graph(unit, config.graph.connectivity_radius,
                                 config.graph.num_features, duplicates=duplicates)
    batch = input_pipeline.pad_batch([graph.to_graphs_tuple(pg)], config.train.bucket_ratio)
    out = apply_fn(params, batch)
    disp = np.asarray(out["displacements"][:, :n])
    squeezed = back(cluster.squeeze(pg.positions.astype(np.float64), disp[step_index],
                                    config.graph.connectivity_radius))
    classes = prob = None
    if "logits" in out:
        logits = np.asarray(out["logits"][step_index, :n])
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        classes, prob = p.argmax(axis=1), p.max(axis=1)
    return SqueezeResult(squeezed, disp, classes, prob, pg.num_edges)
