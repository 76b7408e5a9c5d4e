"""MIRO + DBSCAN vs DBSCAN alone on the 15 real FGFR1 dSTORM cells (no ground truth).

  python experiments/fgfr1_cells.py [--model authors:scenario_2_blinking | --model MODEL_DIR]

Each cell is a ≈2 × 2 µm region with multiple blinking, like the scenario_2_blinking FOVs
(≈2,400 localizations of ≈15-molecule nanoclusters), so the default model is that set's
(the authors' weights in our model) with its paper DBSCAN parameters; the FOV is scaled to
[0, 1] as the model was trained. Writes experiments/results/fgfr1_cells.md and a picture.
"""

import argparse
import datetime
import platform
import sys
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from configs import benchmark  # noqa: E402
from miro_jax import (  # noqa: E402
    cluster,
    cluster_stats,
    inference,
    localizations,
    model_store,
    plotting,
    reference_weights,
)

CELLS = REPO.parent / "shared" / "data" / "fgfr1_mcf7"


def summarize(xy, labels):
    stats = cluster_stats.cluster_table(xy, labels)
    if len(stats) == 0:
        return dict(clusters=0, median_locs=np.nan, median_rg=np.nan, median_nn=np.nan, frac=0.0)
    return dict(clusters=len(stats), median_locs=stats["localizations"].median(),
                median_rg=stats["radius_of_gyration [nm]"].median(),
                median_nn=stats.get("nn_centroid_distance [nm]", pd.Series([np.nan])).median(),
                frac=float((labels > 0).mean()))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="authors:scenario_2_blinking")
    p.add_argument("--picture-cell", default="fov_01")
    args = p.parse_args()
    if args.model.startswith("authors:"):
        name = args.model.split(":", 1)[1]
        config = benchmark.get_config(name)
        params, config = model_store.load_model(
            reference_weights.weights_path(name), config)
    else:
        params, config = model_store.load_model(args.model)
    ev = config.evals
    rows = []
    for path in sorted(CELLS.glob("fov_*.csv")):
        loc = localizations.read_localizations(path)
        res = inference.predict(loc.xy_nm, params, config, scaling="fov",
                                              duplicates="jitter")
        miro = cluster.dbscan_labels(res.squeezed_nm, ev.miro_eps, ev.miro_min_samples)
        raw = cluster.dbscan_labels(loc.xy_nm, ev.dbscan_eps, ev.dbscan_min_samples)
        a, b = summarize(loc.xy_nm, miro), summarize(loc.xy_nm, raw)
        rows.append({"cell": path.stem, "localizations": len(loc.xy_nm),
                     **{f"MIRO {k}": v for k, v in a.items()}, **{f"DBSCAN {k}": v for k, v in b.items()}})
        if path.stem == args.picture_cell:
            png = REPO / "experiments" / "results" / f"fgfr1_{path.stem}.png"
            plotting.plot_clustering(png, loc.xy_nm, res.squeezed_nm, miro,
                                     title=f"FGFR1 {path.stem}: MIRO + DBSCAN ({miro.max()} clusters)")
            plotting.plot_clustering(png.with_name(f"fgfr1_{path.stem}_dbscan.png"), loc.xy_nm,
                                     loc.xy_nm, raw, title=f"FGFR1 {path.stem}: DBSCAN alone")
        print(rows[-1], flush=True)
    frame = pd.DataFrame(rows)
    cols = ["clusters", "median_locs", "median_rg", "median_nn", "frac"]
    lines = ["# FGFR1 dSTORM cells (MCF7, AF647): MIRO + DBSCAN vs DBSCAN alone", "",
             f"Command: `python experiments/fgfr1_cells.py --model {args.model}`  ",
             f"Machine: {platform.machine()}, 2 cores, CPU; date {datetime.date.today()}  ",
             f"MIRO + DBSCAN: eps {ev.miro_eps} nm, minPts {ev.miro_min_samples} (FOV scaled to [0,1]);"
             f" DBSCAN alone: eps {ev.dbscan_eps} nm, minPts {ev.dbscan_min_samples}. "
             "rg = radius of gyration; nn = nearest-neighbour centroid distance; frac = fraction "
             "of localizations clustered.", "",
             "| cell | locs | " + " | ".join(f"MIRO {c}" for c in cols) + " | "
             + " | ".join(f"DBSCAN {c}" for c in cols) + " |",
             "|---" * (2 + 2 * len(cols)) + "|"]
    for _, r in frame.iterrows():
        cells = [f"{r[f'MIRO {c}']:.3g}" for c in cols] + [f"{r[f'DBSCAN {c}']:.3g}" for c in cols]
        lines.append(f"| {r['cell']} | {r['localizations']} | " + " | ".join(cells) + " |")
    med = frame.median(numeric_only=True)
    lines.append("| **median** | " + f"{med['localizations']:.0f} | "
                 + " | ".join(f"{med[f'MIRO {c}']:.3g}" for c in cols) + " | "
                 + " | ".join(f"{med[f'DBSCAN {c}']:.3g}" for c in cols) + " |")
    out = REPO / "experiments" / "results" / "fgfr1_cells.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
