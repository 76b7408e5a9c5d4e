"""Fig. S2 on scenario_6_blinking in one figure: the plain MPN's and MIRO's compression index and
Dirichlet energy over K, every seed and training length of every sweep that trained them (each
sweep trains one seed per point; the same point and length in two sweeps is two seeds).

  python -m experiments.fig_s2

Reads the main tables of experiments/results/sweep_<name>.md for the sweeps in SWEEPS (their own
commands and machines are in those files); writes experiments/results/fig_s2_blinking.md and
fig_s2_blinking.png.
"""

import re
from pathlib import Path

import matplotlib
import pandas as pd

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from experiments import report
from miro_jax import evaluation

# sweep -> its training steps per point (2,000: half the set's CPU recipe; 4,000: all of it)
SWEEPS = {
    "k_oversmoothing_blinking": 2000,
    "k_oversmoothing_blinking_curve": 2000,
    "k_oversmoothing_blinking_seed1": 2000,
    "k_oversmoothing_blinking_row": 4000,
    "k_oversmoothing_blinking_row_seed1": 4000,
    "k_oversmoothing_blinking_row_mpn": 4000,
    "k_oversmoothing_blinking_row_mpn_seed1": 4000,
}
METRICS = ("dev_compression_index", "dev_dirichlet_energy", "dev_ARI_dagger", "dev_JI_c")


def point_fields(label: str) -> dict:
    """A sweep report's point label ('model.num_iterations=12, model_name=mpn, …') as a dict."""
    return dict(part.split("=", 1) for part in label.split(", "))


def model_name(fields: dict) -> str:
    """'plain MPN' (no input re-injection), 'MPN' or 'MIRO'."""
    if fields.get("model_name") != "mpn":
        return "MIRO"
    return "plain MPN" if fields.get("mpn_reinject_inputs") == "False" else "MPN"


def sweep_records(text: str, steps: int) -> pd.DataFrame:
    """One row per trained point of a single-seed sweep report: model, training steps, K, seed
    and METRICS."""
    seeds = re.search(r"seeds \[([^\]]*)\]", text).group(1).split(",")
    if len(seeds) != 1:
        raise ValueError(f"a sweep with seeds {seeds}: this figure reads single-seed sweeps")
    rows = []
    for _, row in evaluation.read_markdown_table(text).iterrows():
        if row["seeds done"] == "0":
            continue
        fields = point_fields(row["point"])
        rows.append(
            {
                "model": model_name(fields),
                "steps": steps,
                "K": int(fields["model.num_iterations"]),
                "seed": int(seeds[0]),
                **{m: float(row[m]) for m in METRICS},
            }
        )
    return pd.DataFrame(rows)


def records(results: Path = report.RESULTS) -> pd.DataFrame:
    """Every (model, steps, K, seed) of SWEEPS; a repeat of one keeps the first."""
    frames = [
        sweep_records((results / f"sweep_{name}.md").read_text(), steps)
        for name, steps in SWEEPS.items()
    ]
    keys = ["model", "steps", "K", "seed"]
    return pd.concat(frames).drop_duplicates(keys).reset_index(drop=True)


def summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per (model, steps, K): seeds, and each metric's mean ± std over them (one seed: its
    value)."""
    rows = []
    for (model, steps, k), group in frame.groupby(["model", "steps", "K"], sort=True):
        cells = {m: evaluation.seeds_cell(group[m]) for m in METRICS}
        seeds = ", ".join(str(s) for s in sorted(group["seed"]))
        rows.append({"model": model, "steps": steps, "K": k, "seeds": seeds, **cells})
    return pd.DataFrame(rows).set_index("model")


def plot(frame: pd.DataFrame, png: Path) -> None:
    """Compression index and Dirichlet energy (log) over K: each seed a dot, the mean a line (a
    colour per model, a line style per training length)."""
    fig, axs = plt.subplots(1, 2, figsize=(8, 3.5))
    lengths = sorted(frame["steps"].unique())
    for ax, metric in zip(axs, METRICS[:2]):
        for i, (model, by_model) in enumerate(frame.groupby("model")):
            colour = f"C{i}"  # matplotlib's colour cycle: every model drawn, one colour each
            for steps, group in by_model.groupby("steps"):
                style = ("-", "--", ":", "-.")[lengths.index(steps) % 4]
                mean = group.groupby("K")[metric].mean()
                label = f"{model}, {steps:,} steps"
                ax.plot(mean.index, mean.to_numpy(), style, color=colour, label=label)
                ax.scatter(group["K"], group[metric], color=colour, s=14)
        ax.set_xlabel("K (recurrent steps)")
        ax.set_title(metric.removeprefix("dev_").replace("_", " "), fontsize=9)
    axs[1].set_yscale("log")
    fig.legend(*axs[0].get_legend_handles_labels(), loc="lower center", ncol=4, fontsize=8)
    fig.tight_layout(rect=(0, 0.08, 1, 1))  # the legend below both panels covers no point
    fig.savefig(png, dpi=100)
    plt.close(fig)


def main() -> None:
    frame = records()
    png = report.path("fig_s2_blinking.png")
    plot(frame, png)
    lines = report.header(
        "Fig. S2 on scenario_6_blinking: plain MPN vs MIRO over K",
        "python -m experiments.fig_s2",
        "Sources: " + ", ".join(f"`sweep_{name}.md`" for name in SWEEPS) + " (each with its "
        "training command, steps and machine); dev scores of the 7 dev FOVs, the paper's "
        "DBSCAN parameters for every model",
    )
    lines += [evaluation.markdown_table(summary(frame)), "", f"![Fig. S2]({png.name})"]
    report.write("fig_s2_blinking.md", lines)


if __name__ == "__main__":
    main()
