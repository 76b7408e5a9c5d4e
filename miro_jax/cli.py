"""`miro`: cluster localization tables with MIRO, train, evaluate, and run the demo.

  miro demo                                     # bundled sample + bundled model, scores, picture
  miro cluster locs.csv --model scenario_8 --out labels.csv --stats clusters.csv --plot fig.png
  miro train --config configs/benchmark.py:scenario_8 --workdir runs/s8 [--config.x=y ...]
  miro evaluate --scenario scenario_8 --model authors --auto-dbscan
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

EXAMPLES = {
    "cluster": """examples:
  miro cluster cell.csv --model scenario_8 --plot cell.png
  miro cluster ts.csv --model runs/s8/model --eps 40 --min-samples 4 --stats clusters.csv
  miro cluster locs.tsv --x-col X --y-col Y --unit um --model scenario_8
  miro cluster locs_locs.hdf5 --pixel-size 130 --model scenario_8   (Picasso)
  miro cluster fov.csv --model weights_scenario_8.npz --config configs/benchmark.py:scenario_8""",
    "train": """examples:
  miro train --config configs/benchmark.py:scenario_8 --workdir runs/s8
  miro train --config configs/benchmark.py:scenario_8 --workdir runs/s8 --config.model.hidden_size=128""",
    "evaluate": """examples:
  miro evaluate --scenario scenario_8 --model authors --auto-dbscan
  miro evaluate --scenario scenario_8 --model runs/s8/model""",
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
    sys.path.insert(0, str(Path(path).resolve().parents[1]))
    module_spec.loader.exec_module(module)
    return module.get_config(arg) if arg else module.get_config()


def _load_model(args):
    from miro_jax import model_store
    config = _load_config_file(args.config) if getattr(args, "config", None) else None
    return model_store.load_model(args.model, config)


def _positive(value, flag: str, kind=float):
    """`value` when it is a finite number > 0 (≥ 1 for counts), else a one-line CliError."""
    if value is None:
        return None
    if not (value == value and abs(value) != float("inf")) or value <= 0:
        raise CliError(f"{flag} {value:g}: must be a positive "
                       f"{'whole number' if kind is int else 'number'}")
    return value


def _check_cluster_args(args) -> dict:
    """Every option of `miro cluster` checked before anything is read or run; returns the
    output paths (out, stats, plot)."""
    from miro_jax import outputs
    _positive(args.eps, "--eps")
    _positive(args.min_samples, "--min-samples", int)
    _positive(args.pixel_size, "--pixel-size")
    _positive(args.tile_size_nm, "--tile-size-nm")
    if args.tile_size_nm is not None and args.scaling == "fov":
        raise CliError("--tile-size-nm needs --scaling physical (tiles share one length scale)")
    out = args.out or str(Path(args.input).with_suffix("")) + "_miro.csv"
    paths = {"out": outputs.check_output_path(out, "--out", [args.input], (".csv",))}
    if args.stats:
        paths["stats"] = outputs.check_output_path(args.stats, "--stats", [args.input], (".csv",))
    if args.plot:
        paths["plot"] = outputs.check_output_path(args.plot, "--plot", [args.input],
                                                  (".png", ".pdf", ".svg"))
    resolved = [p.resolve() for p in paths.values()]
    if len(set(resolved)) < len(resolved):
        raise CliError("--out, --stats and --plot must name different files")
    return paths


def cmd_cluster(args) -> int:
    from miro_jax import (
        cluster,
        cluster_stats,
        inference,
        localizations,
        metrics,
        outputs,
        plotting,
    )
    paths = _check_cluster_args(args)
    loc = localizations.read_localizations(args.input, args.x_col, args.y_col, args.unit,
                                           args.pixel_size, args.drop_invalid)
    for note in loc.notes:
        print(f"{Path(args.input).name}: {note}")
    localizations.check_units(loc.xy_nm)
    if args.auto_dbscan and loc.truth is None:
        raise CliError("--auto-dbscan needs ground truth (an 'index' column) to score "
                       "parameters; give --eps and --min-samples instead")
    params, config = _load_model(args)
    t0 = time.time()
    result = inference.predict(loc.xy_nm, params, config, scaling=args.scaling,
                               duplicates=args.duplicates, tile_size_nm=args.tile_size_nm,
                               progress=not args.quiet and len(loc.xy_nm) >= PROGRESS_MIN_POINTS)
    if args.auto_dbscan:
        from miro_jax import evaluation
        found, _ = evaluation.search_dbscan([result.squeezed_nm], [loc.truth])
        eps, min_samples = found.eps, found.min_samples
    else:
        eps = args.eps if args.eps is not None else config.evals.miro_eps
        min_samples = args.min_samples if args.min_samples is not None else config.evals.miro_min_samples
    labels = cluster.dbscan_labels(result.squeezed_nm, eps, min_samples)
    classes = None
    if result.classes is not None:
        classes = cluster.majority_class_per_cluster(labels, result.classes)
    out = loc.table.copy()
    out["x_squeezed [nm]"], out["y_squeezed [nm]"] = result.squeezed_nm.T
    out["cluster"] = labels
    if classes is not None:
        out["class"] = classes
    stats = cluster_stats.cluster_table(loc.xy_nm, labels, classes, result.class_probability)
    print(f"{Path(args.input).name}: {cluster_stats.summary_line(labels, stats)} "
          f"(DBSCAN eps {eps:g} nm, minPts {min_samples}; {time.time() - t0:.1f} s)")
    if loc.truth is not None:
        s = metrics.clustering_scores(loc.xy_nm, loc.truth, labels, with_ami=False)
        print("scores vs ground truth: " + ", ".join(f"{k} {s[k]:.3f}" for k in
                                                     ("ARI", "ARI_dagger", "JI_c", "IoU")))
    with outputs.atomic_path(paths["out"]) as tmp:
        out.to_csv(tmp, index=False)
    print(f"wrote {paths['out']}")
    if "stats" in paths:
        with outputs.atomic_path(paths["stats"]) as tmp:
            stats.to_csv(tmp, index=False)
        print(f"wrote {paths['stats']}")
    if "plot" in paths:
        with outputs.atomic_path(paths["plot"]) as tmp:
            plotting.plot_clustering(tmp, loc.xy_nm, result.squeezed_nm, labels, loc.truth,
                                     title=Path(args.input).name)
        print(f"wrote {paths['plot']}")
    return 0


def cmd_train(args, overrides) -> int:
    from miro_jax import main as train_main
    sys.argv = ["miro-train", f"--config={args.config}", f"--workdir={args.workdir}", *overrides]
    from absl import app
    app.run(train_main.main, argv=sys.argv)
    return 0


def cmd_evaluate(args) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from experiments import evaluate
    argv = ["--scenario", args.scenario, "--model", args.model]
    if args.auto_dbscan:
        argv.append("--auto-dbscan")
    evaluate.main(argv)
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
            rows.append({"method": method, **metrics.clustering_scores(loc.xy_nm, loc.truth, labels)})
        if i == 0:
            plotting.plot_clustering(args.plot, loc.xy_nm, result.squeezed_nm, miro_labels,
                                     loc.truth, title=f"miro demo ({sample.name}): MIRO + DBSCAN")
    cols = ["ARI", "ARI_dagger", "AMI", "ARI_c", "JI_c", "IoU", "RMSRE_N"]
    table = pd.DataFrame(rows).groupby("method", sort=False)[cols].mean()
    table.index = [f"DBSCAN alone (eps {ev.dbscan_eps:g} nm, minPts {ev.dbscan_min_samples})",
                   f"MIRO + DBSCAN (eps {ev.miro_eps:g} nm, minPts {ev.miro_min_samples})"]
    print(f"miro demo: {len(samples)} simulated FOVs, {total} localizations, model "
          f"{args.model!r}; mean scores ({time.time() - t0:.1f} s)")
    print(evaluation.markdown_table(table))
    gain = table.iloc[1]["ARI_dagger"] - table.iloc[0]["ARI_dagger"]
    print(f"MIRO + DBSCAN {'beats' if gain > 0 else 'does NOT beat'} DBSCAN alone: ARI† "
          f"{table.iloc[1]['ARI_dagger']:.3f} vs {table.iloc[0]['ARI_dagger']:.3f}, JI_c "
          f"{table.iloc[1]['JI_c']:.3f} vs {table.iloc[0]['JI_c']:.3f}")
    print(f"wrote {args.plot}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="miro", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)
    fmt = argparse.RawDescriptionHelpFormatter

    c = sub.add_parser("cluster", help="cluster a localization table", epilog=EXAMPLES["cluster"],
                       formatter_class=fmt)
    c.add_argument("input", help="CSV/TSV (benchmark, ThunderSTORM, plain) or Picasso .hdf5")
    c.add_argument("--model", required=True,
                   help="bundled model name, model directory, or authors' weights .npz")
    c.add_argument("--config", help="config for an authors' .npz (configs/benchmark.py:scenario_8)")
    c.add_argument("--out", help="output table (default INPUT_miro.csv)")
    c.add_argument("--stats", help="per-cluster statistics CSV")
    c.add_argument("--plot", help="PNG picture")
    c.add_argument("--eps", type=float, help="DBSCAN eps in nm (default: the model's)")
    c.add_argument("--min-samples", type=int, help="DBSCAN minPts (default: the model's)")
    c.add_argument("--auto-dbscan", action="store_true",
                   help="choose eps/minPts maximizing ARI (needs an 'index' ground-truth column)")
    c.add_argument("--x-col")
    c.add_argument("--y-col")
    c.add_argument("--unit", help="coordinate unit: nm, um or px")
    c.add_argument("--pixel-size", type=float, help="nm per camera pixel")
    c.add_argument("--scaling", choices=["physical", "fov"], default="physical",
                   help="physical: the model's nm length scale (any FOV size); fov: scale the FOV "
                        "to [0,1] per axis like the authors (≈2 µm FOVs)")
    c.add_argument("--duplicates", choices=["error", "jitter", "keep"], default="error",
                   help="what to do with repeated localizations")
    c.add_argument("--drop-invalid", action="store_true", help="skip rows with NaN/inf coordinates")
    c.add_argument("--tile-size-nm", type=float,
                   help="run the model in square tiles of this side (exact, K-hop halos; default: "
                        "balanced tiles of config.predict.max_nodes_per_call localizations)")
    c.add_argument("--quiet", action="store_true", help="no progress lines for large fields")

    t = sub.add_parser("train", help="train a model", epilog=EXAMPLES["train"], formatter_class=fmt)
    t.add_argument("--config", required=True)
    t.add_argument("--workdir", required=True)

    e = sub.add_parser("evaluate", help="score a benchmark scenario's dev FOVs",
                       epilog=EXAMPLES["evaluate"], formatter_class=fmt)
    e.add_argument("--scenario", required=True)
    e.add_argument("--model", default="authors")
    e.add_argument("--auto-dbscan", action="store_true")

    d = sub.add_parser("demo", help="run the bundled example end to end", epilog=EXAMPLES["demo"],
                       formatter_class=fmt)
    d.add_argument("--model", default="scenario_8")
    d.add_argument("--plot", default="miro_demo.png")
    return parser


def main(argv: list[str] | None = None) -> int:
    from miro_jax import graph, inference, localizations, model_store, reference_weights
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args, overrides = parser.parse_known_args(argv)
    if overrides and args.command != "train":
        parser.error(f"unrecognized arguments: {' '.join(overrides)}")
    from miro_jax import outputs
    known = (CliError, localizations.LocalizationFileError, graph.GraphInputError,
             model_store.ModelLoadError, inference.ModelConfigMismatch,
             inference.ModelOutputError, outputs.OutputPathError,
             reference_weights.WeightsFileError, FileNotFoundError)
    try:
        if args.command == "cluster":
            return cmd_cluster(args)
        if args.command == "train":
            return cmd_train(args, overrides)
        if args.command == "evaluate":
            return cmd_evaluate(args)
        return cmd_demo(args)
    except known as err:
        if args.debug:
            raise
        print(f"miro: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
