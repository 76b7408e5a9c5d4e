"""Every bad input or option of `miro cluster` ends in one line naming the problem and the fix
(exit code 2) before any model runs; inputs are never overwritten; outputs appear whole or not."""

import os

import jax
import numpy as np
import pandas as pd
import pytest
from conftest import needs_benchmark

from miro_jax import cli, model_store, outputs, simulate


@pytest.fixture(scope="module")
def table():
    xy, labels = simulate.gaussian_clusters(
        np.random.default_rng(1), fov_nm=1500.0, num_clusters=8, points_per_cluster=12
    )
    return pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "index": labels})


@pytest.fixture
def csv_file(table, tmp_path):
    path = tmp_path / "cell.csv"
    table.to_csv(path, index=False)
    return path


def one_line_error(capsys, argv, *fragments):
    code = cli.main([str(a) for a in argv])
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert code == 2 and len(err) == 1, err
    for fragment in fragments:
        assert fragment in err[0], err[0]
    return err[0]


@pytest.mark.parametrize(
    "option, value, fragment",
    [
        ("--eps", "0", "--eps 0: must be a positive number"),
        ("--eps", "-5", "--eps -5"),
        ("--eps", "nan", "--eps nan"),
        ("--min-samples", "0", "--min-samples 0: must be a positive whole number"),
        ("--pixel-size", "-130", "--pixel-size -130"),
        ("--tile-size-nm", "-1", "--tile-size-nm -1"),
    ],
)
def test_bad_numbers_are_refused(
    capsys, tiny_model_dir, csv_file, option, value, fragment, monkeypatch
):
    ran = []
    monkeypatch.setattr("miro_jax.inference.predict", lambda *a, **k: ran.append(1))
    one_line_error(
        capsys, ["cluster", csv_file, "--model", tiny_model_dir, option, value], fragment
    )
    assert not ran  # refused before any model runs


def test_tiles_need_physical_scaling(capsys, tiny_model_dir, csv_file):
    one_line_error(
        capsys,
        [
            "cluster",
            csv_file,
            "--model",
            tiny_model_dir,
            "--tile-size-nm",
            "5000",
            "--scaling",
            "fov",
        ],
        "--scaling physical",
    )


def test_output_paths_are_checked_first(capsys, tiny_model_dir, csv_file, tmp_path):
    m = ["--model", tiny_model_dir]
    one_line_error(
        capsys, ["cluster", csv_file, *m, "--out", tmp_path / "no" / "o.csv"], "does not exist"
    )
    (tmp_path / "folder.csv").mkdir()
    one_line_error(
        capsys, ["cluster", csv_file, *m, "--out", tmp_path / "folder.csv"], "is a folder"
    )
    one_line_error(
        capsys,
        ["cluster", csv_file, *m, "--stats", tmp_path / "no" / "s.csv"],
        "--stats",
        "does not exist",
    )
    one_line_error(
        capsys, ["cluster", csv_file, *m, "--out", tmp_path / "o.hdf5"], "ending in .csv"
    )
    one_line_error(capsys, ["cluster", csv_file, *m, "--plot", tmp_path / "p.csv"], "--plot")


def test_an_input_is_never_overwritten(capsys, tiny_model_dir, table, tmp_path):
    tsv = tmp_path / "cell.tsv"
    table.to_csv(tsv, sep="\t", index=False)
    before = tsv.read_bytes()
    for target in (tsv, tmp_path / "." / "cell.tsv"):
        one_line_error(
            capsys, ["cluster", tsv, "--model", tiny_model_dir, "--out", target], "ending in .csv"
        )
    csv = tmp_path / "cell.csv"
    table.to_csv(csv, index=False)
    csv_before = csv.read_bytes()
    link = tmp_path / "link.csv"
    os.symlink(csv, link)
    for target in (csv, link):
        one_line_error(
            capsys, ["cluster", csv, "--model", tiny_model_dir, "--out", target], "is an input file"
        )
    one_line_error(
        capsys, ["cluster", csv, "--model", tiny_model_dir, "--stats", csv], "is an input file"
    )
    assert tsv.read_bytes() == before and csv.read_bytes() == csv_before


def test_a_failed_write_leaves_no_file(tmp_path):
    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError):
        with outputs.atomic_path(target) as tmp:
            tmp.write_text("half a tab")
            raise RuntimeError("killed")
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_micrometres_in_a_nanometre_column_are_caught(capsys, tiny_model_dir, table, tmp_path):
    um = table.assign(x=table.x / 1000, y=table.y / 1000)
    um.to_csv(tmp_path / "um.csv", index=False)
    one_line_error(
        capsys,
        ["cluster", tmp_path / "um.csv", "--model", tiny_model_dir],
        "look like µm",
        "--unit um",
    )
    assert (
        cli.main(
            [
                "cluster",
                str(tmp_path / "um.csv"),
                "--model",
                str(tiny_model_dir),
                "--unit",
                "um",
                "--out",
                str(tmp_path / "o.csv"),
            ]
        )
        == 0
    )


def test_damaged_parameters_are_refused_before_the_model_runs(
    capsys, tiny_model_dir, csv_file, tmp_path
):
    params, config = model_store.load_model(tiny_model_dir)
    broken = jax.tree_util.tree_map(lambda x: np.full_like(np.asarray(x), np.nan), params)
    model_store.save_model(tmp_path / "broken", broken, config)
    one_line_error(
        capsys, ["cluster", csv_file, "--model", tmp_path / "broken"], "NaN or infinite", "re-train"
    )


def test_a_config_that_contradicts_the_model_is_refused(capsys, tiny_model_dir, csv_file, tmp_path):
    config_file = tmp_path / "other.py"
    config_file.write_text(
        "from configs import tiny\n\ndef get_config():\n"
        "    c = tiny.get_config()\n    c.model.num_iterations = 7\n"
        "    c.graph.connectivity_radius = 0.3\n    return c\n"
    )
    one_line_error(
        capsys,
        ["cluster", csv_file, "--model", tiny_model_dir, "--config", config_file],
        "model.num_iterations: 3 → 7",
        "graph.connectivity_radius: 0.2 → 0.3",
    )


def test_drop_invalid_with_every_row_invalid(capsys, tiny_model_dir, tmp_path):
    (tmp_path / "nan.csv").write_text("x,y\nnan,1\n2,nan\n")
    one_line_error(
        capsys,
        ["cluster", tmp_path / "nan.csv", "--model", tiny_model_dir, "--drop-invalid"],
        "all 2 rows",
    )


def test_not_hdf5_under_an_hdf5_name(capsys, tiny_model_dir, tmp_path):
    (tmp_path / "locs.hdf5").write_text("x,y\n1,2\n")
    one_line_error(
        capsys,
        ["cluster", tmp_path / "locs.hdf5", "--model", tiny_model_dir, "--pixel-size", "100"],
        "is not an HDF5 file",
    )


def test_latin1_thunderstorm_file_is_read(capsys, tiny_model_dir, table, tmp_path):
    ts = table.rename(columns={"x": "x [µm]", "y": "y [µm]"})[["x [µm]", "y [µm]"]] / 1000
    path = tmp_path / "ts_latin1.csv"
    ts.to_csv(path, index=False, encoding="latin-1")
    out = tmp_path / "o.csv"
    assert cli.main(["cluster", str(path), "--model", str(tiny_model_dir), "--out", str(out)]) == 0
    result = pd.read_csv(out)
    np.testing.assert_allclose(result["x [µm]"], table.x / 1000)  # µm header survived Latin-1
    np.testing.assert_allclose(result["x_squeezed [nm]"].mean(), table.x.mean(), rtol=0.2)


def test_semicolon_file_with_decimal_commas_is_read(tiny_model_dir, table, tmp_path):
    path = tmp_path / "elyra.csv"
    table[["x", "y"]].to_csv(path, sep=";", decimal=",", index=False)
    out = tmp_path / "o.csv"
    assert cli.main(["cluster", str(path), "--model", str(tiny_model_dir), "--out", str(out)]) == 0
    np.testing.assert_allclose(pd.read_csv(out)["x"], table.x)


def test_blank_label_cells_are_background_and_said(capsys, tiny_model_dir, table, tmp_path):
    blank = table.astype({"index": object})
    blank.loc[[0, 5], "index"] = ""
    blank.to_csv(tmp_path / "blank.csv", index=False)
    assert (
        cli.main(
            [
                "cluster",
                str(tmp_path / "blank.csv"),
                "--model",
                str(tiny_model_dir),
                "--out",
                str(tmp_path / "o.csv"),
            ]
        )
        == 0
    )
    assert "2 blank 'index' cells read as background (0)" in capsys.readouterr().out


def test_duplicates_message_names_the_option(capsys, tiny_model_dir, table, tmp_path):
    pd.concat([table, table.iloc[:2]]).to_csv(tmp_path / "dup.csv", index=False)
    one_line_error(
        capsys, ["cluster", tmp_path / "dup.csv", "--model", tiny_model_dir], "--duplicates jitter"
    )


@needs_benchmark
def test_evaluate_writes_where_out_says(tmp_path, capsys):
    assert (
        cli.main(
            ["evaluate", "--scenario", "scenario_8", "--model", "none", "--out", str(tmp_path)]
        )
        == 0
    )
    table = pd.read_csv(tmp_path / "eval_scenario_8_none.csv")
    assert len(table) == 7 and table["ARI_dagger"].between(0.5, 1.0).all()
    assert (
        "miro evaluate --scenario scenario_8" in (tmp_path / "eval_scenario_8_none.md").read_text()
    )


def test_large_fields_report_every_stage(capsys, monkeypatch, tiny_model_dir, csv_file, tmp_path):
    """No size runs silently: graph, features, model, clustering, statistics and writing each
    print a line (the threshold lowered so that a small field counts as large)."""
    monkeypatch.setattr(cli, "PROGRESS_MIN_POINTS", 10)
    out = tmp_path / "labels.csv"
    assert (
        cli.main(["cluster", str(csv_file), "--model", str(tiny_model_dir), "--out", str(out)]) == 0
    )
    err = capsys.readouterr().err
    stages = [line for line in err.splitlines() if line.startswith("miro: ")]
    expected = ["triangulating", "node features", "MIRO", "clustering", "statistics", "writing"]
    first = [
        next((i for i, s in enumerate(stages) if s.startswith(f"miro: {e}")), -1) for e in expected
    ]
    assert -1 not in first and first == sorted(first), stages
