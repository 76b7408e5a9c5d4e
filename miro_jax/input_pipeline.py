"""Training and evaluation graphs: augmented samples keyed by index, batched and padded to buckets.

A training batch is a pure function of (config, step): sample indices come from the step, each
sample's rng from (seed, index). A resumed run therefore sees exactly the batches it would have.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import jraph
import ml_collections
import numpy as np

from miro_jax import augment, benchmark_data, cluster
from miro_jax import graph as graph_lib


def ablate_node_features(features: np.ndarray, mode: str, rng: np.random.Generator) -> np.ndarray:
    """Node-feature ablation: 'laplacian' (unchanged), 'constant' (every node 1/√N, the scale of
    the eigenvector entries) or 'shuffled' (rows permuted across nodes)."""
    if mode == "laplacian":
        return features
    if mode == "constant":
        return np.full_like(features, 1.0 / np.sqrt(len(features)))
    if mode == "shuffled":
        return features[rng.permutation(len(features))]
    raise ValueError(f"unknown node_features mode {mode!r}")


def _with_features(pg: graph_lib.PointGraph, config, rng) -> graph_lib.PointGraph:
    mode = config.data.node_features
    if mode == "laplacian":
        return pg
    return dataclasses.replace(pg, node_features=ablate_node_features(pg.node_features, mode, rng))


def sample_graph(
    builder, index: int, seed: int, config: ml_collections.ConfigDict
) -> jraph.GraphsTuple:
    """Augmented sample number `index` as a single GraphsTuple with targets and labels."""
    rng = np.random.default_rng([seed, index])
    sample = builder.sample(rng)
    if cropping(config, index):
        visible = config.data.crop_targets == "visible"
        sample = crop_sample(
            sample, config.data.crop_size, rng, config.graph.connectivity_radius if visible else 0.0
        )
    cell = coarsening_cell(config, index)
    if cell > 0:
        sample = coarsen_sample(sample, cell, config.graph.connectivity_radius)
    point_graph = graph_lib.build_point_graph(
        sample.positions,
        config.graph.connectivity_radius,
        config.graph.num_features,
        duplicates=config.data.duplicates,
    )
    point_graph = _with_features(point_graph, config, rng)
    extra = {}
    if config.data.class_target == "clustered":  # auxiliary label: in a cluster or not
        extra["class"] = (np.asarray(sample.labels) > 0).astype(np.int32)
    return graph_lib.to_graphs_tuple(
        point_graph, target=sample.target.astype(np.float32), labels=sample.labels, **extra
    )


def training_step(config: ml_collections.ConfigDict, index: int) -> int:
    """The training step that draws fresh sample `index` (data curricula key on it)."""
    return index // config.train.batch_size


def cropping(config: ml_collections.ConfigDict, index: int) -> bool:
    """Whether training sample `index` is cropped: data.crop_size > 0, from training step
    data.crop_start_step on (a curriculum: full graphs leave the predict-zero plateau, crops then
    give ≈4× the updates per second; recipe.md §3.7)."""
    if not config.data.crop_size:
        return False
    start = config.data.crop_start_step
    if start > 0 and config.data.dataset_size > 0:
        raise ValueError(
            "data.crop_start_step needs fresh samples (data.dataset_size = 0): "
            "a fixed set's sample has no single training step"
        )
    return training_step(config, index) >= start


def coarsening_cell(config: ml_collections.ConfigDict, index: int) -> float:
    """Grid cell (unit FOV) that training sample `index` is coarsened with: data.coarsen_start,
    shrinking linearly to 0 over the first data.coarsen_steps steps (a data curriculum)."""
    start, steps = config.data.coarsen_start, config.data.coarsen_steps
    if start <= 0 or steps <= 0:
        return 0.0
    return float(start * max(0.0, 1.0 - training_step(config, index) / steps))


def coarsen_sample(
    sample: augment.PointSample, cell: float, connectivity_radius: float
) -> augment.PointSample:
    """Every grid cell's points replaced by their mean, labelled by the cell's majority label;
    targets recomputed towards the same cluster centres. Merges blinking bursts (a few nm apart)
    into single points while clusters keep their extent: an easier, GT-like version of the data."""
    keys = np.floor(sample.positions / cell).astype(np.int64)
    _, group = np.unique(keys, axis=0, return_inverse=True)
    group = group.ravel()
    num = int(group.max()) + 1
    labels = sample.labels.astype(np.int64)
    # majority label per cell
    pair = group * (int(labels.max()) + 1) + labels
    counts = np.bincount(pair, minlength=num * (int(labels.max()) + 1)).reshape(num, -1)
    majority = counts.argmax(axis=1)
    keep = labels == majority[group]
    positions = np.zeros((num, 2))
    np.add.at(positions, group[keep], sample.positions[keep])
    positions /= counts.max(axis=1)[:, None]
    centres = sample.positions - connectivity_radius * sample.target  # each point's cluster centre
    centre = np.zeros((num, 2))
    centre[group[keep]] = centres[keep]
    target = np.where(majority[:, None] > 0, (positions - centre) / connectivity_radius, 0.0)
    return augment.PointSample(positions, target.astype(np.float32), majority)


def crop_sample(
    sample: augment.PointSample,
    size: float,
    rng,
    connectivity_radius: float = 0.0,
    min_points: int = 16,
    tries: int = 20,
) -> augment.PointSample:
    """A random size × size window of an augmented sample holding ≥ min_points points.

    The model only sees K hops, so crops of the unit FOV train the same map at a fraction of the
    cost per step. With connectivity_radius > 0 the targets point to the centroid of each
    cluster's VISIBLE points, as the ground truth of a cluster cut by a real FOV's edge does;
    with 0 they keep the full cluster's centre (invisible to the model when the window cuts it).
    A window with too few points is redrawn; after `tries` the whole sample is returned.
    """
    lo = sample.positions.min(axis=0)
    span = np.maximum(sample.positions.max(axis=0) - lo - size, 0.0)
    for _ in range(tries):
        corner = lo + rng.uniform(0.0, 1.0, 2) * span
        keep = np.all((sample.positions >= corner) & (sample.positions < corner + size), axis=1)
        if keep.sum() >= min_points:
            break
    else:
        return sample
    positions, labels = sample.positions[keep], sample.labels[keep]
    target = (
        centroid_targets(positions, labels, connectivity_radius)
        if connectivity_radius > 0
        else sample.target[keep]
    )
    return augment.PointSample(positions, target, labels)


def sample_indices(step: int, batch_size: int, dataset_size: int, seed: int) -> np.ndarray:
    """Indices of the samples in batch `step`: fresh ones, or a per-epoch shuffle of a fixed set."""
    positions = step * batch_size + np.arange(batch_size)
    if dataset_size <= 0:
        return positions
    epochs, offsets = np.divmod(positions, dataset_size)
    return np.array(
        [
            np.random.default_rng([seed, 1, int(e)]).permutation(dataset_size)[o]
            for e, o in zip(epochs, offsets)
        ]
    )


class IndexedGraphSource:
    """Shared batching of a source whose `build_graph(index)` builds sample number `index`; a
    fixed set (data.dataset_size > 0) is built once and kept in memory."""

    config: ml_collections.ConfigDict

    def build_graph(self, index: int) -> jraph.GraphsTuple:
        raise NotImplementedError

    def graph(self, index: int) -> jraph.GraphsTuple:
        if self.config.data.dataset_size <= 0:
            return self.build_graph(int(index))
        cache = self.__dict__.setdefault("_cache", {})
        if index not in cache:
            cache[index] = self.build_graph(int(index))
        return cache[index]

    def graphs(self, step: int) -> list[jraph.GraphsTuple]:
        cfg = self.config
        idx = sample_indices(step, cfg.train.batch_size, cfg.data.dataset_size, cfg.data.seed)
        return [self.graph(i) for i in idx]

    def batch(self, step: int) -> jraph.GraphsTuple:
        return graph_lib.pad_batch(self.graphs(step), self.config.train.bucket_ratio)


@dataclasses.dataclass
class TrainingSource(IndexedGraphSource):
    """Builds the augmentation source once (reads the training FOVs) and serves padded batches."""

    config: ml_collections.ConfigDict

    def __post_init__(self):
        cfg = self.config
        clusters, backgrounds = [], []
        for fov in benchmark_fovs(cfg, "train"):
            c, b = benchmark_data.split_clusters(fov.unit_xy, fov.labels)
            clusters.extend(c)
            backgrounds.append(b)
        if cfg.data.single_cluster:
            clusters = [single_shot_cluster(clusters)]
        kwargs = dict(cfg.data.builder_kwargs.to_dict())
        if cfg.data.builder != "GraphBlinkingCroppedDataset":
            kwargs["population_seed"] = cfg.data.seed
        self.builder = augment.make_builder(
            cfg.data.builder, clusters, backgrounds, cfg.graph.connectivity_radius, **kwargs
        )

    def build_graph(self, index: int) -> jraph.GraphsTuple:
        return sample_graph(self.builder, index, self.config.data.seed, self.config)


def single_shot_cluster(clusters: list[np.ndarray]) -> np.ndarray:
    """The one annotated cluster of a single-shot run: the median-sized cluster of the training
    FOVs (ties: the first), a typical cluster rather than a hand-picked one."""
    sizes = np.array([len(c) for c in clusters])
    return clusters[int(np.argsort(sizes, kind="stable")[(len(sizes) - 1) // 2])]


def centroid_targets(
    unit_xy: np.ndarray, labels: np.ndarray, connectivity_radius: float
) -> np.ndarray:
    """(x − centroid of its label)/δ per point, 0 for label 0 (REFERENCE_FACTS §3)."""
    target = np.zeros_like(unit_xy)
    for label in np.unique(labels[labels > 0]):
        m = labels == label
        target[m] = (unit_xy[m] - unit_xy[m].mean(axis=0)) / connectivity_radius
    return target.astype(np.float32)


def simulated_field(
    config: ml_collections.ConfigDict, rng: np.random.Generator, evaluation: bool = False
):
    """One FOV from the configured simulator (miro_jax.simulate); evaluation FOVs may use other
    simulator arguments (e.g. the full-size field) via data.eval_simulator_kwargs."""
    from miro_jax import simulate

    make = getattr(simulate, config.data.simulator)
    kwargs = config.data.simulator_kwargs
    if evaluation and "eval_simulator_kwargs" in config.data:
        kwargs = config.data.eval_simulator_kwargs
    return make(rng, **kwargs.to_dict())


def field_graph(field, config: ml_collections.ConfigDict, rng) -> jraph.GraphsTuple:
    """A simulated field in model units (nm / fov_nm) with targets, labels, classes, sub-targets."""
    r = config.graph.connectivity_radius
    unit = field.xy / config.data.fov_nm
    pg = graph_lib.build_point_graph(
        unit, r, config.graph.num_features, duplicates=config.data.duplicates
    )
    pg = _with_features(pg, config, rng)
    arrays = {"target": centroid_targets(unit, field.labels, r), "labels": field.labels}
    if field.sublabels is not None:
        arrays["target_sub"] = centroid_targets(unit, field.sublabels, r)
    if field.classes is not None:
        arrays["class"] = field.classes.astype(np.int32)
    return graph_lib.to_graphs_tuple(pg, **arrays)


@dataclasses.dataclass
class SimulatedSource(IndexedGraphSource):
    """Training graphs straight from a simulator, one fresh FOV per sample index."""

    config: ml_collections.ConfigDict

    def build_graph(self, index: int) -> jraph.GraphsTuple:
        rng = np.random.default_rng([self.config.data.seed, index])
        return field_graph(simulated_field(self.config, rng), self.config, rng)


@dataclasses.dataclass(frozen=True)
class AnnotatedTable:
    """An annotated field: nm coordinates and cluster labels (0 = background)."""

    name: str
    xy_nm: np.ndarray
    labels: np.ndarray
    columns: tuple = ()  # the file's columns (read_raw)


def read_table(path: str, config: ml_collections.ConfigDict, labelled: bool) -> AnnotatedTable:
    """One file as configured (data.reader): with `labelled`, its data.label_column (which must
    exist); without, every localization labelled 0 (an unannotated field)."""
    from miro_jax import localizations

    reader = config.data.reader
    loc = localizations.read_localizations(
        path,
        reader.x_col or None,
        reader.y_col or None,
        reader.unit or None,
        reader.pixel_size or None,
        label_col=config.data.label_column if labelled else None,
    )
    labels = loc.truth if labelled else np.zeros(len(loc.xy_nm), np.int64)
    return AnnotatedTable(Path(path).name, loc.xy_nm, labels, tuple(loc.table.columns))


def read_raw(path: str, config: ml_collections.ConfigDict) -> AnnotatedTable:
    """An unannotated file as configured (data.reader), every localization labelled 0."""
    return read_table(path, config, labelled=False)


def read_annotated(path: str, config: ml_collections.ConfigDict) -> AnnotatedTable:
    """One annotated file as configured (data.reader, data.label_column)."""
    return read_table(path, config, labelled=True)


def read_single_cluster(path: str, config: ml_collections.ConfigDict) -> np.ndarray:
    """nm coordinates of the one annotated cluster of a single-shot fit: the rows labelled > 0
    when the file has the label column (data.label_column), else every row."""
    raw = read_raw(path, config)
    if config.data.label_column not in raw.columns:
        return raw.xy_nm
    labels = read_annotated(path, config).labels
    return raw.xy_nm[labels > 0] if (labels > 0).any() else raw.xy_nm


def _held_out(table: AnnotatedTable, fraction: float) -> np.ndarray:
    """Mask of the localizations in the last `fraction` of the field's width (a cluster goes
    where its centroid is), the part kept back for scoring when no dev files are given."""
    x = table.xy_nm[:, 0].copy()
    for _, members in cluster.label_groups(table.labels):
        x[members] = x[members].mean()
    cut = table.xy_nm[:, 0].min() + (1.0 - fraction) * np.ptp(table.xy_nm[:, 0])
    return x > cut


def annotated_tables(
    config: ml_collections.ConfigDict, split: str, train: list[AnnotatedTable] | None = None
) -> list[AnnotatedTable]:
    """The annotated fields of a 'files' source: 'train' (without dev files: each training
    field less its held-out strip) or 'dev' (the dev files, or the held-out strips). `train`:
    the training files as read_annotated already read them."""
    if train is None:
        train = [read_annotated(p, config) for p in config.data.train_files]
    if config.data.dev_files:
        return (
            train
            if split == "train"
            else [read_annotated(p, config) for p in config.data.dev_files]
        )
    out = []
    for table in train:
        keep = _held_out(table, config.data.holdout_fraction)
        keep = keep if split == "dev" else ~keep
        out.append(AnnotatedTable(f"{table.name}[{split}]", table.xy_nm[keep], table.labels[keep]))
    return out


def training_window(tables: list[AnnotatedTable], config: ml_collections.ConfigDict) -> float:
    """Side (model units) of miro fit's training windows: about fit.window_localizations at the
    fields' mean localization density, between fit.window_min_nm and one length scale."""
    scale = config.graph.length_scale_nm
    count = sum(len(t.xy_nm) for t in tables)
    area = sum(float(np.prod(np.maximum(np.ptp(t.xy_nm, axis=0), 1e-9))) for t in tables)
    side_nm = np.sqrt(config.fit.window_localizations * area / max(count, 1))
    return float(np.clip(side_nm, config.fit.window_min_nm, scale) / scale)


def raw_background(
    xy_nm: np.ndarray, cluster_nm: np.ndarray, fraction: float, rng: np.random.Generator
) -> tuple[np.ndarray, int]:
    """An unannotated field's background and cluster count, for single-shot training: DBSCAN with
    eps = the annotated cluster's radius of gyration and minPts = the 10th percentile of its
    localizations' neighbour counts within eps (so nearly all of a cluster like it is reached);
    the core points of groups of ≥ `fraction` × its size are clusters, the rest is background (the
    field's own clusters are not taught as background). Background that dense fields lose to the
    groups is made up with uniform points, to the field's count less count × the cluster's size
    (the authors' single-shot builder draws its whole background uniformly)."""
    import scipy.spatial
    import sklearn.cluster

    eps = cluster.radius_of_gyration(cluster_nm)
    counts = [len(n) for n in scipy.spatial.cKDTree(cluster_nm).query_ball_point(cluster_nm, eps)]
    found = sklearn.cluster.DBSCAN(eps=eps, min_samples=max(3, int(np.percentile(counts, 10))))
    found.fit(xy_nm)
    labels = found.labels_ + 1
    sizes = np.bincount(labels)
    big = (sizes >= fraction * len(cluster_nm)) & (np.arange(len(sizes)) > 0)
    core = np.zeros(len(xy_nm), bool)
    core[found.core_sample_indices_] = True
    background = xy_nm[~(big[labels] & core)]
    missing = int(len(xy_nm) - big.sum() * len(cluster_nm) - len(background))
    if missing > 0:
        extra = rng.uniform(xy_nm.min(axis=0), xy_nm.max(axis=0), (missing, 2))
        background = np.concatenate([background, extra])
    return background, int(big.sum())


def _field(
    unit_background: np.ndarray, unit_all: np.ndarray, n_clusters: int
) -> augment.AnnotatedField:
    lo, hi = unit_all.min(axis=0), unit_all.max(axis=0)
    area = float(np.prod(np.maximum(hi - lo, 1e-9)))
    return augment.AnnotatedField(unit_background, lo, hi, n_clusters / area)


def builder_tables(config: ml_collections.ConfigDict) -> list[AnnotatedTable]:
    """The fields field_builder draws windows from: the unannotated fields of a single-shot fit,
    else the annotated training fields."""
    if config.data.single_cluster_file:
        return [read_raw(p, config) for p in config.data.background_files]
    return annotated_tables(config, "train")


def field_builder(config: ml_collections.ConfigDict) -> augment.FieldBuilder:
    """miro fit's builder in model units (nm / graph.length_scale_nm): the annotated training
    fields, or (data.single_cluster_file) one annotated cluster on unannotated fields'
    backgrounds (raw_background)."""
    scale = config.graph.length_scale_nm
    fields, clusters, tables = [], [], builder_tables(config)
    if config.data.single_cluster_file:
        cluster_nm = read_single_cluster(config.data.single_cluster_file, config)
        clusters = [(cluster_nm - cluster_nm.mean(axis=0)) / scale]
        for table in tables:
            background, count = raw_background(
                table.xy_nm,
                cluster_nm,
                config.fit.raw_cluster_fraction,
                np.random.default_rng([config.data.seed, 10, len(fields)]),
            )
            fields.append(_field(background / scale, table.xy_nm / scale, count))
    else:
        for table in tables:
            unit = table.xy_nm / scale
            centred, background = benchmark_data.split_clusters(unit, table.labels)
            clusters += centred
            fields.append(_field(background, unit, len(centred)))
    return augment.FieldBuilder(
        fields,
        clusters,
        config.graph.connectivity_radius,
        window=training_window(tables, config),
        cluster_sampling_range=tuple(config.fit.cluster_sampling_range),
        background_sampling_range=tuple(config.fit.background_sampling_range),
        cluster_count_scale=tuple(config.fit.cluster_count_scale),
    )


@dataclasses.dataclass
class FilesSource(IndexedGraphSource):
    """Training graphs from a user's files (miro fit): field_builder's windows."""

    config: ml_collections.ConfigDict

    def __post_init__(self):
        self.builder = field_builder(self.config)

    def build_graph(self, index: int) -> jraph.GraphsTuple:
        return sample_graph(self.builder, index, self.config.data.seed, self.config)


def unit_length_nm(config: ml_collections.ConfigDict) -> float:
    """What one model unit measured in the configured training data, in nm: the mean extent of a
    benchmark set's training FOVs over both axes (the authors scale each FOV to [0, 1] per axis),
    the simulator's data.fov_nm, or a fit's graph.length_scale_nm. A trained model stores it as
    its length scale, so that physical scaling (`miro cluster`) shows it structures at the size
    it learned them."""
    if config.data.source == "simulated":
        return float(config.data.fov_nm)
    if config.data.source == "files":
        return float(config.graph.length_scale_nm)
    return float(np.mean([fov.extent for fov in benchmark_fovs(config, "train")]))


def benchmark_fovs(config: ml_collections.ConfigDict, split: str) -> list[benchmark_data.Fov]:
    """The configured benchmark set's training ('train') or dev FOVs, as the manifest names them
    (data.train_fovs / dev_fovs), read from data.root or the default benchmark root."""
    root = Path(config.data.root) if config.data.root else None
    return [
        benchmark_data.read_fov(benchmark_data.fov_path(config.data.scenario, n, root))
        for n in fov_numbers(config, split)
    ]


def fov_numbers(config: ml_collections.ConfigDict, split: str) -> tuple:
    """The manifest's numbers of the configured set's training ('train') or dev FOVs."""
    return config.data.dev_fovs if split == "dev" else config.data.train_fovs


def make_source(config: ml_collections.ConfigDict):
    """The configured training source: benchmark few-shot builders, a simulator, or a user's
    annotated files."""
    source = config.data.source
    if source == "simulated":
        return SimulatedSource(config)
    if source == "files":
        return FilesSource(config)
    return TrainingSource(config)


@dataclasses.dataclass(frozen=True)
class EvalFov:
    """A benchmark FOV prepared for the model: its graph (unit coordinates) and the FOV itself."""

    fov: benchmark_data.Fov
    graph: jraph.GraphsTuple


def eval_fovs(config: ml_collections.ConfigDict, split: str = "dev") -> list[EvalFov]:
    """Dev (or train) FOVs of the configured scenario as padded single-graph batches."""
    if config.data.source == "simulated":
        return _simulated_eval_fovs(config, split)
    if config.data.source == "files" and config.data.single_cluster_file:
        return _builder_eval_fovs(config, split)
    if config.data.source == "files":
        return [annotated_eval_fov(t, config) for t in annotated_tables(config, split)]
    out = []
    for n, fov in zip(fov_numbers(config, split), benchmark_fovs(config, split)):
        # the authors build test edges from float32 positions (REFERENCE_FACTS §2)
        pos = fov.unit_xy.astype(np.float32).astype(np.float64)
        pg = graph_lib.build_point_graph(
            pos, config.graph.connectivity_radius, config.graph.num_features, duplicates="keep"
        )
        target = centroid_targets(pos, fov.labels, config.graph.connectivity_radius)
        pg = _with_features(pg, config, np.random.default_rng([config.data.seed, 2, n]))
        g = graph_lib.to_graphs_tuple(pg, target=target, labels=fov.labels)
        out.append(EvalFov(fov=fov, graph=graph_lib.pad_batch([g], config.train.bucket_ratio)))
    return out


def _simulated_eval_fovs(config: ml_collections.ConfigDict, split: str) -> list[EvalFov]:
    """Fresh simulated FOVs, seeded apart from every training sample (seed stream 7 / 8)."""
    stream = 7 if split == "dev" else 8
    out = []
    for i in range(config.data.num_eval_fovs):
        rng = np.random.default_rng([config.data.seed, stream, i])
        field = simulated_field(config, rng, evaluation=True)
        out.append(field_eval_fov(field, config, rng, f"sim_{split}_{i:02d}"))
    return out


def _builder_eval_fovs(config: ml_collections.ConfigDict, split: str) -> list[EvalFov]:
    """Single-shot fits have no annotated field: fresh windows of their own builder (seed
    streams 7 / 8, apart from every training sample) stand in for the train and dev fields."""
    builder, scale = field_builder(config), config.graph.length_scale_nm
    stream = 7 if split == "dev" else 8
    out = []
    for i in range(config.data.num_eval_fovs):
        sample = builder.sample(np.random.default_rng([config.data.seed, stream, i]))
        table = AnnotatedTable(
            f"window_{split}_{i:02d}", sample.positions * scale, np.asarray(sample.labels)
        )
        out.append(annotated_eval_fov(table, config))
    return out


def field_eval_fov(
    field, config: ml_collections.ConfigDict, rng, name: str, labels: np.ndarray | None = None
) -> EvalFov:
    """A simulated field as an evaluation FOV (nm / config.data.fov_nm model units), scored
    against `labels` (default the field's top-level labels; e.g. sublabels for the finer scale)."""
    g = field_graph(field, config, rng)
    fov = benchmark_data.Fov(
        name=name,
        xy_nm=field.xy,
        labels=field.labels if labels is None else labels,
        unit_xy=field.xy / config.data.fov_nm,
        minimum=np.zeros(2),
        extent=np.full(2, config.data.fov_nm),
        sublabels=field.sublabels,
    )
    return EvalFov(fov=fov, graph=graph_lib.pad_batch([g], config.train.bucket_ratio))


def annotated_eval_fov(table: AnnotatedTable, config: ml_collections.ConfigDict) -> EvalFov:
    """An annotated field as an evaluation FOV in physical model units (nm / length scale)."""
    scale = config.graph.length_scale_nm
    lo = table.xy_nm.min(axis=0)
    unit = (table.xy_nm - lo) / scale
    pg = graph_lib.build_point_graph(
        unit,
        config.graph.connectivity_radius,
        config.graph.num_features,
        duplicates=config.data.duplicates,
    )
    g = graph_lib.to_graphs_tuple(
        pg,
        target=centroid_targets(unit, table.labels, config.graph.connectivity_radius),
        labels=table.labels,
    )
    fov = benchmark_data.Fov(
        name=table.name,
        xy_nm=table.xy_nm,
        labels=table.labels,
        unit_xy=unit,
        minimum=lo,
        extent=np.full(2, scale),
    )
    return EvalFov(fov=fov, graph=graph_lib.pad_batch([g], config.train.bucket_ratio))
