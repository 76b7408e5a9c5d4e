#!/usr/bin/env bash
# The next lent GPU's job, in two halves (the device README: only the checkout travels, the
# image lacks jraph and ml_collections, nothing can be fetched there):
#   bash scripts/device_job.sh prepare        # here: the data and wheels the call carries
#   run(command="bash scripts/device_job.sh run", carry=[".device_data", ".whl"], timeout_s=540)
# `run` installs the wheels into /tmp/site and trains RUNS at once under a budget each
# (scripts/device_train.py), the packed models back under $OUT. `TINY=1 ... run` checks it on
# the CPU (4 steps of a small model per run).
set -euo pipefail
cd "$(dirname "$0")/.."

SETS=(scenario_2_blinking)  # benchmark sets the runs train on
RUNS=(
  "configs/benchmark_cpu.py:scenario_2_blinking,model.hidden_size=256"
  configs/shapes_full.py:adjacent_pairs
  configs/shapes_full.py:multiscale_rings
  configs/shapes_full.py:npc_like
  configs/shapes_full.py:c_shapes_rings
)
WHEELS=(jraph==0.0.6.dev0 ml_collections==1.1.0)
MINUTES=${MINUTES:-7}

case "${1:-}" in
  prepare)
    for folder in .device_data .whl; do
      grep -qx "/$folder/" .git/info/exclude 2>/dev/null || echo "/$folder/" >>.git/info/exclude
    done
    root=${MIRO_BENCHMARK_ROOT:-../shared/data/nieves2023}
    rm -rf .device_data && mkdir -p .device_data .whl
    cp "$root/manifest.json" .device_data/
    for set in "${SETS[@]}"; do cp -r "$root/$set" .device_data/; done
    python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
      --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux2014_x86_64 \
      -d .whl "${WHEELS[@]}"
    du -sh .device_data .whl
    ;;
  run)
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
      --target /tmp/site .whl/*.whl
    export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
    export MIRO_BENCHMARK_ROOT=.device_data
    nvidia-smi -L 2>/dev/null || true
    python3 -c "import jax; print('jax', jax.__version__, jax.devices())"
    if [ -z "${TINY:-}" ]; then  # a CPU-only JAX would spend the lease training at CPU speed
      python3 -c "import jax, sys; sys.exit(jax.default_backend() != 'gpu')" \
        || { echo "device_job: JAX sees no GPU; nothing trained" >&2; exit 3; }
    fi
    python3 scripts/device_train.py --out "${OUT:-/tmp/device_out}" --minutes "$MINUTES" \
      ${TINY:+--tiny} "${RUNS[@]}"
    ;;
  *)
    echo "usage: bash scripts/device_job.sh prepare|run" >&2
    exit 2
    ;;
esac
