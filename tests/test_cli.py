"""End to end: the `miro` command on a ThunderSTORM-style file and on bad files of each kind."""

import functools
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml

from miro_jax import cli, simulate

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_miro(*args, cwd=None):
    env = dict(os.environ, PYTHONPATH=REPO)
    return subprocess.run(
        [sys.executable, "-m", "miro_jax.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


@pytest.fixture(scope="module")
def thunderstorm_file(tmp_path_factory):
    rng = np.random.default_rng(3)
    xy, _ = simulate.gaussian_clusters(rng, fov_nm=1500.0, num_clusters=8, points_per_cluster=12)
    n = len(xy)
    table = pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "frame": rng.integers(1, 5000, n),
            "x [nm]": xy[:, 0],
            "y [nm]": xy[:, 1],
            "sigma [nm]": rng.uniform(90, 150, n),
            "intensity [photon]": rng.uniform(500, 3000, n),
            "uncertainty_xy [nm]": rng.uniform(5, 15, n),
        }
    )
    path = tmp_path_factory.mktemp("ts") / "thunderstorm.csv"
    table.to_csv(path, index=False, quoting=1)  # quoted headers, as ThunderSTORM writes them
    return path, table


def test_cluster_thunderstorm_file(tiny_model_dir, thunderstorm_file, tmp_path):
    path, table = thunderstorm_file
    out, stats, plot = tmp_path / "labels.csv", tmp_path / "clusters.csv", tmp_path / "fig.png"
    r = run_miro(
        "cluster",
        path,
        "--model",
        tiny_model_dir,
        "--out",
        out,
        "--stats",
        stats,
        "--plot",
        plot,
        "--eps",
        60,
        "--min-samples",
        5,
    )
    assert r.returncode == 0, r.stderr
    result = pd.read_csv(out)
    for column in table.columns:  # every input column unchanged
        np.testing.assert_array_equal(result[column].to_numpy(), table[column].to_numpy())
    assert {"cluster", "x_squeezed [nm]", "y_squeezed [nm]"} <= set(result.columns)
    s = pd.read_csv(stats)
    assert len(s) == result["cluster"].max()
    assert s["localizations"].sum() == (result["cluster"] > 0).sum()
    assert plot.stat().st_size > 10_000
    assert "clusters" in r.stdout and f"% of {len(table)} localizations clustered" in r.stdout


def miro_in_process(capsys, *args):
    """`miro *args` in this process: its exit code and what it printed. The error paths are
    checked here (each subprocess would spend seconds importing JAX before the message)."""
    from miro_jax import cli

    capsys.readouterr()
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, out, err)


def _bad(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def _assert_one_line_error(r, *fragments):
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = [line for line in r.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    for f in fragments:
        assert f in lines[0], lines[0]


def test_bad_inputs_give_one_line_errors(tiny_model_dir, thunderstorm_file, tmp_path, capsys):
    path, table = thunderstorm_file
    m = ["--model", tiny_model_dir]
    # the installed entry point once, in its own process; the other cases in this one
    _assert_one_line_error(run_miro("cluster", tmp_path / "nope.csv", *m), "file not found")
    miro = functools.partial(miro_in_process, capsys)
    _assert_one_line_error(miro("cluster", _bad(tmp_path, "empty.csv", ""), *m), "is empty")
    _assert_one_line_error(
        miro("cluster", _bad(tmp_path, "cols.csv", "a,b\n1,2\n3,4\n"), *m),
        "no coordinate columns",
        "['a', 'b']",
        "--x-col",
    )
    nan = table.copy()
    nan.loc[[3, 7], "x [nm]"] = np.nan
    nan.to_csv(tmp_path / "nan.csv", index=False)
    _assert_one_line_error(
        miro("cluster", tmp_path / "nan.csv", *m), f"2 of {len(table)} rows", "--drop-invalid"
    )
    r = miro("cluster", tmp_path / "nan.csv", *m, "--drop-invalid", "--out", tmp_path / "o.csv")
    assert r.returncode == 0 and len(pd.read_csv(tmp_path / "o.csv")) == len(table) - 2
    dup = pd.concat([table, table.iloc[:3]])
    dup.to_csv(tmp_path / "dup.csv", index=False)
    _assert_one_line_error(
        miro("cluster", tmp_path / "dup.csv", *m),
        f"3 of {len(table) + 3} points repeat",
        "jitter",
    )
    _assert_one_line_error(
        miro("cluster", _bad(tmp_path, "few.csv", "x,y\n1,2\n3,5\n4,1\n"), *m),
        "at least 6 points",
    )
    _assert_one_line_error(
        miro("cluster", path, "--model", tmp_path / "missing_model"), "not found"
    )


def test_model_problems_give_one_line_errors(tiny_model_dir, thunderstorm_file, tmp_path, capsys):
    import shutil

    path, _ = thunderstorm_file
    miro = functools.partial(miro_in_process, capsys)
    corrupt = tmp_path / "corrupt"
    shutil.copytree(tiny_model_dir, corrupt)
    for f in (corrupt / "params").rglob("*"):
        if f.is_file() and f.stat().st_size > 100:
            f.write_bytes(b"garbage" * 10)
    _assert_one_line_error(miro("cluster", path, "--model", corrupt), "corrupt")
    mismatch = tmp_path / "mismatch"
    shutil.copytree(tiny_model_dir, mismatch)
    cfg = (
        (mismatch / "config.json")
        .read_text()
        .replace('"num_node_features": 5', '"num_node_features": 4')
    )
    (mismatch / "config.json").write_text(cfg)
    _assert_one_line_error(
        miro("cluster", path, "--model", mismatch), "num_node_features: config 4 vs weights 5"
    )


def test_help_has_examples():
    r = run_miro("cluster", "--help")
    assert r.returncode == 0 and "examples:" in r.stdout and "--pixel-size" in r.stdout


def test_demo_runs_and_miro_beats_dbscan(tmp_path):
    """The README's main job: bundled sample + bundled model; MIRO must beat DBSCAN alone."""
    r = run_miro("demo", "--plot", tmp_path / "demo.png")
    assert r.returncode == 0, r.stderr
    assert "MIRO + DBSCAN beats DBSCAN alone" in r.stdout, r.stdout
    assert (tmp_path / "demo.png").stat().st_size > 20_000


@pytest.mark.parametrize("stored_step, step_index", [(0, 1), (1, 0)])  # 0 = k* (2)
def test_two_level_model_adds_subclusters_from_its_stored_step(tmp_path, stored_step, step_index):
    import jax

    from configs import tiny
    from miro_jax import cli, cluster, graph, inference, model_store, models

    config = tiny.get_config()
    config.graph.length_scale_nm = 1000.0
    config.model.num_iterations, config.loss.cutoff_iterations = 4, 2
    config.evals.subcluster_eps, config.evals.subcluster_min_samples = 20.0, 3
    config.evals.subcluster_step = stored_step
    g = graph.build_graph(np.random.default_rng(0).random((30, 2)), 0.2)
    params = models.Miro(**config.model).init(jax.random.key(0), g)
    model_store.save_model(tmp_path / "two_level", params, config)
    field = simulate.multiscale_rings(np.random.default_rng(1), rings_range=(5, 8))
    pd.DataFrame({"x": field.xy[:, 0], "y": field.xy[:, 1]}).to_csv(tmp_path / "f.csv", index=False)
    out = tmp_path / "out.csv"
    code = cli.main(
        [
            "cluster",
            str(tmp_path / "f.csv"),
            "--model",
            str(tmp_path / "two_level"),
            "--out",
            str(out),
            "--no-plots",
            "--quiet",
        ]
    )
    assert code == 0
    written = pd.read_csv(out)["subcluster"].to_numpy()
    _, stored = model_store.load_model(tmp_path / "two_level")
    steps = [
        cluster.dbscan_labels(
            inference.predict(field.xy, params, stored, step_index=i).squeezed_nm, 20.0, 3
        )
        for i in (0, 1)
    ]
    assert not np.array_equal(*steps)  # the two steps' subclusters differ: the step matters
    assert written.max() > 0 and np.array_equal(written, steps[step_index])


def test_bf16_matmuls_keep_the_labels(tiny_model_dir, thunderstorm_file, tmp_path, capsys):
    path, table = thunderstorm_file
    miro = functools.partial(miro_in_process, capsys)
    common = ["--model", tiny_model_dir, "--eps", 60, "--min-samples", 5]
    outs = {}
    for name, extra in (("fp32", []), ("bf16", ["--bf16"])):
        outs[name] = tmp_path / f"{name}.csv"
        r = miro("cluster", path, *common, *extra, "--out", outs[name])
        assert r.returncode == 0, r.stderr
    fp32, bf16 = pd.read_csv(outs["fp32"]), pd.read_csv(outs["bf16"])
    moved = ["x_squeezed [nm]", "y_squeezed [nm]"]
    shift = np.abs(bf16[moved].to_numpy() - fp32[moved].to_numpy()).max()
    assert 0 < shift < 2.0, shift  # nm (0.3 nm measured); the field is 1,500 nm wide
    assert (bf16["cluster"] == fp32["cluster"]).mean() >= 0.99
    picasso = tmp_path / "bf16.hdf5"  # the written metadata names the precision the run used
    r = miro(
        "cluster",
        path,
        *common,
        "--bf16",
        "--format",
        "picasso",
        "--pixel-size",
        130,
        "--out",
        picasso,
    )
    assert r.returncode == 0, r.stderr
    metadata = list(yaml.safe_load_all(picasso.with_suffix(".yaml").read_text()))[-1]
    assert metadata["Model"] == f"{tiny_model_dir} (bf16 matmuls)"
    _assert_one_line_error(
        miro("cluster", path, "--method", "dbscan", "--bf16"), "--bf16", "runs none"
    )


@pytest.mark.parametrize("radius_nm, warned", [(50.0, True), (250.0, False)])
def test_shape_model_warns_on_structures_of_another_size(tmp_path, capsys, radius_nm, warned):
    """c_shapes_rings learnt 250-nm rings: rings of radius 50 nm at a density its field check
    accepts are labelled C-shapes, and only the cluster-size check says so."""
    field = tmp_path / "rings.csv"
    spec = ["shape=ring", f"cluster_radius_nm={radius_nm}", "localizations_per_cluster=25"]
    assert cli.main(["simulate", *spec, "cluster_density_per_um2=1", "--size-nm", "5000",
                     "--out", str(field)]) == 0  # fmt: skip
    capsys.readouterr()
    out = tmp_path / "o.csv"
    assert cli.main(["cluster", str(field), "--model", "c_shapes_rings", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "the model may not suit this data" not in said  # the field check passes
    assert ("median radius of gyration" in said) == warned
