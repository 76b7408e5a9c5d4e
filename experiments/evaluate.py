"""Scores a benchmark scenario set on its dev FOVs: MIRO + DBSCAN vs DBSCAN alone.

  python experiments/evaluate.py --scenario scenario_8 --model authors [--auto-dbscan]
  python experiments/evaluate.py --scenario scenario_8 --model WORKDIR/model

--model authors loads ../shared/reference/weights_<scenario>.npz into our model. Writes
experiments/results/eval_<scenario>_<tag>.csv (per FOV) and .md (mean ± std, chosen DBSCAN params).
"""

from __future__ import annotations

import argparse
import datetime
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from configs import benchmark  # noqa: E402
from miro_jax import evaluation, model_store, reference_weights  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", required=True)
    parser.add_argument("--model", default="authors", help="'authors', 'none', a model dir or name")
    parser.add_argument("--auto-dbscan", action="store_true")
    parser.add_argument("--exact-nm", action="store_true",
                        help="scale squeezed coordinates back exactly (default: authors' quirk)")
    parser.add_argument("--bf16", action="store_true", help="bf16 matmuls (fp32 accumulation)")
    parser.add_argument("--tag", default=None)
    parser.add_argument("--out", default=str(REPO / "experiments" / "results"))
    args = parser.parse_args(argv)

    config = benchmark.get_config(args.scenario)
    config.evals.authors_scaling = not args.exact_nm
    params, label = None, None
    if args.model == "authors":
        ref = reference_weights.weights_path(args.scenario)
        params, _ = model_store.load_model(ref, config)
        label = "MIRO authors' weights"
    elif args.model != "none":
        params, trained_config = model_store.load_model(args.model)
        trained_config.evals.authors_scaling = config.evals.authors_scaling
        config = trained_config
        label = "MIRO ours"
    config.model.bf16_matmuls = args.bf16
    t0 = time.time()
    result = evaluation.evaluate_benchmark(config, params, args.auto_dbscan, label=label or "MIRO")
    tag = args.tag or (args.model if args.model in ("authors", "none") else Path(args.model).name)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"eval_{args.scenario}_{tag}"
    result["per_fov"].to_csv(f"{stem}.csv", index=False)
    command = "python experiments/evaluate.py " + " ".join(argv if argv is not None else sys.argv[1:])
    lines = [
        f"# {args.scenario}: dev FOVs {list(config.data.dev_fovs)}",
        "",
        f"Command: `{command}`  ",
        f"Machine: {platform.machine()}, {platform.processor() or 'cpu'}, 2 cores; date "
        f"{datetime.date.today()}; wall time {time.time() - t0:.0f} s",
        "",
        "| method | eps (nm) | minPts |",
        "|---|---|---|",
    ]
    lines += [f"| {m} | {p.eps:.2f} | {p.min_samples} |" for m, p in result["chosen"].items()]
    lines += ["", evaluation.markdown_table(result["summary"]), "", "Per FOV: " + Path(f"{stem}.csv").name, ""]
    Path(f"{stem}.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
