"""What every results file says about where it was measured: the machine, read from the
environment (CPU model, cores this process may use, accelerator)."""

import os
import platform
from pathlib import Path


def cpu_model() -> str:
    """The CPU's model name (/proc/cpuinfo), else the platform's processor string."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def machine() -> str:
    """e.g. 'x86_64 AMD EPYC 7B13, 2 cores, CPU' (cores = those this process may run on)."""
    import jax

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    devices = {d.platform for d in jax.devices()}
    accelerator = "CPU" if devices == {"cpu"} else "/".join(sorted(devices)).upper()
    return f"{platform.machine()} {cpu_model()}, {cores} cores, {accelerator}"
