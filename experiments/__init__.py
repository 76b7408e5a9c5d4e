"""Experiments on the library: each module runs as `python -m experiments.<name>` from the
repository root and writes its table under experiments/results/ through experiments/report.py
(header with the command, machine and date; the ✓ rules)."""
