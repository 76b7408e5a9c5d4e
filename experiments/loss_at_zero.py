"""Where the paper's L1 loss puts the predict-zero plateau: dev L1 loss and ARI† of the authors'
weights vs the constant-zero prediction, per benchmark set.

  python -m experiments.loss_at_zero scenario_5_blinking scenario_6_blinking

If the authors' weights score a HIGHER L1 loss than zero (scenario_5_blinking), the L1 optimum a
short training can reach is the plateau: the recipe trains that set with squared residuals
(`loss.l2_warmup_steps`, configs/benchmark_cpu.py; experiments/results/recipe.md §3.6).
"""

import argparse
import time

import jax
import jax.numpy as jnp

from configs import benchmark
from miro_jax import evaluation, input_pipeline, model_store, reference_weights


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="+")
    args = parser.parse_args()
    for scenario in args.scenarios:
        start = time.time()
        config = benchmark.get_config(scenario)
        params, _ = model_store.load_model(reference_weights.weights_path(scenario), config)
        items = input_pipeline.eval_fovs(config, "dev")
        authors = evaluation.model_scores(params, items, config)
        zero = evaluation.model_scores(
            jax.tree_util.tree_map(jnp.zeros_like, params), items, config
        )
        print(
            f"{scenario}: dev L1 loss authors {authors['loss']:.4f} zero {zero['loss']:.4f} "
            f"({authors['loss'] / zero['loss'] - 1:+.0%}); ARI† authors {authors['ARI_dagger']:.3f} "
            f"zero {zero['ARI_dagger']:.3f} ({time.time() - start:.0f} s)",
            flush=True,
        )


if __name__ == "__main__":
    main()
