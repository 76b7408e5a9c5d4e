"""Where a `miro fit` training step's time goes: building the batch vs the jitted step vs compiles.

  python -m experiments.fit_profile scenario_9_blinking --steps 30

Builds the fit config of the set's 3 training FOVs as `miro fit` does (the set's own bundled model
excluded from the warm start) and runs its first steps, timing each part; prints medians.
"""

import argparse
import time

import jax
import numpy as np

from configs import benchmark
from miro_jax import benchmark_data, fit, input_pipeline, losses, train


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("scenario")
    p.add_argument("--steps", type=int, default=30)
    args = p.parse_args()
    files = [
        str(benchmark_data.fov_path(args.scenario, n))
        for n in benchmark.SCENARIOS[args.scenario]["train_fovs"]
    ]
    config = fit.fit_config(files, exclude_models=[args.scenario])
    source = input_pipeline.make_source(config)
    state = train.create_train_state(config, source.batch(0), train.initial_params(config))
    seen, data_s, step_s = set(), [], []
    for step in range(args.steps):
        t = time.perf_counter()
        batch = source.batch(step)
        data_s.append(time.perf_counter() - t)
        settings = losses.static_loss_settings(config, step)
        t = time.perf_counter()
        state, parts = train.train_step(state, batch, settings)
        jax.block_until_ready(parts)
        elapsed = time.perf_counter() - t
        shape = (batch.senders.shape[0], int(batch.n_node.sum()), settings)
        if shape in seen:
            step_s.append(elapsed)
        else:
            seen.add(shape)
            print(f"step {step}: new padded shape {shape[:2]}, compile + step {elapsed:.1f} s")
    print(
        f"batch building: median {np.median(data_s):.3f} s; training step (compiled): median "
        f"{np.median(step_s):.3f} s over {len(step_s)}; {len(seen)} compilations"
    )


if __name__ == "__main__":
    main()
