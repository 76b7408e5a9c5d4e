"""Pictures of a clustering for a lab meeting: rendered super-resolution images (Gaussian blobs
at localization precision, as Picasso and ThunderSTORM render) with cluster outlines and ids that
match the statistics rows, raw beside MIRO-squeezed; and a per-cell overview of a batch."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import scipy.ndimage  # noqa: E402
import scipy.spatial  # noqa: E402

from miro_jax import cluster  # noqa: E402

DEFAULT_PRECISION_NM = 10.0  # render blur when the file states no localization precision
RENDER_PIXELS = 1200  # rendered image side, pixels
PALETTE = plt.get_cmap("tab10")(np.arange(10))


def render(xy_nm: np.ndarray, extent: tuple, precision_nm: float) -> tuple[np.ndarray, float]:
    """Localizations as a 2D histogram blurred by a Gaussian of the localization precision;
    returns (image [rows, columns], pixel size nm)."""
    x0, x1, y0, y1 = extent
    pixel = max((x1 - x0) / RENDER_PIXELS, (y1 - y0) / RENDER_PIXELS, 1.0)
    bins = (max(int(np.ceil((y1 - y0) / pixel)), 1), max(int(np.ceil((x1 - x0) / pixel)), 1))
    image, _, _ = np.histogram2d(
        xy_nm[:, 1],
        xy_nm[:, 0],
        bins=bins,
        range=[[y0, y0 + bins[0] * pixel], [x0, x0 + bins[1] * pixel]],
    )
    return scipy.ndimage.gaussian_filter(image, precision_nm / pixel), pixel


def neighbour_colours(centroids: np.ndarray) -> np.ndarray:
    """A palette index per cluster such that clusters whose centroids are mutual near neighbours
    (each one's 6 nearest) never share a colour: greedy colouring of that graph, 10 colours."""
    n = len(centroids)
    colours = np.zeros(n, np.int64)
    if n < 2:
        return colours
    k = min(7, n)
    _, near = scipy.spatial.cKDTree(centroids).query(centroids, k=k)
    neighbours = [set() for _ in range(n)]
    for i, row in enumerate(near):
        for j in row[1:]:
            neighbours[i].add(int(j))
            neighbours[int(j)].add(i)
    assigned = np.zeros(n, bool)
    for i in np.argsort([-len(s) for s in neighbours], kind="stable"):
        used = {colours[j] for j in neighbours[i] if assigned[j]}
        free = [c for c in range(len(PALETTE)) if c not in used]
        colours[i] = free[0] if free else i % len(PALETTE)
        assigned[i] = True
    return colours


def _outlines(ax, xy_nm, labels, show_ids: bool) -> None:
    groups = cluster.label_groups(labels)
    if not groups:
        return
    centroids = np.array([xy_nm[idx].mean(axis=0) for _, idx in groups])
    colours = neighbour_colours(centroids)
    for (label, idx), colour, centre in zip(groups, colours, centroids):
        pts = xy_nm[idx]
        try:
            hull = scipy.spatial.ConvexHull(pts)
            ring = pts[np.append(hull.vertices, hull.vertices[0])]
            ax.plot(ring[:, 0], ring[:, 1], color=PALETTE[colour], lw=0.8)
        except (scipy.spatial.QhullError, ValueError):
            ax.plot(pts[:, 0], pts[:, 1], "o", color=PALETTE[colour], ms=2)
        if show_ids:  # the id beside the outline's top, as in the statistics table
            ax.text(
                centre[0],
                pts[:, 1].max(),
                str(label),
                color="white",
                fontsize=7,
                ha="center",
                va="bottom",
                fontweight="bold",
            )


def _panel(ax, xy_nm, extent, precision, title, labels=None, show_ids=True):
    image, _ = render(xy_nm, extent, precision)
    top = np.percentile(image[image > 0], 99.5) if (image > 0).any() else 1.0
    ax.imshow(
        image, origin="lower", extent=extent, cmap="gray", vmin=0, vmax=top, interpolation="nearest"
    )
    if labels is not None:
        _outlines(ax, xy_nm, labels, show_ids)
    ax.set_title(title)
    ax.set_xlabel("x [nm]")
    ax.set_aspect("equal")


def plot_clustering(
    path,
    xy_nm: np.ndarray,
    squeezed_nm: np.ndarray | None,
    labels: np.ndarray,
    truth: np.ndarray | None = None,
    title: str = "",
    uncertainty_nm: np.ndarray | None = None,
) -> None:
    """Rendered raw localizations with cluster outlines and ids, the MIRO-squeezed rendering
    (None: a method without MIRO), and (if known) the ground truth's outlines; the whole figure
    is saved, nothing clipped."""
    precision = (
        float(np.nanmedian(uncertainty_nm)) if uncertainty_nm is not None else DEFAULT_PRECISION_NM
    )
    lo, hi = xy_nm.min(axis=0), xy_nm.max(axis=0)
    pad = 0.02 * float(np.max(hi - lo))
    extent = (lo[0] - pad, hi[0] + pad, lo[1] - pad, hi[1] + pad)
    panels = 1 + (squeezed_nm is not None) + (truth is not None)
    fig, axes = plt.subplots(
        1, panels, figsize=(5.2 * panels, 5.4), sharex=True, sharey=True, squeeze=False
    )
    axes = list(axes[0])
    show_ids = labels.max() <= 300
    _panel(
        axes[0],
        xy_nm,
        extent,
        precision,
        f"localizations + {labels.max()} clusters",
        labels,
        show_ids,
    )
    if squeezed_nm is not None:
        _panel(axes[1], squeezed_nm, extent, precision, "MIRO-squeezed")
    if truth is not None:
        _panel(
            axes[-1],
            xy_nm,
            extent,
            precision,
            f"ground truth ({len(np.unique(truth[truth > 0]))})",
            truth,
            False,
        )
    axes[0].set_ylabel("y [nm]")
    if title:
        fig.suptitle(title)
    fig.savefig(path, dpi=150, bbox_inches="tight")
    plt.close(fig)


def plot_overview(path, summary: pd.DataFrame) -> None:
    """One figure for a batch: clusters per µm² and cluster size per cell."""
    cells = summary["file"].tolist()
    fig, axes = plt.subplots(1, 2, figsize=(max(8.0, 0.45 * len(cells) + 4), 4.2))
    x = np.arange(len(cells))
    axes[0].bar(x, summary["clusters per um^2"], color=PALETTE[0])
    axes[0].set_ylabel("clusters per µm²")
    axes[1].bar(x, summary["median localizations per cluster"], color=PALETTE[1])
    axes[1].set_ylabel("median localizations per cluster")
    twin = axes[1].twinx()
    twin.plot(x, summary["median radius of gyration [nm]"], "o", color=PALETTE[3])
    twin.set_ylabel("median radius of gyration [nm]", color=PALETTE[3])
    for ax in axes:
        ax.set_xticks(x)
        ax.set_xticklabels(cells, rotation=60, ha="right", fontsize=8)
    fig.suptitle(f"{len(cells)} cells")
    fig.savefig(path, dpi=130, bbox_inches="tight")
    plt.close(fig)
