"""MIRO unrolled for more or fewer steps than it was trained with (one set of weights, so K can
change at inference): compression index, Dirichlet energy of the final node states, ARI† and
JI_c on the dev FOVs vs K. The inference half of ablation 1 (paper Fig. S2: MIRO's compression
rises and flattens, no oversmoothing); sweeps/k_oversmoothing.py retrains per K with the MPN
baseline.

  python -m experiments.k_inference scenario_6_blinking
  python -m experiments.k_inference scenario_8 --model scenario_8

Writes experiments/results/k_inference_<set>.md.
"""

import argparse
import time

from configs import benchmark
from experiments import report
from miro_jax import evaluation, input_pipeline, model_store, reference_weights

KS = (1, 2, 5, 10, 15, 20, 25, 30, 40, 60)


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("scenario")
    p.add_argument("--model", default="authors", help="'authors' or a model name/directory of ours")
    args = p.parse_args()
    t0 = time.time()
    if args.model == "authors":
        config = benchmark.get_config(args.scenario)
        params = model_store.load_model(reference_weights.weights_path(args.scenario), config)[0]
    else:
        params, config = model_store.load_model(args.model)
    trained_k = config.model.num_iterations
    dev = input_pipeline.eval_fovs(config, "dev")
    rows = [
        "| K | compression index | Dirichlet energy (final states) | ARI† | JI_c | dev loss |",
        "|---|---|---|---|---|---|",
    ]
    for k in KS:
        c = config.copy_and_resolve_references()
        c.model.num_iterations = k
        s = evaluation.model_scores(params, dev, c)
        mark = " (trained)" if k == trained_k else ""
        rows.append(
            f"| {k}{mark} | {s['compression_index']:.3f} | {s['dirichlet_energy']:.4g} | "
            f"{s['ARI_dagger']:.3f} | {s['JI_c']:.3f} | {s['loss']:.4f} |"
        )
        print(rows[-1], flush=True)
    lines = report.header(
        f"{args.scenario}: MIRO ({args.model} weights, trained K = {trained_k}) unrolled for K steps",
        f"python -m experiments.k_inference {args.scenario} --model {args.model}",
        f"Wall time {time.time() - t0:.0f} s (machine shared). Dev FOVs "
        f"{list(config.data.dev_fovs)}, paper DBSCAN params; compression index: our definition "
        "(metrics.compression_index).",
    )
    report.write(f"k_inference_{args.scenario}.md", [*lines, *rows, ""])


if __name__ == "__main__":
    main()
