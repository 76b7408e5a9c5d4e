"""Scores a benchmark scenario set on its dev FOVs: MIRO + DBSCAN vs DBSCAN alone, into
experiments/results/ (`miro evaluate` with --out experiments/results).

  python -m experiments.evaluate --scenario scenario_8 --model authors [--auto-dbscan]
  python -m experiments.evaluate --scenario scenario_8 --model WORKDIR/model

--model authors loads $MIRO_REFERENCE_DIR/weights_<scenario>.npz into our model. Writes
eval_<scenario>_<tag>.csv (per FOV) and .md (mean ± std, chosen DBSCAN params).
"""

import sys
from pathlib import Path

from miro_jax import cli

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    return cli.main(["evaluate", *argv, *([] if "--out" in argv else ["--out", str(RESULTS)])])


if __name__ == "__main__":
    sys.exit(main())
