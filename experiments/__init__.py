"""Experiments on the library: each module runs as `python -m experiments.<name>` from the
repository root and writes its table under experiments/results/ through
evaluation.write_results_markdown (the machine: evaluation.machine())."""
