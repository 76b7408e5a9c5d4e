"""Pictures of a clustering: raw, squeezed, clusters (background grey) and, if known, the truth."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def _clusters(ax, xy, labels, title, size):
    bg = labels == 0
    ax.scatter(xy[bg, 0], xy[bg, 1], s=size, c="0.75", linewidths=0)
    if (~bg).any():
        rng = np.random.default_rng(0)
        colours = plt.get_cmap("tab20")(np.arange(20))
        palette = np.delete(colours, [14, 15], axis=0)[rng.permutation(18)]  # no greys
        ax.scatter(xy[~bg, 0], xy[~bg, 1], s=size, c=palette[labels[~bg] % 18], linewidths=0)
    ax.set_title(title)


def plot_clustering(path, xy_nm: np.ndarray, squeezed_nm: np.ndarray, labels: np.ndarray,
                    truth: np.ndarray | None = None, title: str = "") -> None:
    """Writes a PNG with side-by-side panels; squeezed and cluster panels share the raw axes."""
    panels = 4 if truth is not None else 3
    fig, axes = plt.subplots(1, panels, figsize=(4.2 * panels, 4.4), sharex=True, sharey=True)
    size = max(0.5, min(6.0, 3e4 / max(len(xy_nm), 1)))
    axes[0].scatter(xy_nm[:, 0], xy_nm[:, 1], s=size, c="k", linewidths=0)
    axes[0].set_title("localizations")
    axes[1].scatter(squeezed_nm[:, 0], squeezed_nm[:, 1], s=size, c="k", linewidths=0)
    axes[1].set_title("MIRO-squeezed")
    _clusters(axes[2], xy_nm, labels, f"clusters ({labels.max()})", size)
    if truth is not None:
        _clusters(axes[3], xy_nm, truth, f"ground truth ({len(np.unique(truth[truth > 0]))})", size)
    for ax in axes:
        ax.set_aspect("equal")
        ax.set_xlabel("x [nm]")
    axes[0].set_ylabel("y [nm]")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
