"""Experiments on the library: each module is run as `python -m experiments.<name>` (or as a
script) and writes its table under experiments/results/ through experiments.report."""
