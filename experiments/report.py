"""Every results file of experiments/: where it lives, its header (exact command, machine read
from the environment, date) and how it is written (the hand-written ## Discussion is kept), and
the ✓ rules the tables use."""

import argparse
import dataclasses
import datetime
import sys
from collections.abc import Callable
from pathlib import Path

import jax
import numpy as np
import pandas as pd

from configs import benchmark, shapes
from miro_jax import evaluation, model_store, outputs, train

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "experiments" / "results"
WORKDIRS = REPO / "workdirs"


def path(name: str) -> Path:
    """experiments/results/<name> (pictures and per-FOV CSVs beside the markdown)."""
    return RESULTS / name


def write_csv(frame: pd.DataFrame, target: Path) -> None:
    """frame -> target, atomically (outputs.atomic_path: a reader never sees half a file, and
    two processes caching the same set do not share a temporary file)."""
    with outputs.atomic_path(target) as tmp:
        frame.to_csv(tmp, index=False)


def per_set_frames(
    cache: Path,
    sets: list[str],
    score_set: Callable[[str], pd.DataFrame],
    order: list[str],
    recorded: Path | None = None,
) -> pd.DataFrame:
    """Scores per set, each cached in cache/<set>.csv (computed for the `sets` not cached yet,
    written atomically, so two invocations on two cores share the work); returns every cached
    set's rows, in `order`. A set outside `sets` with no cache file takes its rows from the
    `recorded` results CSV (its "set" column), so rescoring one set after a checkout without
    workdirs/ keeps the other sets' committed rows instead of dropping them."""
    cache.mkdir(parents=True, exist_ok=True)
    if recorded is not None and recorded.exists():
        rows = pd.read_csv(recorded)
        for name, frame in rows.groupby("set", sort=False):
            cached = cache / f"{name}.csv"
            if name not in sets and not cached.exists():
                write_csv(frame, cached)
    for name in sets:
        cached = cache / f"{name}.csv"
        if not cached.exists():
            write_csv(score_set(name), cached)
    found = [cache / f"{name}.csv" for name in order if (cache / f"{name}.csv").exists()]
    return pd.concat([pd.read_csv(f) for f in found], ignore_index=True)


def per_set_study(
    name: str,
    title: str,
    notes: list[str],
    score_set: Callable[[str], pd.DataFrame],
    summary: Callable[[pd.DataFrame], list[str]],
    argv: list[str] | None = None,
) -> None:
    """The main of a study over the benchmark sets (`python -m experiments.<name> [--sets ...]`):
    scores the sets not cached yet in workdirs/<name>/ (per_set_frames; the other sets keep
    their rows of results/<name>.csv), then writes results/<name>.csv with every cached set's
    rows and results/<name>.md (header, summary)."""
    parser = argparse.ArgumentParser(description=title)
    parser.add_argument("--sets", nargs="+", default=list(benchmark.SCENARIOS))
    args = parser.parse_args(argv)
    order = list(benchmark.SCENARIOS)
    frame = per_set_frames(WORKDIRS / name, args.sets, score_set, order, path(f"{name}.csv"))
    write_csv(frame, path(f"{name}.csv"))
    command = " ".join([f"python -m experiments.{name}", *(sys.argv[1:] if argv is None else argv)])
    write(f"{name}.md", [*header(title, command, *notes), *summary(frame)])


def header(title: str, command: str, *notes: str) -> list[str]:
    """The first lines of a results file: title, the command that made it, machine, JAX and
    date, then one line per note (markdown line breaks between them)."""
    body = [
        f"Command: `{command}`",
        f"Machine: {evaluation.machine()}; JAX {jax.__version__}; date {datetime.date.today()}",
        *notes,
    ]
    return [f"# {title}", "", *(line + "  " for line in body[:-1]), body[-1], ""]


def write(name: str, lines: list[str]) -> Path:
    """Writes experiments/results/<name> (evaluation.write_results_markdown) and prints it."""
    text = "\n".join(lines)
    evaluation.write_results_markdown(path(name), text)
    print(text)
    return path(name)


def at_least(ours: dict, baseline: dict, keys=("ARI_dagger", "JI_c"), lower=()) -> bool:
    """✓ "beats": ours ≥ the baseline's mean on every score in `keys` and ≤ on every score in
    `lower` (scores where lower is better, e.g. RMSRE_N)."""
    return all(ours[k] >= baseline[k] for k in keys) and all(ours[k] <= baseline[k] for k in lower)


def within_one_std(ours: dict, mean: dict, std: dict, keys=("ARI_dagger", "JI_c")) -> bool:
    """✓ "within one std, or better": ours ≥ the reference's mean − its std on every score."""
    return all(ours[k] >= mean[k] - std[k] for k in keys)


def versus_truth(rows: list[dict], by: str, truth: str = "ground truth") -> pd.DataFrame:
    """Statistics of several labellings of the same fields against the truth's: one row per
    statistic, each labelling's mean ± std over the fields, then each other labelling's relative
    error of the mean. `rows`: one dict per (field, labelling), the labelling's name under `by`."""
    frame = pd.DataFrame(rows)
    columns = [c for c in frame.columns if c != by]
    groups = frame.groupby(by, sort=False)[columns]
    mean, std = groups.mean(), groups.std(ddof=0)
    table = pd.DataFrame(
        {
            name: [evaluation.mean_std(mean.loc[name, c], std.loc[name, c]) for c in columns]
            for name in mean.index
        },
        index=pd.Index(columns, name="statistic (mean ± std over fields)"),
    )
    for name in mean.index.drop(truth):
        table[f"{name}: relative error"] = [
            f"{(mean.loc[name, c] - mean.loc[truth, c]) / mean.loc[truth, c]:+.1%}" for c in columns
        ]
    return table


def paired_difference(ours: np.ndarray, baseline: np.ndarray) -> tuple[float, float]:
    """Mean per-field difference ours − baseline and the half-width of its 95 % interval."""
    diff = np.asarray(ours) - np.asarray(baseline)
    return float(diff.mean()), float(1.96 * diff.std(ddof=1) / np.sqrt(len(diff)))


def paired_cell(ours: np.ndarray, baseline: np.ndarray, lower_is_better: bool = False) -> str:
    """A table cell of paired_difference: "+0.020 ± 0.015", then ✓ where ours is ahead beyond
    the interval, ✗ where it is behind."""
    diff, half = paired_difference(ours, baseline)
    ahead = -diff if lower_is_better else diff
    mark = " ✓" if ahead > half else (" ✗" if ahead < -half else "")
    return f"{diff:+.3f} ± {half:.3f}{mark}"


PAIRED_SCORES = ("ARI_dagger", "JI_c", "IoU", "AMI", "RMSRE_N")


def paired_rows(per_fov: pd.DataFrame, pairs: list[tuple[str, str]], label: str) -> pd.DataFrame:
    """First − second method per field (same fields, same order) for each pair of `per_fov`'s
    methods: mean and 95 % half-width (paired_cell; RMSRE_N: lower is better), one row per
    pair under the column `label`."""
    rows = []
    for ours, baseline in pairs:
        a = per_fov[per_fov.method == ours]
        b = per_fov[per_fov.method == baseline]
        row = {label: ours}
        for score in PAIRED_SCORES:
            row[score] = paired_cell(
                a[score].to_numpy(), b[score].to_numpy(), lower_is_better=score == "RMSRE_N"
            )
        rows.append(row)
    return pd.DataFrame(rows).set_index(label)


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """--workdir (a configs/shapes.py training's workdir) or --model (a bundled model)."""
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--workdir", help="a configs/shapes.py training's workdir")
    source.add_argument("--model", help="a bundled shape model (its card tells its training)")


@dataclasses.dataclass
class TrainedModel:
    """A model to evaluate and what a report says of it: the training command, its recorded
    minutes and steps, a name, and the flag that reproduces the evaluation's choice of it."""

    params: dict
    config: object
    made_by: str
    minutes: float
    steps: int
    name: str
    flag: str


def trained_model(args: argparse.Namespace) -> TrainedModel:
    """The model --workdir or --model names (add_model_arguments), with its training's record:
    a workdir's metrics, or a bundled model's card."""
    if args.model:
        params, config = model_store.load_model(args.model)
        card = model_store.load_card(args.model)
        training = card["training"]
        return TrainedModel(
            params, config, card["made by"], training["minutes"], training["steps"],
            f"bundled {args.model}", f"--model {args.model}",
        )  # fmt: skip
    params, config = model_store.load_model(Path(args.workdir) / "model")
    records = train.read_metrics(args.workdir)
    made_by = model_store.training_command(
        f"configs/shapes.py:{config.data.scenario}",
        shapes.get_config(config.data.scenario),
        config,
        args.workdir,
    )
    return TrainedModel(
        params, config, made_by, train.recorded_minutes(records), train.recorded_steps(records),
        args.workdir, f"--workdir {args.workdir}",
    )  # fmt: skip
