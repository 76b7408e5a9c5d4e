"""Few-shot training sets: augmented point clouds built from a few annotated FOVs.

The three builders follow the authors' GraphDataset, GraphBlinkingDataset and
GraphBlinkingCroppedDataset (REFERENCE_FACTS.md §4) in unit-FOV coordinates. Every sample is a
pure function of (builder parameters, population, sample rng), so a training run can rebuild
any batch from its step number. The parameters come from the config (the authors' defaults:
configs/benchmark.py's BUILDER_DEFAULTS; `miro fit`'s: config.fit), none from here.
"""

from __future__ import annotations

import dataclasses

import numpy as np


@dataclasses.dataclass(frozen=True)
class PointSample:
    """One augmented point cloud: positions, target displacement (units of δ) and cluster ids."""

    positions: np.ndarray  # [N, 2] unit FOV
    target: np.ndarray  # [N, 2] (x − centre)/δ, 0 for background
    labels: np.ndarray  # [N] 0 = background, 1..n


def populate(points: np.ndarray, num_additions: int, sigma: float, rng) -> np.ndarray:
    """Doubles the set `num_additions` times, each copy jittered by N(0, σ²) (jitter accumulates)."""
    for _ in range(num_additions):
        points = np.concatenate([points, points + rng.normal(0.0, sigma, points.shape)], axis=0)
    return points


def subsample(points: np.ndarray, fraction: float, rng, replace: bool = False) -> np.ndarray:
    """round(fraction·n) rows (at least 1), without replacement unless asked."""
    n = max(1, int(round(fraction * len(points))))
    if not replace:
        n = min(n, len(points))
    return points[rng.choice(len(points), n, replace=replace)]


def rotate(points: np.ndarray, rng) -> np.ndarray:
    angle = rng.uniform(0.0, 2.0 * np.pi)
    c, s = np.cos(angle), np.sin(angle)
    return points @ np.array([[c, -s], [s, c]])


def randint(rng, low_high) -> int:
    """numpy randint semantics (high exclusive) that also accept low == high."""
    low, high = int(low_high[0]), int(low_high[1])
    return low if high <= low else int(rng.integers(low, high))


def reflect(points: np.ndarray, rng) -> np.ndarray:
    """Flips each axis about the set's mean with probability 1/2."""
    mean = points.mean(axis=0)
    signs = np.where(rng.random(2) < 0.5, -1.0, 1.0)
    return (points - mean) * signs + mean


def drawn_clusters(population: list, count: int, sampling_range, rng) -> list[np.ndarray]:
    """`count` clusters drawn from `population`, each sub-sampled by a fraction drawn from
    `sampling_range` and rotated (the authors' order of random draws)."""
    return [
        rotate(
            subsample(population[rng.integers(len(population))], rng.uniform(*sampling_range), rng),
            rng,
        )
        for _ in range(count)
    ]


def assemble(
    cluster_points: list[np.ndarray],
    centres: np.ndarray,
    background: np.ndarray,
    connectivity_radius: float,
) -> PointSample:
    """Clusters (centred, already rotated) placed at `centres`, then background; cluster points first."""
    positions = [c + centre for c, centre in zip(cluster_points, centres)] + [background]
    targets = [c / connectivity_radius for c in cluster_points] + [np.zeros_like(background)]
    labels = [np.full(len(c), i + 1) for i, c in enumerate(cluster_points)]
    labels.append(np.zeros(len(background), dtype=np.int64))
    return PointSample(
        positions=np.concatenate(positions, axis=0),
        target=np.concatenate(targets, axis=0),
        labels=np.concatenate(labels).astype(np.int64),
    )


@dataclasses.dataclass
class ClusterBuilder:
    """GraphDataset: populated clusters at uniform centres in [0.05, 0.95]² + uniform background."""

    clusters: list[np.ndarray]
    connectivity_radius: float
    noise_point_range: tuple
    cluster_count_range: tuple
    cluster_sampling_range: tuple
    pupulation_std_sigma: float  # [sic] the authors' key
    num_additions: int
    population_seed: int = 0

    def __post_init__(self):
        rng = np.random.default_rng(self.population_seed)
        self.population = [
            populate(c, self.num_additions, self.pupulation_std_sigma, rng) for c in self.clusters
        ]

    def sample(self, rng) -> PointSample:
        n_clusters = randint(rng, self.cluster_count_range)
        centres = rng.uniform(0.05, 0.95, (n_clusters, 2))
        points = drawn_clusters(self.population, n_clusters, self.cluster_sampling_range, rng)
        background = rng.uniform(0.0, 1.0, (randint(rng, self.noise_point_range), 2))
        return assemble(points, centres, background, self.connectivity_radius)


@dataclasses.dataclass
class BlinkingBuilder:
    """GraphBlinkingDataset: a real (populated, sub-sampled, reflected) background with clusters
    placed in empty 0.02 × 0.02 cells of it."""

    clusters: list[np.ndarray]
    backgrounds: list[np.ndarray]
    connectivity_radius: float
    cluster_count_range: tuple
    cluster_sampling_range: tuple
    cluster_std_sigma: float
    num_cluster_additions: int
    background_sampling_range: tuple
    background_std_population: float
    num_bkg_additions: int
    empty_cell_size: float
    population_seed: int = 0

    def __post_init__(self):
        rng = np.random.default_rng(self.population_seed)
        self.population = [
            populate(c, self.num_cluster_additions, self.cluster_std_sigma, rng)
            for c in self.clusters
        ]
        self.background_population = [
            populate(b, self.num_bkg_additions, self.background_std_population, rng)
            for b in self.backgrounds
        ]

    def sample(self, rng) -> PointSample:
        base = self.background_population[rng.integers(len(self.background_population))]
        background = reflect(
            subsample(base, rng.uniform(*self.background_sampling_range), rng), rng
        )
        lo, hi = background.min(axis=0), background.max(axis=0)
        shape = np.maximum(np.ceil((hi - lo) / self.empty_cell_size).astype(int), 1)
        cell = np.minimum(((background - lo) / self.empty_cell_size).astype(int), shape - 1)
        occupied = np.zeros(shape, dtype=bool)
        occupied[cell[:, 0], cell[:, 1]] = True
        empty = np.argwhere(~occupied)
        n_clusters = min(randint(rng, self.cluster_count_range), len(empty))
        chosen = empty[rng.choice(len(empty), n_clusters, replace=False)]
        centres = lo + (chosen + 0.5) * self.empty_cell_size
        points = drawn_clusters(self.population, n_clusters, self.cluster_sampling_range, rng)
        return assemble(points, centres, background, self.connectivity_radius)


@dataclasses.dataclass
class CroppedBuilder:
    """GraphBlinkingCroppedDataset (scenario 9): a 0.4 × 0.4 crop of a real background, resampled
    with replacement (so repeated points occur, as in the authors' data) and flipped, with clusters
    at uniform centres in [0.05, 0.4]²."""

    clusters: list[np.ndarray]
    backgrounds: list[np.ndarray]
    connectivity_radius: float
    cluster_count_range: tuple
    cluster_sampling_range: tuple
    background_Sampling_range: tuple  # [sic] the authors' key
    max_cropped_size: float

    def sample(self, rng) -> PointSample:
        full = self.backgrounds[rng.integers(len(self.backgrounds))]
        size = self.max_cropped_size
        corner = rng.uniform(0.0, 1.0 - size, 2)
        crop = full[np.all((full >= corner) & (full < corner + size), axis=1)] - corner
        background = reflect(
            subsample(crop, rng.uniform(*self.background_Sampling_range), rng, replace=True), rng
        )
        n_clusters = randint(rng, self.cluster_count_range)
        centres = rng.uniform(0.05, size, (n_clusters, 2))
        points = drawn_clusters(self.clusters, n_clusters, self.cluster_sampling_range, rng)
        return assemble(points, centres, background, self.connectivity_radius)


@dataclasses.dataclass
class AnnotatedField:
    """One annotated field in model units: its background points, bounding box and how many
    clusters it holds per unit area."""

    background: np.ndarray  # [M, 2]
    lo: np.ndarray  # [2]
    hi: np.ndarray  # [2]
    cluster_density: float  # clusters per unit²


@dataclasses.dataclass
class FieldBuilder:
    """`miro fit`'s builder, for annotated fields of any size in physical units: a window (side
    `window`, model units) of one field's own background, sub-sampled and reflected, with that
    field's clusters per area re-drawn from every annotated cluster (rotated, sub-sampled) at
    random centres. No knob depends on the data set: sizes, counts and densities come from the
    annotation itself."""

    fields: list[AnnotatedField]
    clusters: list[np.ndarray]  # centred on their own means
    connectivity_radius: float
    window: float
    cluster_sampling_range: tuple
    background_sampling_range: tuple
    cluster_count_scale: tuple

    def sample(self, rng) -> PointSample:
        field = self.fields[rng.integers(len(self.fields))]
        span = field.hi - field.lo
        side = np.minimum(span, self.window)
        corner = field.lo + rng.uniform(0.0, 1.0, 2) * (span - side)
        inside = np.all((field.background >= corner) & (field.background <= corner + side), 1)
        background = field.background[inside] - corner
        if len(background):
            background = reflect(
                subsample(background, rng.uniform(*self.background_sampling_range), rng), rng
            )
        expected = (
            field.cluster_density * float(np.prod(side)) * rng.uniform(*self.cluster_count_scale)
        )
        n_clusters = max(1, int(rng.poisson(expected)))
        centres = rng.uniform(0.0, 1.0, (n_clusters, 2)) * side
        points = drawn_clusters(self.clusters, n_clusters, self.cluster_sampling_range, rng)
        return assemble(points, centres, background.reshape(-1, 2), self.connectivity_radius)


BUILDERS = {
    "GraphDataset": ClusterBuilder,
    "GraphBlinkingDataset": BlinkingBuilder,
    "GraphBlinkingCroppedDataset": CroppedBuilder,
}


def make_builder(name: str, clusters, backgrounds, connectivity_radius: float, **kwargs):
    """Builder by the authors' class name; `kwargs` are their builder_kwargs (dataset_size ignored)."""
    cls = BUILDERS[name]
    kwargs = {
        k: (tuple(v) if isinstance(v, list) else v)
        for k, v in kwargs.items()
        if k not in ("dataset_size", "connectivity_radius")
    }
    if cls is ClusterBuilder:
        return cls(clusters=clusters, connectivity_radius=connectivity_radius, **kwargs)
    return cls(
        clusters=clusters,
        backgrounds=backgrounds,
        connectivity_radius=connectivity_radius,
        **kwargs,
    )
