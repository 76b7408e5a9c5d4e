"""MIRO + DBSCAN vs DBSCAN alone on the 15 real FGFR1 dSTORM cells (no ground truth), with the
batch command a lab would run.

  python -m experiments.fgfr1_cells --models scenario_2_blinking scenario_8_blinking \
      --fit-spec experiments/specs/fgfr1_like.yaml [--out-dir DIR]

Per model, each in one process over the folder of cells:
  miro cluster ../shared/data/fgfr1_mcf7/ --model M [--scaling fov] --duplicates jitter --out-dir D/M/miro
  miro cluster ../shared/data/fgfr1_mcf7/ --method dbscan --model M … --out-dir D/M/dbscan
(each cell is a ≈2 × 2 µm region with multiple blinking; bundled benchmark models see it scaled
to [0, 1] as in their training). --fit-spec first fits a model on simulated fields of a spec
(`miro fit --simulate`). Writes experiments/results/fgfr1_cells.md and each model's fov_01
picture beside it.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from experiments import report
from miro_jax import model_store

CELLS = report.REPO.parent / "shared" / "data" / "fgfr1_mcf7"
COLUMNS = {
    "clusters": "clusters",
    "median localizations per cluster": "median locs",
    "median radius of gyration [nm]": "median rg nm",
    "median nn centroid distance [nm]": "median nn nm",
    "fraction clustered": "frac",
    "clusters per um^2": "per µm²",
}


def run(args: list[str]) -> float:
    t0 = time.time()
    subprocess.run(
        [sys.executable, "-m", "miro_jax.cli", *args],
        check=True,
        env=dict(os.environ, PYTHONPATH=str(report.REPO)),
    )
    return time.time() - t0


def model_commands(model: str, out: Path) -> dict:
    """The batch commands for one model: MIRO + DBSCAN and DBSCAN alone with its parameters.
    Bundled benchmark models see each ≈2 µm cell scaled to [0, 1] as in their training; fitted
    models (physical units) the cell as it is."""
    scaling = ["--scaling", "fov"] if model in model_store.bundled_models() else []
    common = [str(CELLS), "--model", model, *scaling, "--duplicates", "jitter", "--quiet"]
    tag = Path(model).name
    return {
        "miro": ["cluster", *common, "--out-dir", str(out / tag / "miro")],
        "dbscan": [
            "cluster",
            *common,
            "--method",
            "dbscan",
            "--out-dir",
            str(out / tag / "dbscan"),
        ],
    }


def model_section(model: str, out: Path, wall: dict) -> list[str]:
    """One model's per-cell table (MIRO + DBSCAN beside DBSCAN alone) and its commands."""
    tag = Path(model).name
    miro, dbscan = (pd.read_csv(out / tag / k / "summary.csv") for k in ("miro", "dbscan"))
    lines = [
        f"## {tag}",
        "",
        *[
            f"`miro {' '.join(c).replace(str(CELLS), '../shared/data/fgfr1_mcf7/')}`  ".replace(
                str(out), "OUT"
            )
            for c in model_commands(model, out).values()
        ],
        f"MIRO + DBSCAN {wall['miro']:.0f} s for the 15 cells ({miro['seconds'].median():.2f}"
        f" s per cell, median), DBSCAN alone {wall['dbscan']:.0f} s. MIRO + DBSCAN: "
        f"{miro['parameters'][0]} on squeezed coordinates; DBSCAN alone: "
        f"{dbscan['parameters'][0]}.",
        "",
    ]
    header = (
        ["cell", "locs"]
        + [f"MIRO {c}" for c in COLUMNS.values()]
        + [f"DBSCAN {c}" for c in COLUMNS.values()]
    )
    lines += ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
    for (_, a), (_, b) in zip(miro.iterrows(), dbscan.iterrows()):
        cells = [f"{a[c]:.3g}" for c in COLUMNS] + [f"{b[c]:.3g}" for c in COLUMNS]
        lines.append(f"| {a['file']} | {a['localizations']} | " + " | ".join(cells) + " |")
    lines.append(
        f"| **median** | {miro['localizations'].median():.0f} | "
        + " | ".join(f"{miro[c].median():.3g}" for c in COLUMNS)
        + " | "
        + " | ".join(f"{dbscan[c].median():.3g}" for c in COLUMNS)
        + " |"
    )
    shutil.copy(out / tag / "miro" / "fov_01_miro.png", report.path(f"fgfr1_fov_01_{tag}.png"))
    return lines + [""]


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--models", nargs="+", default=["scenario_2_blinking"])
    p.add_argument(
        "--fit-spec",
        help="also fit a model on this simulation spec first "
        "(miro fit --simulate SPEC) and add it to --models",
    )
    p.add_argument("--out-dir", default=None)
    args = p.parse_args()
    out = Path(args.out_dir or tempfile.mkdtemp())
    models, fit_note = list(args.models), ""
    if args.fit_spec:
        spec_model = out / Path(args.fit_spec).stem
        if not (spec_model / "model_card.json").exists():
            run(["fit", "--simulate", args.fit_spec, "--out", str(spec_model), "--quiet"])
        card = json.loads((spec_model / "model_card.json").read_text())
        fit_note = (
            f"`miro fit --simulate {args.fit_spec} --out {spec_model.name}`: "
            f"{card['training']['minutes']} min of training ({card['training']['steps']} steps, "
            f"warm start from {card['warm start from']})."
        )
        models.append(str(spec_model))
    walls = {m: {k: run(c) for k, c in model_commands(m, out).items()} for m in models}
    lines = report.header(
        "FGFR1 dSTORM cells (MCF7, AF647): MIRO + DBSCAN vs DBSCAN alone, per model",
        f"python -m experiments.fgfr1_cells --models {' '.join(args.models)}"
        f"{' --fit-spec ' + args.fit_spec if args.fit_spec else ''}",
        "It runs the batch commands below (each one process over the 15 cells). " + fit_note,
        "rg = radius of gyration; nn = nearest-neighbour centroid distance; frac = fraction "
        "of localizations clustered; per µm² = clusters per µm² of the cell's hull. "
        "Pictures: `fgfr1_fov_01_<model>.png` (rendered localizations with cluster outlines "
        "and ids, and the squeezed rendering).",
    )
    for model in models:
        lines += model_section(model, out, walls[model])
    shutil.copy(
        out / Path(models[0]).name / "miro" / "overview.png", report.path("fgfr1_overview.png")
    )
    report.write("fgfr1_cells.md", lines)


if __name__ == "__main__":
    main()
