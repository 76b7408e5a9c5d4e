"""Simulator calibration, first pass (issue #21): DBSCAN alone on our simulated C-shapes and rings
under a grid of simulator settings, beside the paper's DBSCAN rows.

  python -m experiments.calibration [--fields 20]

Per setting: DBSCAN parameters searched (mean ARI, the capability experiments' rule) on 5
separate fields, then scored on `--fields` fresh fields. The paper's own DBSCAN parameters
(Tables S1/S2) and its simulators' Methods numbers are not in this repository, so the search
stands in for them; the table shows which settings bring DBSCAN alone near the paper's rows
(C-shapes: ARI† 0.88, JI_c 0.67; rings, REFERENCE_FACTS §10: IoU .68, ARI .33, ARI_c .34,
ARI† .69, AMI .73, JI_c .55, RMSRE_N 1.18). Writes experiments/results/calibration.md.
"""

import argparse
import itertools
import time
from types import SimpleNamespace

import numpy as np
import pandas as pd

from experiments import report
from miro_jax import evaluation, simulate

PAPER_DBSCAN = {
    "c_shapes": {"ARI_dagger": 0.88, "JI_c": 0.67},
    "rings": {
        "IoU": 0.68,
        "ARI": 0.33,
        "ARI_c": 0.34,
        "ARI_dagger": 0.69,
        "AMI": 0.73,
        "JI_c": 0.55,
        "RMSRE_N": 1.18,
    },
}
FOV_NM = 3200.0  # the field of configs/shapes.py's c_shapes and rings tasks
SHAPES_PER_FIELD = [(4, 8), (8, 15), (15, 18)]
RADIAL_STD_NM = [25.0, 50.0]
PLACEMENT_MARGIN_NM = 350.0  # simulate._arcs_field keeps shape centres radius + 100 nm inside


def fields(shape: str, seed: int, count: int, **kwargs) -> list:
    """`count` simulated fields as the items evaluation.score_fovs reads (.fov.xy_nm, .labels)."""
    rng = np.random.default_rng([seed, list(PAPER_DBSCAN).index(shape)])
    out = []
    for i in range(count):
        f = getattr(simulate, shape)(rng, fov_nm=FOV_NM, **kwargs)
        out.append(SimpleNamespace(fov=SimpleNamespace(name=str(i), xy_nm=f.xy, labels=f.labels)))
    return out


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--fields", type=int, default=20)
    args = p.parse_args()
    t0 = time.time()
    rows = []
    for shape, clusters, std in itertools.product(
        ("c_shapes", "rings"), SHAPES_PER_FIELD, RADIAL_STD_NM
    ):
        kwargs = dict(clusters=clusters, radial_std_nm=std)
        area = ((FOV_NM - 2 * PLACEMENT_MARGIN_NM) / 1000) ** 2  # centres lie in this square
        search = fields(shape, 1, 5, **kwargs)
        found, _ = evaluation.search_dbscan(
            [i.fov.xy_nm for i in search], [i.fov.labels for i in search]
        )
        scored = fields(shape, 2, args.fields, **kwargs)
        per_fov = evaluation.score_fovs([i.fov.xy_nm for i in scored], scored, found, shape)
        paper = PAPER_DBSCAN[shape]
        mean = per_fov[list(evaluation.SCORE_COLUMNS)].mean()
        std_ = per_fov[list(evaluation.SCORE_COLUMNS)].std(ddof=0)
        row = {
            "shape": shape,
            "shapes per 3.2 µm field": f"{clusters[0]}–{clusters[1]}",
            "shapes per µm² of placement area": f"{clusters[0] / area:.2f}–{clusters[1] / area:.2f}",
            "radial std nm": f"{std:g}",
            "DBSCAN eps nm / minPts": f"{found.eps:.1f} / {found.min_samples}",
        }
        for c in ("IoU", "ARI", "ARI_dagger", "AMI", "JI_c", "RMSRE_N"):
            row[c] = evaluation.mean_std(mean[c], std_[c])
        row["mean abs. difference to the paper's row"] = (
            f"{np.mean([abs(mean[k] - v) for k, v in paper.items()]):.3f}"
        )
        rows.append(row)
        print(row, flush=True)
    table = pd.DataFrame(rows).set_index("shape")
    lines = [
        *report.header(
            "Simulator calibration, first pass: DBSCAN alone vs the paper's DBSCAN rows",
            f"python -m experiments.calibration --fields {args.fields}",
            f"Each row: DBSCAN searched on 5 fields, scored on {args.fields} fresh fields of "
            f"{FOV_NM:g} nm (mean ± std); radius 250 nm and localizations per shape as in "
            f"simulate.ARC_SHAPES; wall time {time.time() - t0:.0f} s.",
            "Paper rows: C-shapes ARI† 0.88, JI_c 0.67 (Table 1); rings IoU .68, ARI .33, ARI_c "
            ".34, ARI† .69, AMI .73, JI_c .55, RMSRE_N 1.18 (REFERENCE_FACTS §10).",
        ),
        evaluation.markdown_table(table),
        "",
    ]
    report.write("calibration.md", lines)


if __name__ == "__main__":
    main()
