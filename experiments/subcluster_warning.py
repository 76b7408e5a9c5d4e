"""Does `miro cluster`'s wrong-kind warning for two-level models separate their own kind of field
from real cells of another kind? (issue #21's two-level models on FGFR1 nanoclusters)

  python -m experiments.subcluster_warning [--models npc_like multiscale_rings]

Per bundled two-level model, as a lab runs it: its 20 simulated dev fields written as CSV, and the
15 FGFR1 dSTORM cells, each folder through `miro cluster FOLDER --model M --duplicates jitter`.
From each output the fraction of subclusters lying mostly inside a cluster
(cluster.subcluster_owners on the written `cluster` / `subcluster` columns) and whether the
warning was printed. Writes experiments/results/subcluster_warning.md.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from experiments import report
from experiments.fgfr1_cells import CELLS
from miro_jax import cluster, fit, input_pipeline, model_store


def write_dev_fields(model: str, folder: Path) -> None:
    """The model's simulated dev fields as CSVs (x, y in nm; index = ground-truth structure)."""
    _, config = model_store.load_model(model)
    folder.mkdir(parents=True)
    for item in input_pipeline.eval_fovs(config, "dev"):
        xy, labels = item.fov.xy_nm, item.fov.labels
        pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "index": labels}).to_csv(
            folder / f"{item.fov.name}.csv", index=False
        )


def cluster_folder(model: str, folder: Path, out: Path) -> tuple[pd.DataFrame, float]:
    """`miro cluster` on a folder: per file the fraction of subclusters inside a cluster and
    whether the warning was printed; and the wall seconds."""
    t0 = time.time()
    printed = subprocess.run(
        [sys.executable, "-m", "miro_jax.cli", "cluster", str(folder), "--model", model,
         "--duplicates", "jitter", "--out-dir", str(out)],
        check=True, capture_output=True, text=True, cwd=report.REPO,
    ).stdout  # fmt: skip
    seconds = time.time() - t0
    rows = []
    for source in sorted(folder.glob("*.csv")):
        written = pd.read_csv(out / f"{source.stem}_miro.csv")
        _, owner = cluster.subcluster_owners(written["cluster"], written["subcluster"])
        rows.append(
            {
                "file": source.stem,
                "subclusters": len(owner),
                "inside": float(np.mean(owner > 0)) if len(owner) else float("nan"),
                "warned": f"miro: warning: {source.name}: only" in printed,
            }
        )
    return pd.DataFrame(rows), seconds


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", nargs="+", default=["npc_like", "multiscale_rings"])
    args = p.parse_args()
    command = "python -m experiments.subcluster_warning --models " + " ".join(args.models)
    lines = report.header(
        "The two-level models' wrong-kind warning: their dev fields vs FGFR1 cells",
        command,
        f"Warning when fewer than {fit.SUBCLUSTERS_INSIDE_MIN:.0%} of the subclusters found lie "
        "mostly inside a cluster (`cli.subcluster_warnings`); each folder through `miro cluster "
        "FOLDER --model M --duplicates jitter`.",
    )
    lines += [
        "| model | data | files | subclusters per file (median) | inside a cluster (min–max) "
        "| warned | seconds |",
        "|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for model in args.models:
            write_dev_fields(model, tmp / model / "dev")
            for data, folder in (
                ("simulated dev fields", tmp / model / "dev"),
                ("FGFR1 cells", CELLS),
            ):
                table, seconds = cluster_folder(model, folder, tmp / model / f"out_{folder.name}")
                lines.append(
                    f"| {model} | {data} | {len(table)} | {table['subclusters'].median():.0f} | "
                    f"{table['inside'].min():.2f}–{table['inside'].max():.2f} | "
                    f"{int(table['warned'].sum())} of {len(table)} | {seconds:.0f} |"
                )
    report.write("subcluster_warning.md", lines)


if __name__ == "__main__":
    main()
