"""The sweep runner: killed half-way and restarted, it completes only the missing points."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_killed_sweep_resumes_only_missing_points(toy_benchmark, tmp_path):
    sweep_file = tmp_path / "tiny_sweep.py"
    sweep_file.write_text(f"""
def get_sweep():
    return dict(name="tiny", base="{REPO}/configs/tiny.py",
                overrides={{"data.root": "{toy_benchmark}"}},
                points=[{{"model.hidden_size": 8}}, {{"model.hidden_size": 12}}],
                seeds=[0], metrics=["dev_ARI_dagger", "dev_loss"])
""")
    out, results = tmp_path / "runs", tmp_path / "results"
    cmd = [
        sys.executable,
        str(REPO / "scripts" / "sweep.py"),
        str(sweep_file),
        "--out",
        str(out),
        "--results",
        str(results),
    ]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    first = out / "hidden_size=8__seed=0"
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.time() + 240
    while not (first / "model" / "config.json").exists() and time.time() < deadline:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)  # kill the runner and its training child
    proc.wait()
    assert (first / "model" / "config.json").exists()
    second = out / "hidden_size=12__seed=0"
    assert not (second / "model" / "config.json").exists()
    stamp = (first / "metrics.jsonl").stat().st_mtime

    results.mkdir()
    (results / "sweep_tiny.md").write_text("old table\n\n## Discussion\nhand-written comment\n")
    r = subprocess.run(
        cmd + ["--jobs", "2", "--pin"], env=env, capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "done already: hidden_size=8__seed=0" in r.stdout
    assert "finished: hidden_size=12__seed=0" in r.stdout
    assert (first / "metrics.jsonl").stat().st_mtime == stamp  # not retrained
    report = (results / "sweep_tiny.md").read_text()
    assert "| model.hidden_size=8 | 1 |" in report and "| model.hidden_size=12 | 1 |" in report
    assert "old table" not in report and report.rstrip().endswith("hand-written comment")
    assert "training time of all points" in report
    assert (results / "sweep_tiny_model_hidden_size.png").stat().st_size > 5000


def test_points_may_name_their_own_base_config(tmp_path):
    sys.path.insert(0, str(REPO / "scripts"))
    import sweep as sweep_runner

    sweep = dict(
        name="two_sets",
        base="configs/benchmark_cpu.py:scenario_8",
        overrides={"a.b": 1},
        points=[
            {"base": "configs/benchmark_cpu.py:scenario_4", "data.node_features": "constant"},
            {"data.node_features": "constant"},
        ],
        seeds=[0, 1],
    )
    todo = sweep_runner.plan(sweep, tmp_path)
    assert [w.name for w, _, _ in todo] == [
        "base=scenario_4__node_features=constant__seed=0",
        "base=scenario_4__node_features=constant__seed=1",
        "node_features=constant__seed=0",
        "node_features=constant__seed=1",
    ]
    assert [b.split(":")[-1] for _, b, _ in todo] == ["scenario_4"] * 2 + ["scenario_8"] * 2
    assert all("base" not in o and o["a.b"] == 1 for _, _, o in todo)
    assert [o["train.seed"] for _, _, o in todo] == [0, 1, 0, 1]


def test_core_slots_split_the_cores_disjointly():
    sys.path.insert(0, str(REPO / "scripts"))
    import sweep as sweep_runner

    cores = sorted(os.sched_getaffinity(0))
    assert sweep_runner.core_slots(1) == [cores]
    if len(cores) >= 2:
        halves = sweep_runner.core_slots(2)
        assert len(halves) == 2 and not set(halves[0]) & set(halves[1])
        assert sorted(halves[0] + halves[1]) == cores[: 2 * (len(cores) // 2)]


def test_plot_axes_are_the_numeric_keys_else_the_varying_ones(tmp_path):
    sys.path.insert(0, str(REPO / "scripts"))
    import sweep as sweep_runner

    k_points = [
        {"model.num_iterations": k, "model_name": m, "mpn_layer_norm": ln}
        for k in (5, 10)
        for m, ln in (("miro", False), ("mpn", True))
    ]
    assert sweep_runner.plot_axes(k_points) == ["model.num_iterations"]  # bools label series
    modes = [
        {"base": f"configs/benchmark_cpu.py:{s}", "data.node_features": m}
        for s in ("scenario_8", "scenario_4")
        for m in ("laplacian", "constant")
    ]
    assert sweep_runner.plot_axes(modes) == ["base", "data.node_features"]
    rows = [(p, [{"dev_ARI_dagger": 0.5}]) for p in modes]
    png = tmp_path / "modes.png"
    sweep_runner.plot_axis(rows, "data.node_features", ["dev_ARI_dagger"], png)
    assert png.stat().st_size > 5000


def test_claims_share_points_between_live_sweep_processes(tmp_path):
    sys.path.insert(0, str(REPO / "scripts"))
    import sweep as sweep_runner

    point = tmp_path / "hidden_size=8__seed=0"
    assert sweep_runner.claim(point)  # free: this process takes it
    assert sweep_runner.claim(point)  # its own claim
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    (point / "claimed_by").write_text(str(live.pid))
    assert not sweep_runner.claim(point)  # a live other process holds it
    assert sweep_runner.run_point("no/such/config.py", {}, point) == sweep_runner.CLAIMED
    assert not (point / "sweep.log").exists()  # nothing was started
    live.kill()
    live.wait()
    assert sweep_runner.claim(point)  # its process is gone: the stale claim is taken over
    assert (point / "claimed_by").read_text() == str(os.getpid())


def test_the_report_imports_this_checkout_without_an_installed_package(tmp_path):
    """The points train in subprocesses run from the checkout; the report, written in-process,
    must find the same package when none is installed (an editable install that points
    elsewhere failed a report after two hours of training)."""
    probe = f"""
import sys
sys.meta_path = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
sys.path = [p for p in sys.path if p not in ("", ".", {str(REPO)!r})]
try:
    import miro_jax
    print("INSTALLED")
except ImportError:
    sys.path.insert(0, {str(REPO / "scripts")!r})
    import sweep
    print(sweep._miro_jax().__file__)
"""
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.strip()
    if out == "INSTALLED":
        pytest.skip("miro_jax is installed as a regular package here; nothing to hide")
    assert out == str(REPO / "miro_jax" / "__init__.py")


def test_report_shows_each_dev_evaluation_and_counts_resumed_training_time(tmp_path):
    sys.path.insert(0, str(REPO / "scripts"))
    import sweep as sweep_runner

    sweep = sweep_runner.load_sweep(str(REPO / "experiments" / "sweeps" / "hidden_size.py"))
    sweep["points"] = sweep["points"][:2]  # hidden 64 and 128
    sweep["history"] = ["dev_ARI_dagger"]
    out = tmp_path / "runs"
    logs = {  # (step, time, dev ARI†); hidden 128 resumed after step 200 (time restarts at 0)
        64: [(100, 50.0, 0.5), (200, 100.0, 0.6)],
        128: [(100, 60.0, 0.7), (200, 120.0, 0.75), (300, 30.0, 0.8)],
    }
    for point in sweep["points"]:
        workdir = out / sweep_runner.point_name(point, 0)
        (workdir / "model").mkdir(parents=True)
        (workdir / "model" / "config.json").write_text("{}")
        records = [
            {"step": s, "time": t, "dev_ARI_dagger": a}
            for s, t, a in logs[point["model.hidden_size"]]
        ]
        (workdir / "metrics.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    report = sweep_runner.write_report(sweep, out, tmp_path / "results", "cmd").read_text()
    assert "| point | 100 | 200 | 300 |" in report
    assert "| model.hidden_size=64 | 0.500 | 0.600 | – |" in report
    assert "| model.hidden_size=128 | 0.700 | 0.750 | 0.800 |" in report
    assert "training time of all points 4.2 min" in report  # 100 s + (120 + 30) s
    assert sweep_runner.history_table([("p", [{100: 0.5}])], "dev_ARI_dagger") == []
