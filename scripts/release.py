"""The release step: ship benchmark models into the package, give every bundled model a card,
and copy benchmark.md's overview into the README. Experiments never do this themselves.

  python scripts/release.py                                   (cards + README table)
  python scripts/release.py --ship workdirs/benchmark [--sets scenario_8 …]
  python scripts/release.py --ship-shapes workdirs/c_shapes workdirs/rings …
  python scripts/release.py --ship-shapes workdirs/sweeps/<point> --name spots_ellipses
  python scripts/release.py --repackage-shapes npc_like multiscale_rings   (same weights)

--ship copies <folder>/<set>/model to miro_jax/trained_models/<set> (every set found, or --sets).
Every bundled benchmark model stores the DBSCAN parameters searched on its 3 training FOVs
(experiments/results/benchmark_<set>.md; the rule `miro fit` uses), not the paper's.
Cards (model_card.json + .md): what each model was trained on (statistics of its set's 3
training FOVs, fit.field_statistics; needs the benchmark data), its structure, the stored and the
paper's DBSCAN parameters, training steps and minutes, and its dev scores as
experiments/results/benchmark.md reports them, for both parameter sets.
--ship-shapes packages models trained on a simulator (configs/shapes.py) with fit.package, the
path `miro fit` uses: DBSCAN parameters searched on fresh training-side fields, scores on 20 fresh
fields, a card. They are named with --model; --model auto never picks them (their card says so).
"""

import argparse
import datetime
import json
import shutil
import subprocess
from pathlib import Path

from configs import benchmark, shapes
from experiments import benchmark as benchmark_experiment
from experiments import report
from miro_jax import benchmark_data, evaluation, fit, input_pipeline, model_store, train

BENCHMARK_MD = report.path("benchmark.md")
README_MARKERS = ("<!-- benchmark-table -->", "<!-- /benchmark-table -->")


def benchmark_rows() -> dict:
    """set → {method: (ARI†, JI_c)} and its training minutes, from benchmark.md's table of all
    methods (dev FOVs)."""
    text = BENCHMARK_MD.read_text().split("## All methods", 1)[1]
    rows = {}
    for _, r in evaluation.read_markdown_table(text).iterrows():
        scores = rows.setdefault(r["set"], {"train min": float(r["train min"])})
        scores[r["method"]] = tuple(
            evaluation.read_mean_std(r[c])[0] for c in ("ARI_dagger", "JI_c")
        )
    return rows


def searched_dbscan(scenario: str) -> dict:
    """{'miro': DbscanParams, 'dbscan': DbscanParams}: the DBSCAN parameters searched on the
    set's training FOVs for MIRO + DBSCAN and for DBSCAN alone, as
    experiments/results/benchmark_<set>.md reports them; its eps (printed to 0.01 nm) is snapped
    back to the search's own grid (evaluation.plateau_eps)."""
    config = benchmark.get_config(scenario)
    grid = evaluation.plateau_eps(config.evals.search_eps_max_nm)
    text = (BENCHMARK_MD.parent / f"benchmark_{scenario}.md").read_text()
    table = evaluation.read_markdown_table(text).set_index("method")

    def params(method: str) -> evaluation.DbscanParams:
        eps = float(table.loc[method, "eps (nm)"])
        nearest = float(grid[abs(grid - eps).argmin()])
        if abs(nearest - eps) > 0.006:
            raise ValueError(f"{scenario}: {method} eps {eps} is not on the search grid")
        return evaluation.DbscanParams(nearest, int(table.loc[method, "minPts"]))

    return {"miro": params("MIRO ours (auto params)"), "dbscan": params("DBSCAN (auto params)")}


def store_searched_dbscan() -> None:
    """Every bundled benchmark model's stored DBSCAN parameters := those searched on its
    training FOVs (searched_dbscan), the rule `miro fit` and the shape models use; the paper's
    (Tables S1/S2) stay in configs/benchmark.py and on the card."""
    for scenario in benchmark.SCENARIOS:
        found = searched_dbscan(scenario)

        def store(config, found=found):
            new = model_store.ml_collections.ConfigDict(config.to_dict())
            new.evals.miro_eps = found["miro"].eps
            new.evals.miro_min_samples = found["miro"].min_samples
            new.evals.dbscan_eps = found["dbscan"].eps
            new.evals.dbscan_min_samples = found["dbscan"].min_samples
            return new

        rewrite_bundled_config(scenario, store)


def card_for(name: str, rows: dict, replaced: dict) -> dict:
    """The card of bundled benchmark model `name`; `replaced`: the cards of the models this
    release replaced (ship), where a warm start finds the history it continues."""
    _, config = model_store.load_model(name)
    scenario = config.data.scenario
    made_by = benchmark_experiment.made_by(scenario, config)
    start = None
    if config.train.init_from:
        start = replaced.get(config.train.init_from) or model_store.load_card(
            config.train.init_from
        )
    tables = [
        input_pipeline.AnnotatedTable(f"fov_{n:02d}", fov.xy_nm, fov.labels)
        for n in config.data.train_fovs
        for fov in [benchmark_data.read_fov(benchmark_data.fov_path(scenario, n))]
    ]
    scores = rows[scenario]
    scale = config.graph.length_scale_nm
    ev = config.evals
    paper = benchmark.get_config(scenario).evals
    return {
        "model": name,
        "made by": made_by,
        "date": str(datetime.date.today()),
        "trained on": {
            "source": f"Nieves et al. 2023 benchmark, {scenario}",
            "files": [t.name for t in tables],
            **fit.field_statistics(tables),
        },
        "length scale [nm]": scale,
        "connectivity radius δ [nm]": config.graph.connectivity_radius * scale,
        "K": config.model.num_iterations,
        "hidden size": config.model.hidden_size,
        # stored in the model: searched on its 3 training FOVs (store_searched_dbscan)
        "DBSCAN after MIRO": {"eps [nm]": ev.miro_eps, "min samples": ev.miro_min_samples},
        "DBSCAN alone": {"eps [nm]": ev.dbscan_eps, "min samples": ev.dbscan_min_samples},
        "the paper's DBSCAN (Tables S1/S2)": {
            "after MIRO": {"eps [nm]": paper.miro_eps, "min samples": paper.miro_min_samples},
            "alone": {"eps [nm]": paper.dbscan_eps, "min samples": paper.dbscan_min_samples},
        },
        "training": with_history(
            {
                "steps": config.train.num_train_steps,
                "minutes": scores["train min"],
                "budget minutes": None,
            },
            made_by,
            start,
        ),
        "dev scores": {
            "fields": [f"fov_{n:02d}" for n in config.data.dev_fovs],
            # with the parameters stored above, i.e. what `miro cluster --model <set>` gives
            "MIRO + DBSCAN": _scores(scores["MIRO ours (auto params)"]),
            "DBSCAN alone": _scores(scores["DBSCAN (auto params)"]),
            "MIRO + DBSCAN, the paper's parameters": _scores(scores["MIRO ours (paper params)"]),
            "DBSCAN alone, the paper's parameters": _scores(scores["DBSCAN (paper params)"]),
            "as": "experiments/results/benchmark.md ('auto params' = the stored parameters, "
            "searched on the training FOVs; 'paper params' = Tables S1/S2)",
        },
        "warn when input differs by more than": fit.CARD_TOLERANCE,
        fit.SIZE_TOLERANCE_KEY: fit.SIZE_TOLERANCE,
    }


def _scores(ari_ji: tuple) -> dict:
    return {"ARI_dagger": ari_ji[0], "JI_c": ari_ji[1]}


def ship(folder: Path, sets: list[str]) -> dict:
    """Copies <folder>/<set>/model into the package's bundled models; returns the cards of the
    models it replaced (a warm start's card continues the history of the model it started from)."""
    replaced = {}
    for source in sorted(folder.glob("*/model")):
        name = source.parent.name
        if sets and name not in sets:
            continue
        target = model_store.BUNDLED_DIR / name
        if target.exists():
            replaced[name] = model_store.load_card(name)
            shutil.rmtree(target)
        shutil.copytree(source, target)
        print(f"shipped {source} → {target}")
    return replaced


def with_history(training: dict, command: str, start: dict | None) -> dict:
    """`training` (this run's steps and minutes) with the history of a warm start: `start` is the
    card of the model it started from, or this run's own card when it is written again (same
    command: its history is kept). Steps and minutes in all, and each earlier run's command with
    the git revision where its model can still be found."""
    if start is None:
        return training
    earlier = ("steps in all", "minutes in all", "earlier runs")
    if start["made by"] == command:
        return {**training, **{k: start["training"][k] for k in earlier if k in start["training"]}}
    before = start["training"]
    revision = subprocess.run(
        ["git", "-C", str(report.REPO), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return {
        **training,
        "steps in all": before.get("steps in all", before["steps"]) + training["steps"],
        "minutes in all": round(
            before.get("minutes in all", before["minutes"]) + training["minutes"], 1
        ),
        "earlier runs": [
            *before.get("earlier runs", []),
            f"{start['made by']} (bundled at git {revision})",
        ],
    }


def simulated_fields(config) -> tuple:
    """What a shape task's fields are: its simulator and both fields' settings (as stored: lists
    for tuples)."""
    data = config.data
    fields = data.simulator, data.simulator_kwargs.to_dict(), data.eval_simulator_kwargs.to_dict()
    return json.loads(json.dumps(fields))


def ship_shape_model(workdir: Path, name: str | None = None) -> dict:
    """workdir/model (a configs/shapes.py training) packaged into the bundled models under its
    task's name, or under `name`, a task that simulates the same fields (a sweep point shipped
    as the task's model); returns its card."""
    params, config = model_store.load_model(workdir / "model")
    task = config.data.scenario
    name = name or task
    if simulated_fields(shapes.get_config(name)) != simulated_fields(config):
        raise SystemExit(
            f"--name {name}: that task simulates other fields than {workdir}'s task {task}; "
            "name a configs/shapes.py task with the same simulator settings"
        )
    # a warm start from this checkout's workdir is recorded relative to the repository
    if Path(config.train.init_from).is_relative_to(report.REPO):
        config.train.init_from = str(Path(config.train.init_from).relative_to(report.REPO))
    records = train.read_metrics(workdir)
    steps = train.recorded_steps(records)
    command = model_store.training_command(
        f"configs/shapes.py:{task}", shapes.get_config(task), config, workdir
    )
    training = {
        "steps": steps,
        "minutes": round(train.recorded_minutes(records), 1),
        "budget minutes": config.train.max_minutes or None,
    }
    start = model_store.load_card(config.train.init_from) if config.train.init_from else None
    training = with_history(training, command, start)
    config.data.scenario = name  # the same fields; `--model name` and its reports use the name
    card = fit.package(
        params,
        config,
        model_store.BUNDLED_DIR / name,
        command,
        training,
        {model_store.AUTO_PICK: False},
    )
    print(f"shipped {workdir} → {model_store.BUNDLED_DIR / name}")
    return card


def repackage_shape_model(name: str) -> dict:
    """A bundled shape model packaged again by fit.package (DBSCAN and, for a two-level model,
    its subcluster step chosen afresh on training-side fields; dev scores; card) with its
    weights and its card's training record unchanged: for a change of the packaging rule."""
    params, config = model_store.load_model(name)
    card = model_store.load_card(name)
    card = fit.package(
        params,
        config,
        model_store.BUNDLED_DIR / name,
        card["made by"],
        card["training"],
        {model_store.AUTO_PICK: False},
    )
    print(f"repackaged {name}")
    return card


def restate_shape_cards() -> None:
    """Every bundled shape model's card given what fit.package writes today about its training
    data (fit.trained_on: the size range `miro cluster` checks, the size tolerance) where its
    training-side fields still reproduce the card's statistics; a model whose simulator has
    changed since keeps its card, and is named."""
    for name in model_store.bundled_models():
        card = model_store.load_card(name)
        if not card or card.get(model_store.AUTO_PICK, True) or fit.SIZE_TOLERANCE_KEY in card:
            continue  # the benchmark's (card_for), or written by today's fit.package
        _, config = model_store.load_model(name)
        now = fit.trained_on(config, input_pipeline.eval_fovs(config, "train"))
        kept = {k: v for k, v in now.items() if k in card["trained on"]}
        if json.loads(json.dumps(kept)) != card["trained on"]:
            print(f"{name}: its training-side fields no longer reproduce its card; card kept")
            continue
        restated = {**card, "trained on": now, fit.SIZE_TOLERANCE_KEY: fit.SIZE_TOLERANCE}
        if restated != card:
            fit.write_model_card(model_store.BUNDLED_DIR / name, restated)
            print(f"{name}: card restated ({fit.SIZE_RANGE_KEY} {now.get(fit.SIZE_RANGE_KEY)})")


def update_readme() -> None:
    """The README's benchmark table (between its markers) := benchmark.md's overview table."""
    overview = BENCHMARK_MD.read_text().split("## Overview", 1)[1].split("## All methods", 1)[0]
    table = "\n".join(line for line in overview.splitlines() if line.startswith("|"))
    readme = report.REPO / "README.md"
    head, rest = readme.read_text().split(README_MARKERS[0], 1)
    readme.write_text(
        head
        + README_MARKERS[0]
        + "\n"
        + table
        + "\n"
        + README_MARKERS[1]
        + rest.split(README_MARKERS[1], 1)[1]
    )


def rewrite_bundled_config(name: str, change) -> None:
    """A bundled model's config.json := change(stored config), written only when it differs."""
    path = model_store.BUNDLED_DIR / name / "config.json"
    stored = model_store.ml_collections.ConfigDict(json.loads(path.read_text()))
    new = change(stored)
    if model_store.config_differences(stored, new):
        model_store.write_config(path, new)


def store_unit_lengths() -> None:
    """Every bundled model's length scale := what one model unit measured in its training data
    (train.stored_config; a benchmark model's: its training FOVs' mean extent, not 2,000 nm)."""
    for name in model_store.bundled_models():
        rewrite_bundled_config(name, train.stored_config)


def upgrade_configs() -> None:
    """Every bundled model's config.json that the current schema changes (model_store.with_defaults:
    fields it lacks get their defaults, config_version the current one) rewritten in it."""
    for name in model_store.bundled_models():
        rewrite_bundled_config(name, model_store.with_defaults)


def same_card(old: dict | None, new: dict) -> bool:
    """Whether two cards say the same but for the date they were written."""

    def content(card):
        return json.loads(json.dumps({k: v for k, v in card.items() if k != "date"}, default=float))

    return old is not None and content(old) == content(new)


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--ship", type=Path, help="folder of <set>/model workdirs to ship")
    p.add_argument("--sets", nargs="+", default=[])
    p.add_argument("--ship-shapes", nargs="+", type=Path, default=[], help="shape-task workdirs")
    p.add_argument(
        "--repackage-shapes",
        nargs="+",
        default=[],
        help="bundled shape models to package again (same weights) after a packaging change",
    )
    p.add_argument(
        "--name",
        help="ship the one --ship-shapes workdir under this configs/shapes.py task's name "
        "(a task simulating the same fields, e.g. a sweep point of spots_ellipses_cpu)",
    )
    args = p.parse_args()
    if args.name and len(args.ship_shapes) != 1:
        raise SystemExit("--name names one model: give exactly one --ship-shapes workdir")
    replaced = ship(args.ship, args.sets) if args.ship else {}
    for workdir in args.ship_shapes:
        ship_shape_model(workdir, args.name)
    for name in args.repackage_shapes:
        repackage_shape_model(name)
    restate_shape_cards()
    upgrade_configs()
    store_unit_lengths()
    store_searched_dbscan()
    rows = benchmark_rows()
    for name in benchmark.SCENARIOS:
        card = card_for(name, rows, replaced)
        if not same_card(model_store.load_card(name), card):  # a new date alone is no change
            fit.write_model_card(model_store.BUNDLED_DIR / name, card)
        print(
            f"{name}: {card['trained on']['density [localizations/um^2]']:.0f} /µm², "
            f"NN {card['trained on']['median nearest-neighbour distance [nm]']:.1f} nm"
        )
    if replaced:  # benchmark.md's overview reads the new cards (a warm start's minutes in all)
        benchmark_experiment.write_summary()
    update_readme()


if __name__ == "__main__":
    main()
