"""Writes the demo's bundled sample: 5 scenario-8-like FOVs made by our simulator (not GPL data).

  python scripts/make_demo_sample.py

2000 × 2000 nm, 10 clusters of 5 and 10 of 15 localizations (Gaussian, std 24 nm, as measured on
the scenario-8 training FOVs), 50 % clustered, uniform background; seeds 1–5.
"""

from pathlib import Path

import numpy as np

from miro_jax import simulate

OUT = Path(__file__).resolve().parents[1] / "miro_jax" / "samples"


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for seed in range(1, 6):
        rng = np.random.default_rng(seed)
        xy, labels = simulate.gaussian_clusters(
            rng,
            fov_nm=2000.0,
            num_clusters=20,
            points_per_cluster=[5] * 10 + [15] * 10,
            cluster_std_nm=24.0,
            clustered_fraction=0.5,
        )
        simulate.write_benchmark_csv(OUT / f"demo_fov_{seed}.csv", xy, labels)


if __name__ == "__main__":
    main()
