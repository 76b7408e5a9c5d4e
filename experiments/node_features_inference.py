"""Node-feature ablation at inference (complements sweeps/node_features.py, which retrains):
trained models run on dev FOVs whose Laplacian eigenvector features are replaced by a constant or
shuffled across nodes. If the scores do not move, the trained model does not use the features.

  python -m experiments.node_features_inference

Models: the authors' weights (scenario_8, scenario_6_blinking, scenario_2_blinking) and ours
(scenario_8, scenario_2); DBSCAN with the paper's parameters (authors) or the searched ones stored
with the benchmark results (ours: paper parameters, for a like-for-like comparison across modes).
Writes experiments/results/node_features_inference.md.
"""

import time

import pandas as pd

from configs import benchmark
from experiments import report
from miro_jax import evaluation, input_pipeline, model_store, reference_weights

MODES = ("laplacian", "constant", "shuffled")


def scores(config, params) -> dict:
    dev = input_pipeline.eval_fovs(config, "dev")
    squeezed = evaluation.squeezed_fovs(params, config, dev)
    p = evaluation.DbscanParams(config.evals.miro_eps, config.evals.miro_min_samples)
    frame = evaluation.score_fovs(squeezed, dev, p, config.data.node_features)
    return {k: (frame[k].mean(), frame[k].std(ddof=0)) for k in ("ARI_dagger", "JI_c")}


def main():
    t0 = time.time()
    models = []
    for s in ("scenario_8", "scenario_6_blinking", "scenario_2_blinking"):
        cfg = benchmark.get_config(s)
        models.append(
            (
                f"{s} (authors' weights)",
                cfg,
                model_store.load_model(reference_weights.weights_path(s), cfg)[0],
            )
        )
    for s in ("scenario_8", "scenario_2"):
        params, cfg = model_store.load_model(s)
        # the paper's DBSCAN parameters, as for the authors' weights
        cfg = evaluation.with_benchmark_evals(cfg, s)
        models.append((f"{s} (ours)", cfg, params))
    rows = []
    for name, cfg, params in models:
        row = {"model": name}
        for mode in MODES:
            c = cfg.copy_and_resolve_references()
            c.data.node_features = mode
            for k, (m, sd) in scores(c, params).items():
                row[f"{k} {mode}"] = evaluation.mean_std(m, sd)
        rows.append(row)
        print(row, flush=True)
    table = pd.DataFrame(rows).set_index("model")
    lines = report.header(
        "Node features at inference: Laplacian vs constant vs shuffled (dev FOVs, paper DBSCAN "
        "params)",
        "python -m experiments.node_features_inference",
        f"Wall time {time.time() - t0:.0f} s",
    )
    report.write("node_features_inference.md", [*lines, evaluation.markdown_table(table), ""])


if __name__ == "__main__":
    main()
