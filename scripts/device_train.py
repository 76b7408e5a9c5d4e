"""Trains several configs at once on one accelerator and packs each model for the trip back.

  python scripts/device_train.py --out $OUT --minutes 7 configs/shapes_full.py:c_shapes ...

The next lent GPU's call (checked with --tiny on the CPU, 2026-11-30):
  python scripts/device_train.py --out $OUT --minutes 7 configs/shapes_full.py:c_shapes_calibrated \
      configs/shapes_full.py:rings_calibrated configs/shapes_full.py:multiscale_rings \
      configs/shapes_full.py:spots_ellipses

Each config trains in its own process (the GPU is shared; graphs are built on the host's cores)
under a wall-clock budget (train.max_minutes: the run checkpoints and writes model/ when it
runs out). Each workdir's model/, config.json and metrics.jsonl go into OUT/<name>.tar.gz.
Check on the CPU first: --tiny runs 4 steps of a small model per config.
"""

import argparse
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path


def train_one(spec: str, workdir: Path, minutes: float, tiny: bool) -> subprocess.Popen:
    overrides = [f"--config.train.max_minutes={minutes}"]
    if tiny:
        overrides += [
            "--config.train.num_train_steps=4",
            "--config.model.hidden_size=16",
            "--config.data.dataset_size=4",
            "--config.train.eval_every=4",
            "--config.evals.max_fovs=1",
            "--config.data.num_eval_fovs=1",
        ]
    log = open(workdir.with_suffix(".log"), "w")
    env = {**os.environ, "XLA_PYTHON_CLIENT_PREALLOCATE": "false"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "miro_jax.main",
            f"--config={spec}",
            f"--workdir={workdir}",
            *overrides,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )


def pack(workdir: Path, out: Path) -> Path:
    archive = out / f"{workdir.name}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name in ("model", "config.json", "metrics.jsonl"):
            if (workdir / name).exists():
                tar.add(workdir / name, arcname=f"{workdir.name}/{name}")
        if workdir.with_suffix(".log").exists():
            tar.add(workdir.with_suffix(".log"), arcname=f"{workdir.name}/train.log")
    return archive


def main() -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("configs", nargs="+", help="config specs, e.g. configs/shapes_full.py:rings")
    p.add_argument("--out", required=True, help="folder for the packed models")
    p.add_argument("--workroot", default="/tmp/device_runs")
    p.add_argument("--minutes", type=float, default=7.0, help="training budget per config")
    p.add_argument("--tiny", action="store_true", help="4 steps of a small model (CPU check)")
    args = p.parse_args()
    out, root = Path(args.out), Path(args.workroot)
    out.mkdir(parents=True, exist_ok=True)
    root.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    runs = {}
    for spec in args.configs:
        workdir = root / spec.rpartition(":")[2]
        runs[workdir] = train_one(spec, workdir, args.minutes, args.tiny)
    for workdir, proc in runs.items():
        code = proc.wait()
        archive = pack(workdir, out)
        log_tail = workdir.with_suffix(".log").read_text().splitlines()[-3:]
        print(
            f"{workdir.name}: exit {code}, {time.time() - t0:.0f} s, {archive.name} "
            f"{archive.stat().st_size / 1e6:.1f} MB | {' / '.join(log_tail)[-300:]}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
