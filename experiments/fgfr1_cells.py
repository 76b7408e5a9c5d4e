"""MIRO + DBSCAN vs DBSCAN alone on the 15 real FGFR1 dSTORM cells (no ground truth), with the
batch command a lab would run.

  python experiments/fgfr1_cells.py [--model scenario_2_blinking] [--out-dir DIR]

Runs, each in one process over the folder of cells:
  miro cluster ../shared/data/fgfr1_mcf7/ --model M --scaling fov --duplicates jitter --out-dir D/miro
  miro cluster ../shared/data/fgfr1_mcf7/ --method dbscan --model M --scaling fov --out-dir D/dbscan
(each cell is a ≈2 × 2 µm region with multiple blinking like the scenario_2_blinking FOVs, so the
default model is that set's bundled one with its DBSCAN parameters, the FOV scaled to [0, 1] as
in training). Writes experiments/results/fgfr1_cells.md and copies the fov_01 pictures and the
overview beside it.
"""

import argparse
import datetime
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from miro_jax import evaluation  # noqa: E402

CELLS = REPO.parent / "shared" / "data" / "fgfr1_mcf7"
RESULTS = REPO / "experiments" / "results"
COLUMNS = {"clusters": "clusters", "median localizations per cluster": "median locs",
           "median radius of gyration [nm]": "median rg nm",
           "median nn centroid distance [nm]": "median nn nm",
           "fraction clustered": "frac", "clusters per um^2": "per µm²"}


def run(args: list[str]) -> float:
    t0 = time.time()
    subprocess.run([sys.executable, "-m", "miro_jax.cli", *args], check=True,
                   env=dict(os.environ, PYTHONPATH=str(REPO)))
    return time.time() - t0


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="scenario_2_blinking")
    p.add_argument("--out-dir", default=None)
    args = p.parse_args()
    out = Path(args.out_dir or tempfile.mkdtemp())
    common = [str(CELLS), "--model", args.model, "--scaling", "fov", "--duplicates", "jitter",
              "--quiet"]
    commands = {"miro": ["cluster", *common, "--out-dir", str(out / "miro")],
                "dbscan": ["cluster", *common, "--method", "dbscan", "--out-dir",
                           str(out / "dbscan")]}
    wall = {name: run(cmd) for name, cmd in commands.items()}
    summaries = {name: pd.read_csv(out / name / "summary.csv") for name in commands}
    miro, dbscan = summaries["miro"], summaries["dbscan"]
    lines = ["# FGFR1 dSTORM cells (MCF7, AF647): MIRO + DBSCAN vs DBSCAN alone", "",
             f"Command: `python experiments/fgfr1_cells.py --model {args.model}`, which runs  ",
             *[f"`miro {' '.join(c).replace(str(CELLS), '../shared/data/fgfr1_mcf7/')}`  "
               .replace(str(out), "OUT") for c in commands.values()],
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, CPU; date "
             f"{datetime.date.today()}  ",
             f"Each command is one process over the 15 cells: MIRO + DBSCAN {wall['miro']:.0f} s "
             f"in all ({miro['seconds'].median():.2f} s per cell to read, squeeze, cluster and "
             f"describe, median; the rest is start-up, compilation and pictures), DBSCAN alone "
             f"{wall['dbscan']:.0f} s.  ",
             f"MIRO + DBSCAN: {miro['parameters'][0]} on squeezed coordinates; DBSCAN alone: "
             f"{dbscan['parameters'][0]}. rg = radius of gyration; nn = nearest-neighbour "
             "centroid distance; frac = fraction of localizations clustered; per µm² = clusters "
             "per µm² of the cell's hull.", ""]
    header = ["cell", "locs"] + [f"MIRO {c}" for c in COLUMNS.values()] + \
             [f"DBSCAN {c}" for c in COLUMNS.values()]
    lines += ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
    for (_, a), (_, b) in zip(miro.iterrows(), dbscan.iterrows()):
        cells = [f"{a[c]:.3g}" for c in COLUMNS] + [f"{b[c]:.3g}" for c in COLUMNS]
        lines.append(f"| {a['file']} | {a['localizations']} | " + " | ".join(cells) + " |")
    lines.append(f"| **median** | {miro['localizations'].median():.0f} | "
                 + " | ".join(f"{miro[c].median():.3g}" for c in COLUMNS) + " | "
                 + " | ".join(f"{dbscan[c].median():.3g}" for c in COLUMNS) + " |")
    lines += ["", "Pictures: `fgfr1_fov_01.png` (MIRO + DBSCAN: rendered localizations with "
              "cluster outlines and ids, and the squeezed rendering), `fgfr1_fov_01_dbscan.png` "
              "(DBSCAN alone), `fgfr1_overview.png` (per cell: clusters per µm², cluster size)."]
    shutil.copy(out / "miro" / "fov_01_miro.png", RESULTS / "fgfr1_fov_01.png")
    shutil.copy(out / "dbscan" / "fov_01_dbscan.png", RESULTS / "fgfr1_fov_01_dbscan.png")
    shutil.copy(out / "miro" / "overview.png", RESULTS / "fgfr1_overview.png")
    target = RESULTS / "fgfr1_cells.md"
    evaluation.write_results_markdown(target, "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
