"""Simulated SMLM fields of view with ground truth (coordinates in nm, labels 0 = background).

Every function takes a seeded `numpy.random.Generator`, so a simulation is reproducible. Shape
mixtures also return a class per localization (0 = background, 1.. = shape kind); two-level
structures (multiscale rings, NPC-like) return labels at both levels.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import scipy.spatial


@dataclasses.dataclass
class Field:
    """A simulated FOV: xy [N, 2] nm, labels [N] (0 = background), optional classes/sub-labels."""

    xy: np.ndarray
    labels: np.ndarray
    classes: np.ndarray | None = None  # per localization, 0 = background
    sublabels: np.ndarray | None = None  # finer level (corners), 0 = background
    fov_nm: tuple[float, float] = (2000.0, 2000.0)


def uniform_background(rng: np.random.Generator, count: int, fov_nm: float) -> np.ndarray:
    return rng.uniform(0.0, fov_nm, (count, 2))


def _background_count(n_clustered: int, background_fraction: float) -> int:
    """Background size making `background_fraction` of ALL localizations background."""
    return int(round(n_clustered * background_fraction / (1.0 - background_fraction)))


def gaussian_clusters(
    rng: np.random.Generator,
    fov_nm: float = 2000.0,
    num_clusters: int = 20,
    points_per_cluster: int | Sequence[int] = 15,
    cluster_std_nm: float | Sequence[float] = 25.0,
    clustered_fraction: float = 0.5,
    margin_nm: float = 100.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Benchmark-like scenario: Gaussian clusters plus uniform background.

    `points_per_cluster` and `cluster_std_nm` are one value for all or one per cluster (scenario 8:
    10 × 5 + 10 × 15). The background count makes `clustered_fraction` of all points clustered.
    Returns (xy [N, 2] nm, labels [N]).
    """
    sizes = np.broadcast_to(np.asarray(points_per_cluster, dtype=int), (num_clusters,))
    stds = np.broadcast_to(np.asarray(cluster_std_nm, dtype=float), (num_clusters,))
    centres = rng.uniform(margin_nm, fov_nm - margin_nm, (num_clusters, 2))
    xy = [c + rng.normal(0.0, s, (n, 2)) for c, n, s in zip(centres, sizes, stds)]
    labels = [np.full(n, i + 1) for i, n in enumerate(sizes)]
    n_background = _background_count(int(sizes.sum()), 1.0 - clustered_fraction)
    xy.append(uniform_background(rng, n_background, fov_nm))
    labels.append(np.zeros(n_background, dtype=np.int64))
    return np.concatenate(xy), np.concatenate(labels).astype(np.int64)


def blink(
    rng: np.random.Generator,
    xy: np.ndarray,
    labels: np.ndarray,
    mean_localizations: float = 4.0,
    precision_nm: float = 12.0,
    *extra: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Multiple blinking: each molecule gives 1 + Poisson(mean − 1) localizations, normally
    distributed around it with the localization precision as std. Extra per-molecule arrays
    (classes, sub-labels) are repeated alongside."""
    counts = 1 + rng.poisson(mean_localizations - 1.0, len(xy))
    rep = np.repeat(np.arange(len(xy)), counts)
    out = (xy[rep] + rng.normal(0.0, precision_nm, (len(rep), 2)), labels[rep])
    return out + tuple(a[rep] for a in extra)


# Benchmark scenarios (Nieves et al. 2023): cluster counts/sizes from ../shared/data/README.md,
# widths measured on the training FOVs (per-axis std: 24–25 nm typical, 15 nm in scenario 3;
# scenario 6 ellipses σ 77.5 × 14.1 nm). Blinking sets: clusters hold ≈ 4× the molecules'
# localizations and are ≈ 11–14 nm wider (so 4 localizations per molecule, 12 nm precision).
BENCHMARK_SCENARIOS = {
    2: dict(sizes=[15] * 20, stds=[24.5] * 20, clustered=0.5),
    3: dict(sizes=[15] * 20, stds=[15.0] * 20, clustered=0.2),
    4: dict(sizes=[5] * 20, stds=[24.0] * 20, clustered=0.25),
    5: dict(sizes=[15] * 100, stds=[24.5] * 100, clustered=0.5),
    6: dict(sizes=[50] * 20, stds=[(77.5, 14.1)] * 20, clustered=0.5),
    7: dict(sizes=[15] * 20, stds=[25.0] * 10 + [75.0] * 10, clustered=0.5),
    8: dict(sizes=[5] * 10 + [15] * 10, stds=[23.0] * 10 + [25.0] * 10, clustered=0.5),
    9: dict(sizes=[15] * 10 + [135] * 10, stds=[25.0] * 10 + [75.0] * 10, clustered=0.5),
    10: dict(sizes=[15] * 20, stds=[25.0] * 20, clustered=0.5, ramp=True),
}


def benchmark_scenario(
    rng: np.random.Generator, scenario: int, blinking: bool = False, fov_nm: float = 2000.0
) -> Field:
    """A Nieves-benchmark-like FOV of scenario 2–10 (scenario 10: background rising in x)."""
    spec = BENCHMARK_SCENARIOS[scenario]
    xy, labels = [], []
    for i, (n, std) in enumerate(zip(spec["sizes"], spec["stds"])):
        centre = rng.uniform(100.0, fov_nm - 100.0, 2)
        sx, sy = std if isinstance(std, tuple) else (std, std)
        pts = rng.normal(0.0, 1.0, (n, 2)) * [sx, sy]
        angle = rng.uniform(0, np.pi)
        c, s = np.cos(angle), np.sin(angle)
        xy.append(centre + pts @ np.array([[c, s], [-s, c]]))
        labels.append(np.full(n, i + 1))
    n_bg = _background_count(sum(spec["sizes"]), 1.0 - spec["clustered"])
    if spec.get("ramp"):  # density ∝ x: inverse CDF of a linear ramp
        bg = np.stack([fov_nm * np.sqrt(rng.random(n_bg)), rng.uniform(0, fov_nm, n_bg)], 1)
    else:
        bg = uniform_background(rng, n_bg, fov_nm)
    xy, labels = np.concatenate(xy + [bg]), np.concatenate(labels + [np.zeros(n_bg, int)])
    if blinking:
        xy, labels = blink(rng, xy, labels)
    return Field(xy, labels.astype(np.int64), fov_nm=(fov_nm, fov_nm))


def _arc(rng, n, radius, radial_std, start, span):
    angle = rng.uniform(start, start + span, n)
    r = rng.normal(radius, radial_std, n)
    return np.stack([r * np.cos(angle), r * np.sin(angle)], 1)


def _place(
    rng, shapes: list[np.ndarray], fov_nm: float, margin: float, min_separation_nm: float = 0.0
):
    """Each shape at a uniform random centre; with `min_separation_nm`, centres drawn again until
    they are that far from every earlier one (random sequential placement)."""
    if min_separation_nm <= 0:
        return [s + rng.uniform(margin, fov_nm - margin, 2) for s in shapes]
    centres = np.zeros((0, 2))
    for _ in shapes:
        tries = rng.uniform(margin, fov_nm - margin, (10_000, 2))
        gaps = scipy.spatial.distance.cdist(tries, centres).min(axis=1, initial=np.inf)
        free = np.flatnonzero(gaps >= min_separation_nm)
        if not len(free):
            raise ValueError(
                f"{len(shapes)} shapes do not fit {min_separation_nm:g} nm apart in a "
                f"{fov_nm:g} nm field: lower the shape count or the separation"
            )
        centres = np.vstack([centres, tries[free[0]]])
    return [s + c for s, c in zip(shapes, centres)]


def _assemble(rng, shapes, classes, fov_nm, background_fraction) -> Field:
    n_bg = _background_count(sum(len(s) for s in shapes), background_fraction)
    xy = np.concatenate(shapes + [uniform_background(rng, n_bg, fov_nm)])
    labels = np.concatenate(
        [np.full(len(s), i + 1) for i, s in enumerate(shapes)] + [np.zeros(n_bg, int)]
    )
    cls = np.concatenate(
        [np.full(len(s), c) for s, c in zip(shapes, classes)] + [np.zeros(n_bg, int)]
    )
    return Field(xy, labels.astype(np.int64), cls.astype(np.int64), fov_nm=(fov_nm, fov_nm))


def _arcs_field(
    rng,
    *,
    span: float,
    clusters,
    points,
    background_fraction: float,
    fov_nm: float = 6400.0,
    radius_nm: float = 250.0,
    radial_std_nm: float = 50.0,
    min_separation_nm: float = 0.0,
) -> Field:
    """Arcs of `span` radians (a random orientation when less than a full circle) at random
    places (centres at least `min_separation_nm` apart), one cluster each, plus uniform
    background."""
    k = int(rng.integers(clusters[0], clusters[1] + 1))
    shapes = []
    for _ in range(k):
        n = int(rng.integers(points[0], points[1] + 1))
        start = rng.uniform(0, 2 * np.pi) if span < 2 * np.pi else 0.0
        shapes.append(_arc(rng, n, radius_nm, radial_std_nm, start, span))
    return _assemble(
        rng,
        _place(rng, shapes, fov_nm, radius_nm + 100, min_separation_nm),
        [1] * k,
        fov_nm,
        background_fraction,
    )


# Table 1's arc shapes: radius 250 nm, 50 nm radial std; what differs between them
ARC_SHAPES = {
    "c_shapes": dict(span=np.pi, clusters=(30, 60), points=(30, 60), background_fraction=0.06),
    "rings": dict(span=2 * np.pi, clusters=(60, 70), points=(60, 80), background_fraction=0.07),
}


def c_shapes(rng, **kwargs) -> Field:
    """Semicircles (C shapes) at random orientations (Table 1); keywords override ARC_SHAPES'."""
    return _arcs_field(rng, **{**ARC_SHAPES["c_shapes"], **kwargs})


def rings(rng, **kwargs) -> Field:
    """Full rings (Table 1); keywords override ARC_SHAPES'."""
    return _arcs_field(rng, **{**ARC_SHAPES["rings"], **kwargs})


SHAPE_MAKERS: dict[str, Callable] = {
    "spot": lambda rng, n: rng.normal(0.0, 50.0, (n, 2)),
    "ellipse": lambda rng, n: rng.normal(0.0, 1.0, (n, 2)) * [150.0, 40.0],
    "ring": lambda rng, n: _arc(rng, n, 250.0, 50.0, 0.0, 2 * np.pi),
    "c_shape": lambda rng, n: _arc(rng, n, 250.0, 50.0, rng.uniform(0, 2 * np.pi), np.pi),
}


def shape_mixture(
    rng,
    kinds: Sequence[str] = ("spot", "ellipse"),
    fov_nm=6400.0,
    clusters=(40, 60),
    points=(40, 80),
    background_fraction=0.06,
    min_separation_nm: float = 0.0,
) -> Field:
    """Clusters of several shapes for classification (overlaps allowed unless their centres must
    be `min_separation_nm` apart); class i+1 = kinds[i].

    spot: Gaussian σ 50 nm; ellipse: σ 150 × 40 nm; ring / c_shape: radius 250 nm, 50 nm std.
    Each shape is randomly rotated.
    """
    k = int(rng.integers(clusters[0], clusters[1] + 1))
    kind_index = rng.integers(0, len(kinds), k)
    shapes = []
    for i in kind_index:
        pts = SHAPE_MAKERS[kinds[i]](rng, int(rng.integers(points[0], points[1] + 1)))
        a = rng.uniform(0, 2 * np.pi)
        shapes.append(pts @ np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]]))
    return _assemble(
        rng,
        _place(rng, shapes, fov_nm, 350.0, min_separation_nm),
        list(kind_index + 1),
        fov_nm,
        background_fraction,
    )


def _two_level_field(
    rng, xy: list, top: list, sub: list, fov_nm: float, background_fraction: float
) -> Field:
    """Structures (per-group arrays with structure and sub-structure ids) + uniform background."""
    n_bg = _background_count(sum(len(p) for p in xy), background_fraction)
    return Field(
        np.concatenate(xy + [uniform_background(rng, n_bg, fov_nm)]),
        np.concatenate(top + [np.zeros(n_bg, int)]).astype(np.int64),
        sublabels=np.concatenate(sub + [np.zeros(n_bg, int)]).astype(np.int64),
        fov_nm=(fov_nm, fov_nm),
    )


def multiscale_rings(
    rng,
    fov_nm=1250.0,
    rings_range=(40, 60),
    radius_nm=40.0,
    folds=(5, 9),
    corner_std_nm=15.0,
    corner_points=(6, 30),
    background_fraction=0.015,
) -> Field:
    """Rings of radius 40 nm with 5–9-fold symmetry, each corner a Gaussian spot (std 15 nm) of
    6–30 localizations. labels = ring id, sublabels = corner id (unique in the FOV)."""
    k = int(rng.integers(rings_range[0], rings_range[1] + 1))
    xy, ring, corner = [], [], []
    corner_id = 0
    for r in range(k):
        centre = rng.uniform(radius_nm + 50, fov_nm - radius_nm - 50, 2)
        m = int(rng.integers(folds[0], folds[1] + 1))
        phase = rng.uniform(0, 2 * np.pi)
        for j in range(m):
            corner_id += 1
            a = phase + 2 * np.pi * j / m
            n = int(rng.integers(corner_points[0], corner_points[1] + 1))
            xy.append(
                centre
                + radius_nm * np.array([np.cos(a), np.sin(a)])
                + rng.normal(0, corner_std_nm, (n, 2))
            )
            ring.append(np.full(n, r + 1))
            corner.append(np.full(n, corner_id))
    return _two_level_field(rng, xy, ring, corner, fov_nm, background_fraction)


def _triangle_perimeter_distance(angles: np.ndarray, height: float) -> np.ndarray:
    """Distance from the centroid of an isosceles triangle (apex at +x, base ⟂ x, base width =
    height) to its perimeter along each direction."""
    apex = np.array([2 * height / 3, 0.0])
    b1, b2 = np.array([-height / 3, height / 2]), np.array([-height / 3, -height / 2])
    dirs = np.stack([np.cos(angles), np.sin(angles)], 1)
    best = np.full(len(angles), np.inf)
    for p, q in ((apex, b1), (b1, b2), (b2, apex)):
        e = q - p
        den = dirs[:, 0] * (-e[1]) - dirs[:, 1] * (-e[0])
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (p[0] * (-e[1]) - p[1] * (-e[0])) / den
            s = (dirs[:, 0] * p[1] - dirs[:, 1] * p[0]) / den
        ok = (t > 0) & (s >= 0) & (s <= 1)
        best = np.where(ok & (t < best), t, best)
    return best


def npc_like(
    rng,
    fov_nm=1250.0,
    structures=(5, 9),
    corners=8,
    corner_radius_nm=50.0,
    points=(0, 80),
    background_fraction=0.03,
) -> Field:
    """NPC-like: 8 corners around a common centre; each corner an isosceles triangle of height
    h = 2r (r = 50 nm, the centroid's distance from the centre) pointing at the centre;
    localizations normal around the triangle centroid with, per direction, std = centroid-to-
    perimeter distance / 1.8. labels = structure, sublabels = corner."""
    k = int(rng.integers(structures[0], structures[1] + 1))
    height = 2 * corner_radius_nm
    xy, struct, corner = [], [], []
    cid = 0
    for s in range(k):
        centre = rng.uniform(150, fov_nm - 150, 2)
        phase = rng.uniform(0, 2 * np.pi)
        for j in range(corners):
            cid += 1
            a = phase + 2 * np.pi * j / corners
            n = int(rng.integers(points[0], points[1] + 1))
            local = rng.uniform(0, 2 * np.pi, n)  # direction in the triangle's frame (apex = +x)
            std = _triangle_perimeter_distance(local, height) / 1.8
            r = np.abs(rng.normal(0, 1, n)) * std
            pts = np.stack([r * np.cos(local), r * np.sin(local)], 1)
            # apex points at the structure centre: rotate the frame by a + π
            rot = a + np.pi
            pts = pts @ np.array([[np.cos(rot), np.sin(rot)], [-np.sin(rot), np.cos(rot)]])
            xy.append(centre + corner_radius_nm * np.array([np.cos(a), np.sin(a)]) + pts)
            struct.append(np.full(n, s + 1))
            corner.append(np.full(n, cid))
    return _two_level_field(rng, xy, struct, corner, fov_nm, background_fraction)


def adjacent_pairs_field(
    rng,
    fov_nm=2000.0,
    pairs=(4, 8),
    distance_sigmas=(1.0, 5.0),
    sigma_nm=25.0,
    mean_points=90.0,
    background_fraction=0.03,
) -> Field:
    """Training field for the adjacent-cluster study: several pairs of Gaussian clusters (std σ,
    sizes geometric with mean 90), each pair d ~ U(distance_sigmas)·σ apart at a random angle,
    pairs in distinct cells of a 500 nm grid so that only the two of a pair touch."""
    cells = int(fov_nm // 500)
    chosen = rng.choice(
        cells * cells,
        size=min(int(rng.integers(pairs[0], pairs[1] + 1)), cells * cells),
        replace=False,
    )
    shapes = []
    for c in chosen:
        centre = (np.array([c % cells, c // cells]) + 0.5) * (fov_nm / cells)
        angle = rng.uniform(0, np.pi)
        half = (
            rng.uniform(*distance_sigmas) * sigma_nm / 2 * np.array([np.cos(angle), np.sin(angle)])
        )
        for sign in (-1, 1):
            n = rng.geometric(1.0 / mean_points)
            shapes.append(centre + sign * half + rng.normal(0, sigma_nm, (n, 2)))
    return _assemble(rng, shapes, [1] * len(shapes), fov_nm, background_fraction)


def integrin_like(
    rng,
    fov_nm=10000.0,
    num_clusters=400,
    std_range_nm=(25.0, 40.0),
    mean_points=25.0,
    background_fraction=0.04,
) -> Field:
    """Gaussian clusters of std 25–40 nm, sizes geometric with mean 25, 4 % background."""
    stds = rng.uniform(*std_range_nm, num_clusters)
    sizes = rng.geometric(1.0 / mean_points, num_clusters)
    centres = rng.uniform(100, fov_nm - 100, (num_clusters, 2))
    shapes = [c + rng.normal(0, s, (n, 2)) for c, s, n in zip(centres, stds, sizes)]
    return _assemble(rng, shapes, [1] * num_clusters, fov_nm, background_fraction)


def spec_field(
    rng,
    *,
    fov_nm: float,
    shape: str,
    cluster_radius_nm: float,
    localizations_per_cluster: float,
    blinking_repeats: float,
    blinking_spread_nm: float,
    cluster_density_per_um2: float,
    background_density_per_um2: float,
) -> Field:
    """A field described by a user's spec (`miro simulate`, `miro fit --simulate`; the defaults
    are config.fit.spec's, read by fit.read_spec): Poisson many
    clusters per µm² at uniform centres, molecules Gaussian of std `cluster_radius_nm` ('spot') or
    on a circle of that radius ('ring'), uniform background localizations per µm²; every molecule
    blinks 1 + Poisson(repeats − 1) times with the spread as localization precision."""
    area_um2 = (fov_nm / 1000.0) ** 2
    n_clusters = int(rng.poisson(cluster_density_per_um2 * area_um2))
    molecules = localizations_per_cluster / blinking_repeats
    shapes = []
    for _ in range(n_clusters):
        n = max(1, int(rng.poisson(molecules)))
        if shape == "ring":
            pts = _arc(rng, n, cluster_radius_nm, 0.1 * cluster_radius_nm, 0.0, 2 * np.pi)
        else:
            pts = rng.normal(0.0, cluster_radius_nm, (n, 2))
        shapes.append(pts + rng.uniform(0.0, fov_nm, 2))
    n_bg = int(rng.poisson(background_density_per_um2 * area_um2 / blinking_repeats))
    xy = np.concatenate(shapes + [uniform_background(rng, n_bg, fov_nm)]).reshape(-1, 2)
    labels = np.concatenate(
        [np.full(len(p), i + 1) for i, p in enumerate(shapes)] + [np.zeros(n_bg, int)]
    ).astype(np.int64)
    xy, labels = blink(rng, xy, labels, blinking_repeats, blinking_spread_nm)
    return Field(xy, labels, fov_nm=(fov_nm, fov_nm))


def tile_fields(make: Callable[[np.random.Generator], Field], rng, min_points: int) -> Field:
    """Dense field: independent FOVs from `make` laid side by side on a square grid until it holds
    at least `min_points` localizations; labels stay unique."""
    first = make(rng)
    per = max(len(first.xy), 1)
    side = int(np.ceil(np.sqrt(np.ceil(min_points / per))))
    fields = [first] + [make(rng) for _ in range(side * side - 1)]
    w, h = first.fov_nm
    xy, labels, subs = [], [], []
    offset = sub_offset = 0
    for i, f in enumerate(fields):
        xy.append(f.xy + [w * (i % side), h * (i // side)])
        labels.append(np.where(f.labels > 0, f.labels + offset, 0))
        offset += int(f.labels.max())
        if f.sublabels is not None:
            subs.append(np.where(f.sublabels > 0, f.sublabels + sub_offset, 0))
            sub_offset += int(f.sublabels.max())
    return Field(
        np.concatenate(xy),
        np.concatenate(labels),
        sublabels=np.concatenate(subs) if subs else None,
        fov_nm=(w * side, h * side),
    )


def write_benchmark_csv(path, xy: np.ndarray, labels: np.ndarray) -> None:
    """The benchmark's CSV layout: x, y (nm), index (0 = background)."""
    pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "index": labels}).to_csv(path, index=False)
