"""Fig. 4b–e's analysis on its simulated counterpart (issue #21): does MIRO + DBSCAN recover the
per-cluster statistics of integrin-like fields better than DBSCAN alone?

  python -m experiments.structure_statistics [--minutes 10] [--fields 8] [--size-nm 5000]

The paper reports, from MIRO on real integrin data, clusters of radius ≈ 38 nm with ≈ 17.8
localizations and a nearest-neighbour peak at ≈ 100 nm. Here those numbers are the ground truth of
a simulation spec, and a lab's path is followed: `miro fit --simulate SPEC` (fit.fit_config +
fit.fit: training fields of the spec, DBSCAN parameters for MIRO and for DBSCAN alone searched on
them), then fresh fields of the spec are clustered both ways and their cluster statistics
(cluster_stats.cluster_table, original coordinates) compared with the truth's. The fitted model
is kept in --workdir and reused when present.
"""

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from experiments import report
from miro_jax import (
    cluster,
    cluster_stats,
    evaluation,
    fit,
    inference,
    metrics,
    model_store,
    simulate,
)

RADIUS_OF_GYRATION_NM = 38.0  # paper: cluster radius
LOCALIZATION_PRECISION_NM = 10.0
INTEGRIN_SPEC = dict(
    shape="spot",
    # a 2-D Gaussian of per-axis std s has radius of gyration √2·s; s² = molecules² + precision²
    cluster_radius_nm=float(
        np.sqrt((RADIUS_OF_GYRATION_NM / np.sqrt(2)) ** 2 - LOCALIZATION_PRECISION_NM**2)
    ),
    localizations_per_cluster=17.8,  # paper
    blinking_repeats=1.0,
    blinking_spread_nm=LOCALIZATION_PRECISION_NM,
    # Poisson-placed centres: the nearest-neighbour distance peaks at 1/√(2πλ) = 100 nm (paper)
    cluster_density_per_um2=float(1.0 / (2 * np.pi * 0.1**2)),
    background_density_per_um2=12.0,  # ≈ 4 % of the localizations
)
NN_BIN_NM = 10.0  # histogram bin for the nearest-neighbour peak


def nn_peak_nm(distances: np.ndarray) -> float:
    """Centre of the most populated NN_BIN_NM bin of the nearest-centroid distances."""
    distances = distances[np.isfinite(distances)]
    if len(distances) == 0:
        return float("nan")
    counts, edges = np.histogram(
        distances, bins=np.arange(0, distances.max() + NN_BIN_NM, NN_BIN_NM)
    )
    return float(edges[np.argmax(counts)] + NN_BIN_NM / 2)


def statistics(xy_nm: np.ndarray, labels: np.ndarray, area_um2: float) -> dict:
    """The statistics the paper reports for its integrin clusters, of one labelling of a field."""
    table = cluster_stats.cluster_table(xy_nm, labels, shapes=False)
    nn = table["nn_centroid_distance [nm]"].to_numpy() if len(table) > 1 else np.array([])
    return {
        "clusters per µm²": len(table) / area_um2,
        "median localizations per cluster": float(table["localizations"].median()),
        "median radius of gyration [nm]": float(table["radius_of_gyration [nm]"].median()),
        "nearest-neighbour peak [nm]": nn_peak_nm(nn),
        "median nearest-neighbour distance [nm]": float(np.median(nn)) if len(nn) else np.nan,
        "clustered fraction": float((labels > 0).mean()),
    }


def fitted_model(workdir: Path, minutes: float):
    """The model fitted to INTEGRIN_SPEC (trained now unless workdir/model exists) and its card."""
    model_dir = workdir / "model"
    if not (model_dir / "model_card.json").exists():
        config = fit.fit_config(spec=dict(INTEGRIN_SPEC), minutes=minutes)
        fit.fit(config, model_dir, workdir / "training")
    params, config = model_store.load_model(model_dir)
    return params, config, model_store.load_card(model_dir)


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--minutes", type=float, default=10.0, help="the fit's budget")
    p.add_argument("--fields", type=int, default=8, help="fresh fields scored")
    p.add_argument("--size-nm", type=float, default=5000.0, help="side of a scored field")
    p.add_argument("--workdir", default="workdirs/integrin_like")
    args = p.parse_args()
    t0 = time.time()
    params, config, card = fitted_model(Path(args.workdir), args.minutes)
    miro_dbscan, alone_dbscan = card["DBSCAN after MIRO"], card["DBSCAN alone"]
    area = (args.size_nm / 1000.0) ** 2
    rows, scores = [], []
    for i in range(args.fields):
        field = simulate.spec_field(
            np.random.default_rng([2026, 11, i]), fov_nm=args.size_nm, **INTEGRIN_SPEC
        )
        squeezed = inference.predict(field.xy, params, config).squeezed_nm
        labellings = {
            "ground truth": field.labels,
            "MIRO + DBSCAN": cluster.dbscan_labels(
                squeezed, miro_dbscan["eps [nm]"], miro_dbscan["min samples"]
            ),
            "DBSCAN alone": cluster.dbscan_labels(
                field.xy, alone_dbscan["eps [nm]"], alone_dbscan["min samples"]
            ),
        }
        for method, labels in labellings.items():
            rows.append({"method": method, **statistics(field.xy, labels, area)})
            if method != "ground truth":
                scores.append(
                    {"method": method, **metrics.clustering_scores(field.xy, field.labels, labels)}
                )
        print(f"field {i + 1}/{args.fields}: {len(field.xy)} localizations", flush=True)
    table = report.versus_truth(rows, by="method")
    score_table = evaluation.summarize(pd.DataFrame(scores))
    spec_text = ", ".join(
        f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in INTEGRIN_SPEC.items()
    )
    lines = [
        *report.header(
            "Integrin-like fields (Fig. 4b–e's simulated counterpart): cluster statistics",
            f"python -m experiments.structure_statistics --minutes {args.minutes:g} --fields "
            f"{args.fields} --size-nm {args.size_nm:g} --workdir {args.workdir}",
            f"Spec (simulate.spec_field; paper: radius ≈ 38 nm, ≈ 17.8 localizations per "
            f"cluster, nearest-neighbour peak ≈ 100 nm): {spec_text}.",
            f"Model: `miro fit --simulate` of that spec ({card['training']['steps']} steps, "
            f"{card['training']['minutes']} min, warm start from {card['warm start from']}, K = "
            f"{card['K']}, δ = {card['connectivity radius δ [nm]']:.0f} nm); DBSCAN after MIRO "
            f"eps {miro_dbscan['eps [nm]']:.3g} nm / minPts {miro_dbscan['min samples']}, DBSCAN "
            f"alone eps {alone_dbscan['eps [nm]']:.3g} nm / minPts {alone_dbscan['min samples']} "
            "(both searched by the fit on its training fields).",
            f"Scored: {args.fields} fresh fields of {args.size_nm:g} nm; statistics of each "
            f"labelling on the original coordinates; wall time {time.time() - t0:.0f} s.",
        ),
        evaluation.markdown_table(table),
        "",
        "Scores against the ground truth (mean ± std over the fields):",
        "",
        evaluation.markdown_table(score_table),
        "",
    ]
    report.write("structure_statistics_integrin.md", lines)


if __name__ == "__main__":
    main()
