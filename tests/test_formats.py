"""Readers for the formats labs have (files made here), output formats that round-trip through
our reader, and the batch mode of `miro cluster`."""

import h5py
import numpy as np
import pandas as pd
import pytest
import scipy.io

from miro_jax import cli, cluster_stats, localizations, outputs, plotting, simulate


@pytest.fixture(scope="module")
def field():
    xy, labels = simulate.gaussian_clusters(
        np.random.default_rng(5), fov_nm=1500.0, num_clusters=8, points_per_cluster=12
    )
    return xy, labels


def _read(path, **kw):
    return localizations.read_localizations(path, **kw)


def test_decode_csv_with_comment_lines_in_pixels(field, tmp_path):
    xy, _ = field
    path = tmp_path / "decode.csv"
    lines = [
        "# DECODE emitter set",
        "# xy_unit: px, px_size: [100.0, 100.0]",
        "x,y,z,phot,frame_ix",
    ]
    lines += [f"{x / 100},{y / 100},0.0,1000,{i}" for i, (x, y) in enumerate(xy)]
    path.write_text("\n".join(lines) + "\n")
    loc = _read(path)
    assert loc.source_format == "decode"
    np.testing.assert_allclose(loc.xy_nm, xy, rtol=1e-9)
    assert any("'z' ignored" in n for n in loc.notes) and loc.frame[3] == 3


def test_decode_hdf5(field, tmp_path):
    xy, _ = field
    path = tmp_path / "emitters.h5"
    with h5py.File(path, "w") as f:
        data = f.create_group("data")
        data["xyz"] = np.c_[xy / 100.0, np.zeros(len(xy))]
        data["phot"] = np.full(len(xy), 900.0)
        data["frame_ix"] = np.arange(len(xy))
        meta = f.create_group("meta")
        meta.attrs["xy_unit"] = "px"
        meta.attrs["px_size"] = np.array([100.0, 100.0])
    loc = _read(path)
    assert loc.source_format == "decode" and "phot" in loc.table
    np.testing.assert_allclose(loc.xy_nm, xy, rtol=1e-9)


def test_smap_mat_v5_and_v73(field, tmp_path):
    xy, _ = field
    v5 = tmp_path / "cell_sml.mat"
    scipy.io.savemat(
        v5,
        {
            "saveloc": {
                "loc": {
                    "xnm": xy[:, 0],
                    "ynm": xy[:, 1],
                    "frame": np.arange(len(xy)),
                    "locprecnm": np.full(len(xy), 8.0),
                }
            }
        },
    )
    v73 = tmp_path / "cell73_sml.mat"
    with h5py.File(v73, "w") as f:
        loc = f.create_group("saveloc").create_group("loc")
        loc["xnm"], loc["ynm"] = xy[:, 0][None, :], xy[:, 1][None, :]  # MATLAB stores 1 × N
        loc["znm"] = np.zeros((1, len(xy)))
    for path in (v5, v73):
        read = _read(path)
        assert read.source_format == "smap"
        np.testing.assert_allclose(read.xy_nm, xy)
    assert _read(v5).uncertainty_nm[0] == 8.0
    assert any("'znm' ignored" in n for n in _read(v73).notes)


def test_elyra_export_with_trailing_metadata(field, tmp_path):
    xy, _ = field
    table = pd.DataFrame(
        {
            "Index": np.arange(1, len(xy) + 1),
            "First Frame": 1,
            "Position X [nm]": xy[:, 0],
            "Position Y [nm]": xy[:, 1],
            "Precision [nm]": 12.0,
        }
    )
    path = tmp_path / "elyra.txt"
    table.to_csv(path, sep="\t", index=False)
    with open(path, "a") as f:
        f.write("VoxelSizeX=0.0976\nDrift correction applied\n")
    loc = _read(path)
    assert loc.source_format == "elyra" and len(loc.xy_nm) == len(xy)
    assert "ignored 2 trailing non-data lines (export metadata)" in loc.notes


def test_nstorm_prefers_drift_corrected_columns(field, tmp_path):
    xy, _ = field
    table = pd.DataFrame(
        {
            "Channel Name": "647",
            "X": xy[:, 0] + 50,
            "Y": xy[:, 1] + 50,
            "Xc": xy[:, 0],
            "Yc": xy[:, 1],
            "Frame": 1,
            "Zc": 0.0,
            "Lateral Localization Accuracy": 9.0,
        }
    )
    table.to_csv(tmp_path / "nstorm.txt", sep="\t", index=False)
    loc = _read(tmp_path / "nstorm.txt")
    assert loc.source_format == "nstorm" and loc.x_column == "Xc"
    np.testing.assert_allclose(loc.xy_nm, xy)
    assert loc.uncertainty_nm[0] == 9.0 and any("'Zc' ignored" in n for n in loc.notes)


def test_vutara_export(field, tmp_path):
    xy, _ = field
    table = pd.DataFrame(
        {
            "image-ID": 0,
            "cycle": 0,
            "frame": 1,
            "probe": 0,
            "photon-count": 800.0,
            "x": xy[:, 0],
            "y": xy[:, 1],
            "z": 0.0,
        }
    )
    table.to_csv(tmp_path / "vutara.csv", index=False)
    loc = _read(tmp_path / "vutara.csv")
    assert loc.source_format == "vutara"
    np.testing.assert_allclose(loc.xy_nm, xy)


def test_picasso_output_round_trips(field, tmp_path):
    xy, labels = field
    source = tmp_path / "cell.csv"
    pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "frame": np.arange(len(xy))}).to_csv(
        source, index=False
    )
    loc = _read(source, pixel_size=130.0)
    out = tmp_path / "cell_miro.hdf5"
    outputs.write_picasso(out, loc, xy + 1.0, labels, 130.0, {"Clustering": "test"})
    back = _read(out)
    keep = labels > 0
    assert back.source_format == "picasso" and back.pixel_size_nm == 130.0
    np.testing.assert_allclose(back.xy_nm, xy[keep], atol=1e-3)  # float32 pixels
    np.testing.assert_array_equal(back.table["group"], labels[keep])
    np.testing.assert_array_equal(back.frame, np.arange(len(xy))[keep])
    again = tmp_path / "again.hdf5"
    outputs.write_picasso(again, back, back.xy_nm, back.table["group"].to_numpy(), 130.0, {})
    assert _read(again).metadata[0]["Clustering"] == "test"  # the input's documents kept


def test_thunderstorm_output_round_trips(field, tmp_path):
    xy, labels = field
    source = tmp_path / "cell.csv"
    pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "uncertainty": 7.0}).to_csv(source, index=False)
    loc = _read(source)
    out = tmp_path / "ts.csv"
    outputs.write_thunderstorm(out, loc, xy, labels)
    assert out.read_text().splitlines()[0].startswith('"id","frame","x [nm]","y [nm]"')
    back = _read(out)
    assert back.source_format == "thunderstorm"
    np.testing.assert_allclose(back.xy_nm, xy)
    np.testing.assert_array_equal(back.table["cluster"], labels)
    assert back.uncertainty_nm[0] == 7.0


def test_batch_of_files_globs_and_folders(tiny_model_dir, field, tmp_path, capsys):
    xy, labels = field
    cells = tmp_path / "cells"
    cells.mkdir()
    for i in range(3):
        shifted = xy + i * 10.0
        pd.DataFrame({"x": shifted[:, 0], "y": shifted[:, 1]}).to_csv(
            cells / f"c{i}.csv", index=False
        )
    (cells / "broken.csv").write_text("a,b\n1,2\n")
    code = cli.main(
        [
            "cluster",
            str(cells),
            str(cells / "c0.csv"),
            "--model",
            str(tiny_model_dir),
            "--eps",
            "60",
            "--min-samples",
            "5",
            "--out-dir",
            str(tmp_path / "res"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1 and "1 of 5 files failed: broken.csv" in err
    summary = pd.read_csv(tmp_path / "res" / "summary.csv")
    assert list(summary["file"]) == ["c0.csv", "c1.csv", "c2.csv", "c0.csv"]
    assert (summary["localizations"] == len(xy)).all() and (
        tmp_path / "res" / "overview.png"
    ).exists()
    assert (tmp_path / "res" / "c0_2_miro.csv").exists()  # a repeated input never overwrites
    first = pd.read_csv(tmp_path / "res" / "c0_miro.csv")
    stats = pd.read_csv(tmp_path / "res" / "c0_miro_clusters.csv")
    assert len(stats) == first["cluster"].max() == summary["clusters"][0]
    code = cli.main(
        [
            "cluster",
            str(cells / "c*.csv"),
            "--method",
            "dbscan",
            "--eps",
            "60",
            "--min-samples",
            "5",
            "--no-plots",
        ]
    )
    assert code == 0 and (cells / "miro_results" / "summary.csv").exists()
    assert pd.read_csv(cells / "miro_results" / "summary.csv")["method"].eq("dbscan").all()


def test_default_output_goes_to_a_new_folder_never_beside_over_inputs(
    tiny_model_dir, field, tmp_path
):
    xy, _ = field
    source = tmp_path / "cell.csv"
    pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1]}).to_csv(source, index=False)
    before = source.read_bytes()
    for expected in ("miro_results", "miro_results_2"):
        assert cli.main(["cluster", str(source), "--model", str(tiny_model_dir), "--no-plots"]) == 0
        assert (tmp_path / expected / "cell_miro.csv").exists()
    assert source.read_bytes() == before


def test_hdbscan_methods_cluster(field, tiny_model_dir, tmp_path):
    xy, labels = field
    source = tmp_path / "cell.csv"
    pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1]}).to_csv(source, index=False)
    for method in ("hdbscan", "miro-hdbscan"):
        assert (
            cli.main(
                [
                    "cluster",
                    str(source),
                    "--model",
                    str(tiny_model_dir),
                    "--method",
                    method,
                    "--min-cluster-size",
                    "8",
                    "--out",
                    str(tmp_path / f"{method}.csv"),
                ]
            )
            == 0
        )
        found = pd.read_csv(tmp_path / f"{method}.csv")["cluster"]
        assert 4 <= found.max() <= 12


def test_cluster_statistics_with_frames_and_uncertainty():
    xy = np.array([[0, 0], [10, 0], [0, 10], [10, 10], [500, 500], [510, 500], [500, 510.0]])
    labels = np.array([1, 1, 1, 1, 2, 2, 2])
    frame = np.array([1, 1, 5, 9, 3, 3, 3])
    stats = cluster_stats.cluster_table(xy, labels, frame=frame, uncertainty_nm=np.full(7, 6.0))
    assert stats["frames_spanned"].tolist() == [9, 1]
    assert stats["distinct_frames"].tolist() == [3, 1]
    np.testing.assert_allclose(stats["density [localizations/um^2]"], [4 / 1e-4, 3 / 0.5e-4])
    assert (stats["mean_uncertainty [nm]"] == 6.0).all()


def test_neighbouring_clusters_never_share_a_colour():
    rng = np.random.default_rng(0)
    centroids = rng.random((144, 2)) * 1000
    colours = plotting.neighbour_colours(centroids)
    _, near = __import__("scipy.spatial").spatial.cKDTree(centroids).query(centroids, k=7)
    assert all(colours[i] != colours[j] for i, row in enumerate(near) for j in row[1:])


def test_csv_output_of_a_pixel_input_gives_nm_beside_nm(field, tmp_path):
    xy, labels = field
    source = tmp_path / "cell.csv"
    pd.DataFrame({"X": xy[:, 0] / 100, "Y": xy[:, 1] / 100}).to_csv(source, index=False)
    loc = _read(source, x_col="X", y_col="Y", unit="px", pixel_size=100.0)
    outputs.write_csv(tmp_path / "o.csv", loc, xy, labels)
    out = pd.read_csv(tmp_path / "o.csv")
    np.testing.assert_allclose(out["x [nm]"], xy[:, 0])
    np.testing.assert_allclose(out["X"], xy[:, 0] / 100)  # the input's own columns unchanged
