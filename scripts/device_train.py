"""Trains several configs at once on one accelerator and packs each model for the trip back.

  python scripts/device_train.py --out $OUT --minutes 7 configs/shapes_full.py:c_shapes ...

A run is a config spec with optional overrides after commas,
`configs/benchmark_cpu.py:scenario_2_blinking,model.hidden_size=256`; its workdir and archive are
named as scripts/sweep.py names a point (`base=scenario_2_blinking__hidden_size=256__seed=0`;
the archive with `-` for `=`, as the device returns only names of letters, digits, `.`, `_`, `-`).

The next lent GPU's job, its runs, and what it carries (the data and the two wheels the device
image lacks): scripts/device_job.sh, `prepare` here and `run` there (checked end to end on the
CPU from a fresh clone with TINY=1, 2026-12-07).

Each config trains in its own process (the GPU is shared; graphs are built on the host's cores)
under a wall-clock budget (train.max_minutes: the run checkpoints and writes model/ when it
runs out). Each workdir's model/, config.json and metrics.jsonl go into OUT/<name>.tar.gz.
Check on the CPU first: --tiny runs 4 steps of a small model per config.
"""

import argparse
import os
import re
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import sweep  # scripts/sweep.py: one way to name a run from its config and overrides


def parse_run(text: str) -> tuple[str, dict[str, str]]:
    """'configs/x.py:task,key=value,...' → (config spec, overrides)."""
    spec, *pairs = text.split(",")
    overrides = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not (sep and key and value):
            raise SystemExit(
                f"device_train: {pair!r} in {text!r} is not key=value; write e.g. "
                f"{spec},model.hidden_size=256"
            )
        overrides[key] = value
    return spec, overrides


def run_name(spec: str, overrides: dict[str, str]) -> str:
    """A run's workdir name, as scripts/sweep.py names a point (its seed: train.seed, default 0)."""
    point = {"base": spec, **{k: v for k, v in overrides.items() if k != "train.seed"}}
    return sweep.point_name(point, seed=overrides.get("train.seed", 0))


def train_one(
    spec: str, config_overrides: dict, workdir: Path, minutes: float, tiny: bool
) -> subprocess.Popen:
    overrides = [f"--config.{k}={v}" for k, v in config_overrides.items()]
    overrides += [f"--config.train.max_minutes={minutes}"]
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
    archive = out / f"{re.sub(r'[^A-Za-z0-9._-]', '-', workdir.name)}.tar.gz"  # names $OUT returns
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
    p.add_argument(
        "configs",
        nargs="+",
        help="config specs with optional ,key=value overrides, e.g. "
        "configs/benchmark_cpu.py:scenario_2_blinking,model.hidden_size=256",
    )
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
    for text in args.configs:
        spec, overrides = parse_run(text)
        workdir = root / run_name(spec, overrides)
        runs[workdir] = train_one(spec, overrides, workdir, args.minutes, args.tiny)
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
