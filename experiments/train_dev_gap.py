"""Do our benchmark models fit their 3 training FOVs more tightly than the authors' weights do?

  python -m experiments.train_dev_gap --sets scenario_3 scenario_6   # some sets
  python -m experiments.train_dev_gap                                # all 18

Both models were trained on the same 3 FOVs (the manifest's). Each is scored on those 3 and on
the 7 dev FOVs with the same fixed DBSCAN parameters (the paper's, Tables S1/S2: nothing searched
anywhere), so a larger train − dev difference for ours than for the authors' is overfitting to
the training FOVs, the thing that would make a choice made on them (the stored DBSCAN rule)
optimistic on new fields. Per set results are cached in workdirs/train_dev_gap/<set>.csv (two
invocations on two cores share the work); the report covers every cached set:
experiments/results/train_dev_gap.md.
"""

import pandas as pd

from configs import benchmark
from experiments import report
from miro_jax import evaluation, input_pipeline, losses, model_store, reference_weights

OURS, AUTHORS = "ours", "authors"
SCORES = ("loss", "ARI_dagger", "JI_c", "RMSRE_N")


def score_set(scenario: str) -> pd.DataFrame:
    """Per FOV (train and dev) loss and scores of our bundled model and the authors' weights."""
    ours = model_store.load_model(scenario)
    ref_config = benchmark.get_config(scenario)
    authors = model_store.load_model(reference_weights.weights_path(scenario), ref_config)
    rows = []
    for method, (params, config) in ((OURS, ours), (AUTHORS, authors)):
        config = evaluation.with_benchmark_evals(config, scenario)
        settings = losses.static_loss_settings(config)
        for split in ("train", "dev"):
            for item in input_pipeline.eval_fovs(config, split):
                row = evaluation.fov_scores(params, item, config, settings)
                rows.append({"set": scenario, "method": method, "split": split, **row})
    return pd.DataFrame(rows)


def set_numbers(part: pd.DataFrame) -> dict:
    """One set's numbers: each model's mean train and dev loss, our dev loss over the authors'
    − 1, each model's dev / train loss ratio and train − dev ARI† and JI_c."""
    mean = part.groupby(["method", "split"])[list(SCORES)].mean()
    numbers = {
        f"loss {m} {split}": mean.loc[(m, split), "loss"]
        for m in (OURS, AUTHORS)
        for split in ("train", "dev")
    }
    numbers["excess"] = numbers[f"loss {OURS} dev"] / numbers[f"loss {AUTHORS} dev"] - 1
    for m in (OURS, AUTHORS):
        numbers[f"ratio {m}"] = numbers[f"loss {m} dev"] / numbers[f"loss {m} train"]
        for s in ("ARI_dagger", "JI_c"):
            numbers[f"{s} {m}"] = mean.loc[(m, "train"), s] - mean.loc[(m, "dev"), s]
    return numbers


def summary_row(name: str, n: dict, with_losses: bool = True) -> str:
    """A markdown row of set_numbers (the median row leaves the loss columns empty)."""
    losses_cells = (
        f"{n[f'loss {OURS} train']:.4f} / {n[f'loss {OURS} dev']:.4f} | "
        f"{n[f'loss {AUTHORS} train']:.4f} / {n[f'loss {AUTHORS} dev']:.4f}"
        if with_losses
        else "|"
    )
    return (
        f"| {name} | {losses_cells} | {n['excess']:+.1%} | "
        f"{n[f'ratio {OURS}']:.2f} / {n[f'ratio {AUTHORS}']:.2f} | "
        f"{n[f'ARI_dagger {OURS}']:+.3f} / {n[f'ARI_dagger {AUTHORS}']:+.3f} | "
        f"{n[f'JI_c {OURS}']:+.3f} / {n[f'JI_c {AUTHORS}']:+.3f} |"
    )


def summary(frame: pd.DataFrame) -> list[str]:
    """One row per set (set_numbers), then the sets' medians."""
    per_set = pd.DataFrame(
        {name: set_numbers(frame[frame.set == name]) for name in frame.set.unique()}
    ).T
    return [
        "| set | loss train / dev, ours | authors | dev loss, ours vs authors | "
        "dev / train loss, ours / authors | ARI† train − dev, ours / authors | "
        "JI_c train − dev, ours / authors |",
        "|---|---|---|---|---|---|---|",
        *(summary_row(name, row) for name, row in per_set.iterrows()),
        summary_row("median over the sets", per_set.median(), with_losses=False),
    ]


def main(argv=None) -> None:
    report.per_set_study(
        "train_dev_gap",
        "Training FOVs vs dev FOVs: our benchmark models and the authors' weights",
        [
            "Both models trained on the same 3 FOVs; each scored on those and on the 7 dev FOVs "
            "with the paper's DBSCAN parameters (Tables S1/S2) and the paper's loss (L1 + α · edge "
            "term); means over FOVs"
        ],
        score_set,
        summary,
        argv,
    )


if __name__ == "__main__":
    main()
