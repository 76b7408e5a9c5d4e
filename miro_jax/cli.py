"""`miro`: cluster localization tables with MIRO, train, evaluate, and run the demo.

miro demo                                     # bundled sample + bundled model, scores, picture
miro cluster cells/ --model scenario_8 --out-dir results      # files, globs, folders
miro cluster locs.csv --model scenario_8 --out labels.csv --stats clusters.csv --plot fig.png
miro train --config configs/benchmark.py:scenario_8 --workdir runs/s8 [--config.x=y ...]
miro evaluate --scenario scenario_8 --model authors --auto-dbscan
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from pathlib import Path

import numpy as np

EXAMPLES = {
    "cluster": """examples:
  miro cluster cell.csv --model scenario_8                      (outputs in a new miro_results/)
  miro cluster cells/ --model scenario_8 --out-dir results      (a folder: summary + overview)
  miro cluster "cells/*.csv" other.csv --model scenario_8 --out-dir results --no-plots
  miro cluster cell.csv --model scenario_8 --out labels.csv --stats clusters.csv --plot cell.png
  miro cluster cells/ --method dbscan --eps 50 --min-samples 10 --out-dir dbscan_results
  miro cluster ts.csv --model runs/s8/model --method miro-hdbscan --format thunderstorm
  miro cluster locs_locs.hdf5 --model scenario_8 --format picasso   (Picasso in, Picasso out)
  miro cluster locs.tsv --x-col X --y-col Y --unit um --model scenario_8
  miro cluster fov.csv --model weights_scenario_8.npz --config configs/benchmark.py:scenario_8""",
    "fit": """examples:
  miro fit annotated/ --out my_model                       (10 minutes; then miro cluster --model my_model)
  miro fit a.csv b.csv --dev c.csv --label-col cluster --out my_model --minutes 5
  miro fit a.csv b.csv --out my_model --steps 2000
  miro fit --single-cluster one_cluster.csv --background raw_cells/ --out my_model
  miro fit --simulate spec.yaml --out my_model
  miro fit --simulate cluster_radius_nm=40 localizations_per_cluster=60 blinking_repeats=4 --out m""",
    "simulate": """examples:
  miro simulate cluster_radius_nm=40 localizations_per_cluster=60 --out field.csv
  miro simulate spec.yaml --out field.csv --size-nm 20000 --seed 3""",
    "train": """examples:
  miro train --config configs/benchmark.py:scenario_8 --workdir runs/s8
  miro train --config configs/benchmark.py:scenario_8 --workdir runs/s8 --config.model.hidden_size=128""",
    "evaluate": """examples:
  miro evaluate --scenario scenario_8 --model authors --auto-dbscan
  miro evaluate --scenario scenario_8 --model runs/s8/model --out results/""",
    "demo": """examples:
  miro demo
  miro demo --plot demo.png""",
}


PROGRESS_MIN_POINTS = 20_000  # fields this large report every stage on stderr (unless --quiet)


class CliError(Exception):
    """A user-facing error: printed as one line, exit code 2."""


def _load_config_file(spec: str):
    """'path.py[:arg]' -> ConfigDict, like ml_collections' config flags."""
    import importlib.util

    path, _, arg = spec.partition(":")
    if not Path(path).exists():
        raise CliError(f"config file not found: {path}")
    module_spec = importlib.util.spec_from_file_location("miro_user_config", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module.get_config(arg) if arg else module.get_config()


def _load_model(args):
    from miro_jax import model_store

    config = _load_config_file(args.config) if getattr(args, "config", None) else None
    return model_store.load_model(args.model, config)


@functools.lru_cache(maxsize=4)
def _bundled_model(name: str):
    """A bundled model, loaded once per process (--model auto may pick it for many files)."""
    from miro_jax import model_store

    return model_store.load_model(name)


def _positive(value, flag: str, kind=float):
    """`value` when it is a finite number > 0 (≥ 1 for counts), else a one-line CliError."""
    if value is None:
        return None
    if not (value == value and abs(value) != float("inf")) or value <= 0:
        raise CliError(
            f"{flag} {value:g}: must be a positive {'whole number' if kind is int else 'number'}"
        )
    return value


METHODS = ("miro", "dbscan", "hdbscan", "miro-hdbscan")  # --method: what clusters


def expand_inputs(specs: list[str]) -> list[Path]:
    """Files, quoted globs and folders (their localization files, sorted) → files, in order."""
    import glob

    from miro_jax import localizations

    files = []
    for spec in specs:
        path = Path(spec)
        if any(ch in spec for ch in "*?[") and not path.exists():
            matches = sorted(Path(m) for m in glob.glob(spec))
            if not matches:
                raise CliError(f"{spec}: no file matches this pattern")
            files += matches
        elif path.is_dir():
            found = sorted(
                p
                for p in path.iterdir()
                if p.suffix.lower() in localizations.SUFFIXES and p.is_file()
            )
            if not found:
                raise CliError(
                    f"{spec}: folder holds no localization files "
                    f"({', '.join(localizations.SUFFIXES)})"
                )
            files += found
        else:
            files.append(path)
    return files


def unique_stems(inputs: list[Path]) -> list[str]:
    """Output name stems, one per input: the file's stem, with _2, _3 … for repeats, so that no
    output of a batch replaces another."""
    seen: dict[str, int] = {}
    stems = []
    for path in inputs:
        seen[path.stem] = seen.get(path.stem, 0) + 1
        stems.append(path.stem if seen[path.stem] == 1 else f"{path.stem}_{seen[path.stem]}")
    return stems


def new_output_folder(inputs: list[Path]) -> Path:
    """A folder that does not exist yet beside the first input: miro_results, miro_results_2 …"""
    parent = inputs[0].resolve().parent
    for i in range(1, 10_000):
        folder = parent / ("miro_results" if i == 1 else f"miro_results_{i}")
        if not folder.exists():
            return folder
    raise CliError(f"{parent}: too many miro_results folders; pass --out-dir")


def _check_cluster_args(args, inputs: list[Path]) -> None:
    """Every option of `miro cluster` checked before anything is read or run."""
    _positive(args.eps, "--eps")
    _positive(args.min_samples, "--min-samples", int)
    _positive(args.min_cluster_size, "--min-cluster-size", int)
    _positive(args.pixel_size, "--pixel-size")
    _positive(args.tile_size_nm, "--tile-size-nm")
    if args.tile_size_nm is not None and args.scaling == "fov":
        raise CliError("--tile-size-nm needs --scaling physical (tiles share one length scale)")
    if args.bf16 and not args.method.startswith("miro"):
        raise CliError(f"--bf16 speeds up MIRO's network; --method {args.method} runs none")
    if args.method.startswith("miro") and not args.model:
        raise CliError(
            f"--method {args.method} needs --model (a bundled name such as "
            "scenario_8, or a model directory)"
        )
    if (
        args.method == "dbscan"
        and not args.model
        and (args.eps is None or args.min_samples is None)
    ):
        raise CliError("--method dbscan without --model needs --eps and --min-samples")
    if (args.out or args.stats or args.plot) and len(inputs) > 1:
        raise CliError(
            "--out, --stats and --plot name one file's outputs; with several inputs use --out-dir"
        )
    if args.auto_dbscan and args.method != "miro":
        raise CliError("--auto-dbscan chooses DBSCAN parameters for --method miro")


def _output_paths(args, source: Path, out_dir: Path | None, stem: str = "") -> dict:
    """out/stats/plot paths of one input, checked (never the input, folder exists, extension);
    `stem` names its files in out_dir (unique within a batch)."""
    from miro_jax import outputs

    suffixes = outputs.FORMATS[args.format]
    if out_dir is not None:
        stem = stem or source.stem
        wanted = {
            "out": out_dir / f"{stem}_{args.method}{suffixes[0]}",
            "stats": out_dir / f"{stem}_{args.method}_clusters.csv",
        }
        if not args.no_plots:
            wanted["plot"] = out_dir / f"{stem}_{args.method}.png"
    else:
        wanted = {"out": Path(args.out)}
        wanted.update({k: Path(getattr(args, k)) for k in ("stats", "plot") if getattr(args, k)})
    allowed = {"out": suffixes, "stats": (".csv",), "plot": (".png", ".pdf", ".svg")}
    paths = {
        k: outputs.check_output_path(v, f"--{k}", [source], allowed[k]) for k, v in wanted.items()
    }
    resolved = [p.resolve() for p in paths.values()]
    if len(set(resolved)) < len(resolved):
        raise CliError("--out, --stats and --plot must name different files")
    return paths


def _cluster_one(args, source: Path, paths: dict, model) -> dict:
    """Reads, squeezes (MIRO methods), clusters and writes one file; returns its summary row."""
    import sklearn.cluster

    from miro_jax import (
        cluster,
        cluster_stats,
        inference,
        localizations,
        metrics,
        outputs,
    )

    t0 = time.time()
    loc = localizations.read_localizations(
        source, args.x_col, args.y_col, args.unit, args.pixel_size, args.drop_invalid
    )
    for note in loc.notes:
        _say(args, f"{source.name}: {note}")
    stages = inference.StageLog(
        not args.quiet and len(loc.xy_nm) >= PROGRESS_MIN_POINTS, t0=time.perf_counter()
    )
    localizations.check_units(loc.xy_nm)
    model_name, statistics = str(args.model) if args.model else "", None
    if args.model == "auto":
        from miro_jax import fit, model_store

        statistics = fit.field_statistics([fit.unlabelled(loc.xy_nm)])
        model_name, reason = model_store.closest_bundled_model(statistics)
        _say(args, f"{source.name}: --model auto: {model_name} ({reason})")
        model = _bundled_model(model_name)
    card = _model_card(model_name)  # read once: both checks below compare with it
    for warning in card_warnings(card, loc.xy_nm, statistics):
        _say(args, f"miro: warning: {source.name}: {warning}")
    if args.auto_dbscan and loc.truth is None:
        raise CliError(
            "--auto-dbscan needs ground truth (an 'index' column) to score "
            "parameters; give --eps and --min-samples instead"
        )
    params, config = model if model else (None, None)
    model_label = model_name + (" (bf16 matmuls)" if args.bf16 else "")  # outputs name the run
    if args.bf16 and config is not None:
        config = config.copy_and_resolve_references()
        config.model.bf16_matmuls = True
    squeezed, classes, confidence, finer = loc.xy_nm, None, None, None
    if args.method.startswith("miro"):
        result = inference.predict(
            loc.xy_nm,
            params,
            config,
            scaling=args.scaling,
            duplicates=args.duplicates,
            tile_size_nm=args.tile_size_nm,
            progress=stages,
        )
        squeezed, classes, confidence = (
            result.squeezed_nm,
            result.classes,
            result.class_probability,
        )
        if args.method == "miro" and config.evals.subcluster_eps > 0:
            finer = result.subcluster_squeezed_nm
    stages.start(f"clustering {len(squeezed):,} localizations")
    if args.method.endswith("hdbscan"):
        size = args.min_cluster_size or (
            config.evals.hdbscan_min_cluster_size
            if config
            else _default_config().evals.hdbscan_min_cluster_size
        )
        labels = (
            sklearn.cluster.HDBSCAN(min_cluster_size=int(size), copy=True).fit_predict(squeezed) + 1
        )
        parameters = f"HDBSCAN min_cluster_size {size}"
    else:
        if args.auto_dbscan:
            from miro_jax import evaluation

            found, _ = evaluation.search_dbscan([squeezed], [loc.truth])
            eps, min_samples = found.eps, found.min_samples
        else:
            ev = config.evals if config else None
            miro = args.method == "miro"
            eps = args.eps if args.eps is not None else (ev.miro_eps if miro else ev.dbscan_eps)
            min_samples = (
                args.min_samples
                if args.min_samples is not None
                else (ev.miro_min_samples if miro else ev.dbscan_min_samples)
            )
        labels = cluster.dbscan_labels(squeezed, eps, min_samples)
        parameters = f"DBSCAN eps {eps:g} nm, minPts {min_samples}"
    subclusters = None
    if finer is not None:  # a two-level model: subclusters from its stored step's squeeze
        ev = config.evals
        subclusters = cluster.dbscan_labels(finer, ev.subcluster_eps, ev.subcluster_min_samples)
        parameters += (
            f"; subclusters at step {inference.subcluster_step(config)}: DBSCAN eps "
            f"{ev.subcluster_eps:g} nm, minPts {ev.subcluster_min_samples}"
        )
    if classes is not None:
        classes = cluster.majority_class_per_cluster(labels, classes)
    stages.start(f"statistics of {int(labels.max(initial=0)):,} clusters")
    stats = cluster_stats.cluster_table(
        loc.xy_nm,
        labels,
        classes,
        confidence,
        loc.frame,
        loc.uncertainty_nm,
        shapes="stats" in paths,  # hulls only for a table someone reads
        subclusters=subclusters,
    )
    if args.method.startswith("miro"):  # sizes a model learnt matter only where it moved points
        for warning in cluster_size_warnings(card, stats) + subcluster_warnings(stats, subclusters):
            _say(args, f"miro: warning: {source.name}: {warning}")
    seconds = time.time() - t0
    _say(
        args,
        f"{source.name}: {cluster_stats.summary_line(labels, stats)}"
        + ("" if subclusters is None else f", {int(subclusters.max(initial=0)):,} subclusters")
        + f" ({parameters}; {seconds:.1f} s)",
    )
    if loc.truth is not None:
        s = metrics.clustering_scores(loc.xy_nm, loc.truth, labels, with_ami=False)
        _say(
            args,
            f"{source.name}: scores vs ground truth: "
            + ", ".join(f"{k} {s[k]:.3f}" for k in ("ARI", "ARI_dagger", "JI_c", "IoU")),
        )
    moved = squeezed if args.method.startswith("miro") else None  # other methods move nothing
    stages.start(f"writing {paths['out']}")
    if args.format == "picasso":
        pixel_size = loc.pixel_size_nm
        if pixel_size is None:
            raise CliError(
                f"{source.name}: --format picasso writes camera pixels: pass "
                "--pixel-size (nm per pixel)"
            )
        outputs.write_picasso(
            paths["out"],
            loc,
            moved,
            labels,
            pixel_size,
            {"Clustering": f"{args.method}: {parameters}", "Model": model_label},
            subclusters,
        )
    elif args.format == "thunderstorm":
        outputs.write_thunderstorm(paths["out"], loc, moved, labels, classes, subclusters)
    else:
        outputs.write_csv(paths["out"], loc, moved, labels, classes, subclusters)
    if "stats" in paths:
        with outputs.atomic_path(paths["stats"]) as tmp:
            stats.to_csv(tmp, index=False)
    if "plot" in paths:
        from miro_jax import plotting  # matplotlib only when a picture is asked for

        with outputs.atomic_path(paths["plot"]) as tmp:
            plotting.plot_clustering(
                tmp,
                loc.xy_nm,
                moved,
                labels,
                loc.truth,
                title=f"{source.name}: {args.method}"
                + (f", {model_label}" if model_label else "")
                + f" ({parameters})",
                uncertainty_nm=loc.uncertainty_nm,
            )
    _say(args, f"{source.name}: wrote " + ", ".join(str(p) for p in paths.values()))
    return {
        "file": source.name,
        **cluster_stats.cell_summary(loc.xy_nm, labels, stats),
        "method": args.method,
        "model": model_label,
        "parameters": parameters,
        "seconds": round(seconds, 2),
    }


def _model_card(model: str | None) -> dict | None:
    """The named model's card (bundled name or directory); None without a model or a card."""
    if not model:
        return None
    from miro_jax import model_store

    return model_store.load_card(model)


def card_warnings(card: dict | None, xy_nm, statistics: dict | None = None) -> list[str]:
    """One line per statistic of the input that is further from the model card's training data
    than the card's tolerance factor (density, nearest-neighbour distance); `statistics`: the
    input's fit.field_statistics when already computed."""
    if not card:
        return []
    from miro_jax import fit, model_store  # only for models that carry a card

    trained = card["trained on"]
    here = statistics or fit.field_statistics([fit.unlabelled(xy_nm)])
    factor = card.get("warn when input differs by more than", fit.CARD_TOLERANCE)
    out = []
    for key in model_store.MATCHED_STATISTICS:
        ratio = here[key] / trained[key] if trained[key] else float("inf")
        if not 1 / factor <= ratio <= factor:
            out.append(
                f"{key} is {here[key]:.3g} here vs {trained[key]:.3g} in the model's "
                f"training data (×{ratio:.2g}); the model may not suit this data "
                "(model_card.md)"
            )
    return out


def cluster_size_warnings(card: dict | None, stats) -> list[str]:
    """One line when the median radius of gyration of the clusters found (`stats`:
    cluster_stats.cluster_table) lies further outside the model's training clusters' 5th–95th
    percentile than the card's factor: structures of a size the model never learnt."""
    if not card or len(stats) == 0:
        return []
    from miro_jax import fit  # only for models that carry a card

    if fit.SIZE_RANGE_KEY not in card["trained on"]:
        return []
    low, high = card["trained on"][fit.SIZE_RANGE_KEY]
    factor = card.get(fit.SIZE_TOLERANCE_KEY, fit.SIZE_TOLERANCE)
    found = float(stats["radius_of_gyration [nm]"].median())
    if low / factor <= found <= high * factor:
        return []
    return [
        f"the {len(stats):,} clusters found have a median radius of gyration of {found:.3g} nm "
        f"vs {low:.3g}–{high:.3g} nm (5th–95th percentile) in the model's training data; the model "
        "may not suit structures of this size (model_card.md)"
    ]


def subcluster_warnings(stats, subclusters) -> list[str]:
    """One line when fewer than fit.SUBCLUSTERS_INSIDE_MIN of a two-level model's subclusters
    lie mostly inside a cluster (`stats`: cluster_stats.cluster_table with its subclusters
    column): its training structures hold all theirs (NPC corners in pores), so a loose scatter
    of subclusters says the data holds structures of another kind."""
    if subclusters is None:
        return []
    from miro_jax import fit

    found = len(np.unique(subclusters[subclusters > 0]))
    if found == 0 or (inside := stats["subclusters"].sum() / found) >= fit.SUBCLUSTERS_INSIDE_MIN:
        return []
    return [
        f"only {inside:.0%} of the {found:,} subclusters found lie inside a cluster, where "
        "the model's training structures hold all of theirs; the model may not suit structures "
        "of this kind (model_card.md)"
    ]


def _say(args, text: str) -> None:
    import tqdm

    tqdm.tqdm.write(text)


def _default_config():
    from configs import default

    return default.get_config()


def cmd_cluster(args) -> int:
    """Clusters one file or a batch; a bad file in a batch is reported and skipped (exit 1)."""
    import pandas as pd
    import tqdm

    from miro_jax import outputs

    inputs = expand_inputs(args.inputs)
    _check_cluster_args(args, inputs)
    single_file = len(inputs) == 1 and any((args.out, args.stats, args.plot))
    if single_file and not args.out:  # only --stats/--plot named: the table goes to a new folder
        folder = Path(args.out_dir) if args.out_dir else new_output_folder(inputs)
        folder.mkdir(parents=True, exist_ok=True)
        args.out = str(folder / f"{inputs[0].stem}_{args.method}{outputs.FORMATS[args.format][0]}")
    out_dir = (
        None if single_file else Path(args.out_dir) if args.out_dir else new_output_folder(inputs)
    )
    if out_dir is not None:
        if out_dir.exists() and not out_dir.is_dir():
            raise CliError(f"--out-dir {out_dir} is a file; give a folder")
        if any(out_dir.resolve() == p.resolve() for p in inputs):
            raise CliError(f"--out-dir {out_dir} is an input")
    stems = unique_stems(inputs)
    if single_file or len(inputs) == 1:
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
        _output_paths(args, inputs[0], out_dir, stems[0])  # errors before any work
    model = _load_model(args) if args.model and args.model != "auto" else None
    rows, failed = [], []
    known = _known_errors()
    bar = tqdm.tqdm(inputs, desc="cells", unit="file", disable=len(inputs) < 2 or args.quiet)
    for source, stem in zip(bar, stems):
        try:
            if out_dir is not None:
                out_dir.mkdir(parents=True, exist_ok=True)
            paths = _output_paths(args, source, out_dir, stem)
            rows.append(_cluster_one(args, source, paths, model))
        except known as err:
            if len(inputs) == 1:
                raise
            failed.append(source.name)
            _say(args, f"miro: error: {source.name}: {err} (skipped)")
    if out_dir is not None and rows:
        summary = pd.DataFrame(rows)
        with outputs.atomic_path(out_dir / "summary.csv") as tmp:
            summary.to_csv(tmp, index=False)
        written = [out_dir / "summary.csv"]
        if len(rows) > 1:
            from miro_jax import plotting

            with outputs.atomic_path(out_dir / "overview.png") as tmp:
                plotting.plot_overview(tmp, summary)
            written.append(out_dir / "overview.png")
        print(
            f"{len(rows)} of {len(inputs)} files clustered "
            f"({summary['seconds'].median():.1f} s per file, median); wrote "
            + ", ".join(str(w) for w in written)
        )
    if failed:
        print(
            f"miro: {len(failed)} of {len(inputs)} files failed: {', '.join(failed)}",
            file=sys.stderr,
        )
        return 1
    return 0


def _known_errors() -> tuple:
    from miro_jax import (
        fit,
        graph,
        inference,
        localizations,
        model_store,
        outputs,
        reference_weights,
        train,
    )

    return (
        CliError,
        localizations.LocalizationFileError,
        graph.GraphInputError,
        fit.FitInputError,
        train.TrainingSetupError,
        model_store.ModelLoadError,
        inference.ModelConfigMismatch,
        inference.ModelOutputError,
        outputs.OutputPathError,
        reference_weights.WeightsFileError,
        FileNotFoundError,
    )


def cmd_fit(args) -> int:
    """Trains a model on the user's annotated files into --out (model + card)."""
    from miro_jax import fit

    modes = [bool(args.train), bool(args.single_cluster), bool(args.simulate)]
    if sum(modes) != 1:
        raise CliError(
            "give annotated TRAIN files, or --single-cluster CLUSTER --background RAW, "
            "or --simulate SPEC (exactly one)"
        )
    if args.background and not args.single_cluster:
        raise CliError("--background goes with --single-cluster")
    train_files = expand_inputs(args.train) if args.train else []
    background = expand_inputs(args.background) if args.background else []
    single = expand_inputs([args.single_cluster])[0] if args.single_cluster else None
    dev_files = expand_inputs(args.dev) if args.dev else []
    _positive(args.minutes, "--minutes")
    _positive(args.steps, "--steps", int)
    _positive(args.pixel_size, "--pixel-size")
    out = Path(args.out)
    workdir = Path(args.workdir or f"{out}.training")
    continuing = (out / "model_card.json").is_file() and workdir.is_dir()
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not continuing:
        raise CliError(f"--out {out} exists and is not a fit to continue; give a new folder")
    if any(out.resolve() == p.resolve() for p in train_files + dev_files + background):
        raise CliError(f"--out {out} is an input")
    spec = fit.read_spec(args.simulate, _default_config().fit.spec) if args.simulate else None
    reader = {
        "x_col": args.x_col or "",
        "y_col": args.y_col or "",
        "unit": args.unit or "",
        "pixel_size": args.pixel_size or 0.0,
    }
    config = fit.fit_config(
        train_files,
        dev_files,
        args.label_col,
        reader,
        args.minutes,
        args.steps,
        single_cluster=single,
        background_files=background,
        spec=spec,
        warm_start=args.init_from,
        exclude_models=args.exclude_model,
    )
    if continuing:
        print(f"continuing the fit in {workdir} (same command, another budget)")
    card = fit.fit(config, out, workdir, progress=not args.quiet)
    dev = card["dev scores"]
    print(
        f"fitted {out} in {card['training']['minutes']} min ({card['training']['steps']} "
        f"steps); DBSCAN after MIRO eps {card['DBSCAN after MIRO']['eps [nm]']:.3g} nm, minPts "
        f"{card['DBSCAN after MIRO']['min samples']}; dev ARI† "
        f"{dev['MIRO + DBSCAN']['ARI_dagger']:.3f} vs DBSCAN alone "
        f"{dev['DBSCAN alone']['ARI_dagger']:.3f}, JI_c {dev['MIRO + DBSCAN']['JI_c']:.3f} vs "
        f"{dev['DBSCAN alone']['JI_c']:.3f}; card: {out / 'model_card.md'}"
    )
    return 0


def cmd_simulate(args) -> int:
    """Writes one field of a spec (x, y nm, index) so the user can look at what a fit sees."""
    from miro_jax import fit, outputs, simulate

    spec = fit.read_spec(args.spec, _default_config().fit.spec)
    _positive(args.size_nm, "--size-nm")
    out = Path(args.out)
    outputs.check_output_path(out, "--out", [], (".csv",))
    field = simulate.spec_field(np.random.default_rng(args.seed), fov_nm=args.size_nm, **spec)
    with outputs.atomic_path(out) as tmp:
        simulate.write_benchmark_csv(tmp, field.xy, field.labels)
    print(
        f"wrote {out}: {len(field.xy)} localizations, {field.labels.max()} clusters, "
        f"{(field.labels > 0).mean():.0%} clustered, {args.size_nm / 1000:g} µm field"
    )
    return 0


def cmd_models(args) -> int:
    """The bundled models with their cards' training statistics, one row each."""
    from miro_jax import model_store

    print(model_store.models_table())
    return 0


def cmd_train(args, overrides) -> int:
    from miro_jax import main as train_main

    sys.argv = ["miro-train", f"--config={args.config}", f"--workdir={args.workdir}", *overrides]
    from absl import app

    app.run(train_main.main, argv=sys.argv)
    return 0


def cmd_evaluate(args) -> int:
    """A benchmark set's dev scores (evaluation.benchmark_report), written to --out."""
    import os

    from miro_jax import evaluation

    if args.data_root:
        os.environ["MIRO_BENCHMARK_ROOT"] = args.data_root
    if args.reference_dir:
        os.environ["MIRO_REFERENCE_DIR"] = args.reference_dir
    command = "miro " + " ".join(args.command_line)
    print(
        evaluation.benchmark_report(
            args.scenario, args.model, args.out, args.auto_dbscan, args.exact_nm, args.bf16, command
        )
    )
    return 0


def cmd_demo(args) -> int:
    import pandas as pd

    from miro_jax import (
        cluster,
        evaluation,
        inference,
        localizations,
        metrics,
        model_store,
        plotting,
    )

    samples = sorted((Path(__file__).resolve().parent / "samples").glob("demo_fov_*.csv"))
    params, config = model_store.load_model(args.model)
    ev = config.evals
    t0 = time.time()
    rows, total = [], 0
    for i, sample in enumerate(samples):
        loc = localizations.read_localizations(sample)
        total += len(loc.xy_nm)
        result = inference.predict(loc.xy_nm, params, config, scaling="fov")
        miro_labels = cluster.dbscan_labels(result.squeezed_nm, ev.miro_eps, ev.miro_min_samples)
        raw_labels = cluster.dbscan_labels(loc.xy_nm, ev.dbscan_eps, ev.dbscan_min_samples)
        for method, labels in (("DBSCAN alone", raw_labels), ("MIRO + DBSCAN", miro_labels)):
            rows.append(
                {"method": method, **metrics.clustering_scores(loc.xy_nm, loc.truth, labels)}
            )
        if i == 0:
            plotting.plot_clustering(
                args.plot,
                loc.xy_nm,
                result.squeezed_nm,
                miro_labels,
                loc.truth,
                title=f"miro demo ({sample.name}): MIRO + DBSCAN",
            )
    cols = ["ARI", "ARI_dagger", "AMI", "ARI_c", "JI_c", "IoU", "RMSRE_N"]
    table = pd.DataFrame(rows).groupby("method", sort=False)[cols].mean()
    table.index = [
        f"DBSCAN alone (eps {ev.dbscan_eps:g} nm, minPts {ev.dbscan_min_samples})",
        f"MIRO + DBSCAN (eps {ev.miro_eps:g} nm, minPts {ev.miro_min_samples})",
    ]
    print(
        f"miro demo: {len(samples)} simulated FOVs, {total} localizations, model "
        f"{args.model!r}; mean scores ({time.time() - t0:.1f} s)"
    )
    print(evaluation.markdown_table(table))
    gain = table.iloc[1]["ARI_dagger"] - table.iloc[0]["ARI_dagger"]
    print(
        f"MIRO + DBSCAN {'beats' if gain > 0 else 'does NOT beat'} DBSCAN alone: ARI† "
        f"{table.iloc[1]['ARI_dagger']:.3f} vs {table.iloc[0]['ARI_dagger']:.3f}, JI_c "
        f"{table.iloc[1]['JI_c']:.3f} vs {table.iloc[0]['JI_c']:.3f}"
    )
    print(f"wrote {args.plot}")
    return 0


def outputs_formats():
    from miro_jax import outputs

    return outputs.FORMATS


def add_reader_options(parser: argparse.ArgumentParser) -> None:
    """The options that say how to read a localization table's coordinates."""
    parser.add_argument("--x-col")
    parser.add_argument("--y-col")
    parser.add_argument("--unit", help="coordinate unit: nm, um or px")
    parser.add_argument("--pixel-size", type=float, help="nm per camera pixel")


def add_command(sub, name: str, help: str) -> argparse.ArgumentParser:
    """A subcommand whose --help ends with its EXAMPLES."""
    return sub.add_parser(
        name, help=help, epilog=EXAMPLES[name], formatter_class=argparse.RawDescriptionHelpFormatter
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="miro", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)

    c = add_command(sub, "cluster", "cluster localization tables (one, several, a folder)")
    c.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="files (any format in the README's table), quoted globs, or folders",
    )
    c.add_argument(
        "--model",
        help="bundled model name, model directory, authors' weights .npz, "
        "or auto (the bundled model trained on data most like each "
        "input; miro models lists them)",
    )
    c.add_argument("--config", help="config for an authors' .npz (configs/benchmark.py:scenario_8)")
    c.add_argument(
        "--method",
        choices=METHODS,
        default="miro",
        help="miro: MIRO + DBSCAN (default); dbscan: DBSCAN alone; hdbscan: HDBSCAN "
        "alone; miro-hdbscan: HDBSCAN on MIRO-squeezed coordinates",
    )
    c.add_argument(
        "--out-dir",
        help="folder for every output (default: a new folder "
        "miro_results[_N] beside the first input)",
    )
    c.add_argument(
        "--format",
        choices=sorted(outputs_formats()),
        default="csv",
        help="csv: input columns + added ones; thunderstorm: ThunderSTORM CSV; "
        "picasso: Picasso HDF5 locs with `group` + .yaml (needs a pixel size)",
    )
    c.add_argument("--out", help="one input only: the output table's path")
    c.add_argument("--stats", help="one input only: per-cluster statistics CSV")
    c.add_argument("--plot", help="one input only: picture (.png/.pdf/.svg)")
    c.add_argument("--no-plots", action="store_true", help="batch: no picture per file")
    c.add_argument("--eps", type=float, help="DBSCAN eps in nm (default: the model's)")
    c.add_argument("--min-samples", type=int, help="DBSCAN minPts (default: the model's)")
    c.add_argument("--min-cluster-size", type=int, help="HDBSCAN min_cluster_size")
    c.add_argument(
        "--auto-dbscan",
        action="store_true",
        help="choose eps/minPts maximizing ARI (needs an 'index' ground-truth column)",
    )
    add_reader_options(c)
    c.add_argument(
        "--scaling",
        choices=["physical", "fov"],
        default="physical",
        help="physical: the model's nm length scale (any FOV size); fov: scale the FOV "
        "to [0,1] per axis like the authors (≈2 µm FOVs)",
    )
    c.add_argument(
        "--duplicates",
        choices=["error", "jitter", "keep"],
        default="error",
        help="what to do with repeated localizations",
    )
    c.add_argument("--drop-invalid", action="store_true", help="skip rows with NaN/inf coordinates")
    c.add_argument(
        "--tile-size-nm",
        type=float,
        help="run the model in square tiles of this side (exact, K-hop halos; default: "
        "balanced tiles of config.predict.max_nodes_per_call localizations)",
    )
    c.add_argument(
        "--bf16",
        action="store_true",
        help="bf16 matmuls with fp32 accumulation: faster on CPUs with bf16 units (AVX512-BF16, "
        "AMX), slower without; squeezed coordinates change slightly, labels rarely "
        "(experiments/results/scale.md)",
    )
    c.add_argument("--quiet", action="store_true", help="no progress lines or bars")

    f = add_command(
        sub,
        "fit",
        "train a model on your own annotated files, one annotated cluster, or a simulation spec",
    )
    f.add_argument(
        "train",
        nargs="*",
        metavar="TRAIN",
        help="annotated files (any input format; a label column, 0 = background), globs or folders",
    )
    f.add_argument(
        "--single-cluster",
        metavar="CLUSTER",
        help="single-shot: a file holding one annotated cluster (all its rows, or its "
        "label > 0), re-placed on the --background fields",
    )
    f.add_argument(
        "--background", nargs="+", metavar="RAW", help="unannotated fields for --single-cluster"
    )
    f.add_argument(
        "--simulate",
        nargs="+",
        metavar="SPEC",
        help="no annotation: train on simulated fields of this spec (YAML/JSON file "
        "or key=value items; miro simulate --help lists the keys)",
    )
    f.add_argument("--out", required=True, help="new folder for the fitted model and its card")
    f.add_argument(
        "--dev",
        nargs="+",
        help="annotated files held back for scoring (default: the "
        "last quarter of each training field's width)",
    )
    f.add_argument("--label-col", default="index", help="cluster label column (default index)")
    f.add_argument(
        "--minutes",
        type=float,
        help="wall-clock budget (default configs/fit.py's, "
        "10); the same command continues a stopped fit",
    )
    f.add_argument("--steps", type=int, help="exact number of training steps instead of a budget")
    f.add_argument(
        "--init-from",
        help="warm start: a model of the same hidden size, 'auto' (the "
        "bundled model trained on the most similar data) or "
        "'none' (default: configs/fit.py's fit.warm_start)",
    )
    f.add_argument(
        "--exclude-model",
        nargs="+",
        default=[],
        metavar="NAME",
        help="bundled models --init-from auto may not use",
    )
    f.add_argument("--workdir", help="checkpoints and logs (default OUT.training)")
    add_reader_options(f)
    f.add_argument("--quiet", action="store_true")

    s = add_command(sub, "simulate", "write a simulated field of a spec (to look at it)")
    s.add_argument(
        "spec",
        nargs="*",
        metavar="SPEC",
        help="YAML/JSON file or key=value items; keys and defaults: "
        + ", ".join(f"{k}={v}" for k, v in _default_config().fit.spec.items()),
    )
    s.add_argument(
        "--out", required=True, help="CSV to write (x, y in nm; index = cluster, 0 = background)"
    )
    s.add_argument("--size-nm", type=float, default=10_000.0, help="field side (default 10 µm)")
    s.add_argument("--seed", type=int, default=0)

    m = sub.add_parser("models", help="list the bundled models and what they were trained on")
    del m

    t = add_command(sub, "train", "train a model")
    t.add_argument("--config", required=True)
    t.add_argument("--workdir", required=True)

    e = add_command(sub, "evaluate", "score a benchmark scenario's dev FOVs")
    e.add_argument("--scenario", required=True)
    e.add_argument("--model", default="authors")
    e.add_argument("--auto-dbscan", action="store_true")
    e.add_argument(
        "--exact-nm",
        action="store_true",
        help="scale squeezed coordinates back exactly (default: the authors' quirk)",
    )
    e.add_argument("--bf16", action="store_true", help="bf16 matmuls (fp32 accumulation)")
    e.add_argument("--out", default=".", help="folder for eval_<set>_<model>.csv/.md (default .)")
    e.add_argument(
        "--data-root",
        help="folder of the Nieves et al. 2023 benchmark "
        "(default $MIRO_BENCHMARK_ROOT or ../shared/data/nieves2023)",
    )
    e.add_argument(
        "--reference-dir",
        help="folder of the authors' weights_<set>.npz (default "
        "$MIRO_REFERENCE_DIR or ../shared/reference)",
    )

    d = add_command(sub, "demo", "run the bundled example end to end")
    d.add_argument("--model", default="scenario_8")
    d.add_argument("--plot", default="miro_demo.png")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args, overrides = parser.parse_known_args(argv)
    args.command_line = argv  # as typed, for the reports that name their command
    if overrides and args.command != "train":
        parser.error(f"unrecognized arguments: {' '.join(overrides)}")
    try:
        if args.command == "cluster":
            return cmd_cluster(args)
        if args.command == "train":
            return cmd_train(args, overrides)
        if args.command == "fit":
            return cmd_fit(args)
        if args.command == "evaluate":
            return cmd_evaluate(args)
        if args.command == "simulate":
            return cmd_simulate(args)
        if args.command == "models":
            return cmd_models(args)
        return cmd_demo(args)
    except _known_errors() as err:
        if args.debug:
            raise
        print(f"miro: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
