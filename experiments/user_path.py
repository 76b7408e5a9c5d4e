"""What `miro cluster --model <set>` gives on a benchmark set's dev FOVs, beside the benchmark's
numbers for the same bundled model.

  python -m experiments.user_path                       # all 18 sets
  python -m experiments.user_path --sets scenario_9     # some

The benchmark scores a model the authors' way: each FOV scaled to [0, 1] per axis, so one model
unit is that FOV's extent (1.98–2.18 µm by set). `miro cluster` scales any table physically, nm /
the model's length scale. Per set and dev FOV, MIRO + the model's stored DBSCAN parameters through
both paths: the benchmark's (`evaluation.squeezed_fovs`, what the card quotes) and the user's
(`inference.predict`, physical scaling) at the nominal 2,000 nm and at the stored length scale
(`input_pipeline.unit_length_nm`: the training FOVs' mean extent). Cached per set in
workdirs/user_path/<set>.csv; writes experiments/results/user_path.md.
"""

import pandas as pd

from experiments import report
from miro_jax import evaluation, inference, input_pipeline, model_store

SCORES = ("ARI_dagger", "JI_c", "RMSRE_N")
BENCHMARK_PATH = "benchmark path"
NOMINAL = "miro cluster, 2,000 nm"
STORED = "miro cluster, stored length scale"
NOMINAL_NM = 2000.0


def score_set(scenario: str) -> pd.DataFrame:
    """Per dev FOV scores of the bundled model through the benchmark path and the user path."""
    params, config = model_store.load_model(scenario)
    nominal = config.copy_and_resolve_references()
    nominal.graph.length_scale_nm = NOMINAL_NM
    items = input_pipeline.eval_fovs(config, "dev")
    paths = {
        BENCHMARK_PATH: evaluation.squeezed_fovs(
            params, evaluation.with_benchmark_evals(config, scenario), items
        ),
        **{
            name: [inference.predict(i.fov.xy_nm, params, c).squeezed_nm for i in items]
            for name, c in ((NOMINAL, nominal), (STORED, config))
        },
    }
    stored = evaluation.DbscanParams(config.evals.miro_eps, config.evals.miro_min_samples)
    frame = pd.concat(
        [evaluation.score_fovs(squeezed, items, stored, name) for name, squeezed in paths.items()],
        ignore_index=True,
    )
    return frame.assign(set=scenario, **{"length scale nm": config.graph.length_scale_nm})


def summary(frame: pd.DataFrame) -> list[str]:
    """One row per set: each score through the three paths (means over the dev FOVs), then the
    mean over the sets and the per-set differences from the benchmark path."""
    mean = frame.groupby(["set", "method"], sort=False)[list(SCORES)].mean()
    scale = frame.groupby("set", sort=False)["length scale nm"].first()
    paths = (BENCHMARK_PATH, NOMINAL, STORED)
    lines = [
        "| set | stored length scale (nm) | "
        + " | ".join(f"{s}: benchmark / 2,000 nm / stored" for s in SCORES)
        + " |",
        "|---|---|" + "---|" * len(SCORES),
    ]
    sets = list(scale.index)
    for name in sets:
        cells = [" / ".join(f"{mean.loc[(name, p), s]:.3f}" for p in paths) for s in SCORES]
        lines.append(f"| {name} | {scale[name]:.0f} | " + " | ".join(cells) + " |")
    over_sets = {p: mean.xs(p, level="method").loc[sets] for p in paths}
    cells = [" / ".join(f"{over_sets[p][s].mean():.3f}" for p in paths) for s in SCORES]
    lines.append("| mean over the sets | | " + " | ".join(cells) + " |")
    lines += ["", "Per-set difference from the benchmark path, mean [min, max] over the sets:", ""]
    for p in (NOMINAL, STORED):
        diff = over_sets[p] - over_sets[BENCHMARK_PATH]
        parts = [
            f"{s} {diff[s].mean():+.3f} [{diff[s].min():+.3f}, {diff[s].max():+.3f}]"
            for s in SCORES
        ]
        lines.append(f"- {p}: " + ", ".join(parts))
    return lines


def main(argv=None) -> None:
    report.per_set_study(
        "user_path",
        "`miro cluster --model <set>` on the benchmark's dev FOVs",
        [
            "Each bundled benchmark model with its stored DBSCAN parameters; dev FOVs, means over "
            "7; ARI† and JI_c higher is better, RMSRE_N lower"
        ],
        score_set,
        summary,
        argv,
    )


if __name__ == "__main__":
    main()
