"""10^6 localizations from file to labels: a simulated 100 µm × 100 µm field, tiled MIRO + DBSCAN.

  python experiments/scale.py [--points 1000000] [--model ../shared/reference/weights_scenario_8.npz]

The field has scenario-8-like density (≈100 localizations per µm²: Gaussian clusters of 5 and 15
localizations, std 24 nm, 50 % clustered). The model is the authors' scenario_8 weights in our model
(K = 12, δ = 400 nm at 2000 nm per unit), physical scaling, 10 µm compute tiles with K-hop halos,
Laplacian features per 2 µm tile. Reports per-stage wall time and peak RSS in
experiments/results/scale.md.
"""

import argparse
import datetime
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from configs import benchmark  # noqa: E402
from miro_jax import (  # noqa: E402
    cluster,
    graph,
    localizations,
    model_store,
    reference_weights,
    simulate,
    tiling,
)


def simulate_field(points: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    side = 2000.0 * np.sqrt(points / 400.0)  # 400 localizations per 2 µm × 2 µm, as scenario 8
    n_clusters = int(points / 2 / 10)  # mean cluster size 10 (5 and 15), half clustered
    sizes = rng.choice([5, 15], n_clusters)
    return simulate.gaussian_clusters(rng, fov_nm=side, num_clusters=n_clusters,
                                      points_per_cluster=sizes, cluster_std_nm=24.0,
                                      clustered_fraction=0.5, margin_nm=50.0)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--points", type=int, default=1_000_000)
    p.add_argument("--tile-nm", type=float, default=10_000.0)
    p.add_argument("--model", default=str(reference_weights.weights_path("scenario_8")))
    args = p.parse_args()
    import jax

    from miro_jax import models

    config = benchmark.get_config("scenario_8")
    params, config = model_store.load_model(args.model, config)
    xy, truth = simulate_field(args.points)
    tmp = Path(tempfile.mkdtemp()) / "field.csv"
    simulate.write_benchmark_csv(tmp, xy, truth)
    stages = {}
    t_all = time.perf_counter()

    t = time.perf_counter()
    loc = localizations.read_localizations(tmp)
    stages["read CSV"] = time.perf_counter() - t
    length = config.graph.length_scale_nm
    t = time.perf_counter()
    unit = graph.check_coordinates((loc.xy_nm - loc.xy_nm.min(0)) / length, 6, "jitter")
    edges = graph.delaunay_edges(unit, config.graph.connectivity_radius)
    efeat = graph.edge_features(unit, edges, config.graph.connectivity_radius)
    stages["Delaunay + edges"] = time.perf_counter() - t
    t = time.perf_counter()
    features = tiling.tiled_laplacian_features(edges, tiling.tile_ids(unit, 1.0), 5)
    stages["Laplacian features (2 µm tiles, sparse)"] = time.perf_counter() - t
    t = time.perf_counter()
    pg = graph.PointGraph(unit.astype(np.float32), features, edges, efeat,
                          config.graph.connectivity_radius)
    fn = jax.jit(models.Miro(**config.model).apply)
    disp = tiling.tiled_displacements(fn, params, pg, args.tile_nm / length,
                                      config.model.num_iterations, 1.25)
    stages[f"MIRO ({args.tile_nm / 1000:g} µm tiles + K-hop halo)"] = time.perf_counter() - t
    t = time.perf_counter()
    squeezed = cluster.squeeze(unit, disp[-1], config.graph.connectivity_radius) * length
    labels = cluster.dbscan_labels(squeezed, config.evals.miro_eps, config.evals.miro_min_samples)
    stages["squeeze + DBSCAN"] = time.perf_counter() - t
    t = time.perf_counter()
    out = loc.table.copy()
    out["cluster"] = labels
    out.to_csv(tmp.with_name("labels.csv"), index=False)
    stages["write CSV"] = time.perf_counter() - t
    total = time.perf_counter() - t_all
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    from miro_jax import metrics
    ari = metrics.ari(truth, labels)
    lines = [f"# {len(xy):,} localizations end to end (simulated {np.ptp(xy[:, 0]) / 1000:.0f} µm field)", "",
             f"Command: `python experiments/scale.py --points {args.points}`  ",
             f"Machine: {platform.machine()}, 2 cores, 24 GiB, CPU; date {datetime.date.today()}  ",
             f"Model: authors' scenario_8 weights in our model (K = {config.model.num_iterations}); "
             f"{len(edges[0]):,} directed edges; {labels.max():,} clusters; ARI vs simulation {ari:.3f}", "",
             "| stage | wall s |", "|---|---|"]
    lines += [f"| {k} | {v:.1f} |" for k, v in stages.items()]
    lines += [f"| **total (file to labels)** | **{total:.1f}** |", "",
              f"Peak RSS: {peak:.2f} GB (process maximum, includes simulation and JAX)."]
    (REPO / "experiments" / "results" / "scale.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
