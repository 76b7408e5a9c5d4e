"""Regenerating a results file replaces its tables and keeps its hand-written discussion."""

import numpy as np
import pandas as pd
import pytest

from miro_jax import evaluation


def test_regeneration_keeps_the_discussion(tmp_path):
    path = tmp_path / "results.md"
    evaluation.write_results_markdown(path, "# T\n\n| a |\n|---|\n| 1 |")
    assert "## Discussion" not in path.read_text()
    path.write_text(path.read_text() + "\n## Discussion\n\nwhy 1 is low\n")
    evaluation.write_results_markdown(path, "# T\n\n| a |\n|---|\n| 2 |\n")
    text = path.read_text()
    assert "| 2 |" in text and "| 1 |" not in text
    assert text.endswith("## Discussion\n\nwhy 1 is low\n") and text.count("## Discussion") == 1


def test_report_header_names_command_machine_and_date():
    import datetime

    from experiments import report

    lines = report.header("Title", "python -m experiments.x --a 1", "note one", "note two")
    assert lines[0] == "# Title" and lines[1] == "" and lines[-1] == ""
    assert lines[2] == "Command: `python -m experiments.x --a 1`  "
    assert lines[3].startswith("Machine: ") and str(datetime.date.today()) in lines[3]
    assert lines[4] == "note one  " and lines[5] == "note two"  # markdown line breaks between


def test_check_rules_on_known_numbers():
    from experiments import report

    ours = {"ARI_dagger": 0.61, "JI_c": 0.80, "RMSRE_N": 0.5}
    assert report.at_least(
        ours, {"ARI_dagger": 0.60, "JI_c": 0.79, "RMSRE_N": 0.9}, lower=["RMSRE_N"]
    )
    assert not report.at_least(ours, {"ARI_dagger": 0.62, "JI_c": 0.70})
    assert not report.at_least(
        ours, {"ARI_dagger": 0.5, "JI_c": 0.7, "RMSRE_N": 0.4}, lower=["RMSRE_N"]
    )
    mean, std = {"ARI_dagger": 0.65, "JI_c": 0.85}, {"ARI_dagger": 0.05, "JI_c": 0.04}
    assert not report.within_one_std(ours, mean, std)  # JI_c 0.80 < 0.85 − 0.04
    assert report.within_one_std(ours, mean, {"ARI_dagger": 0.05, "JI_c": 0.05})


def test_machine_names_the_vector_units_results_depend_on():
    assert evaluation.vector_units({"fpu", "avx2", "fma"}) == "AVX2"
    assert evaluation.vector_units({"avx2", "avx512f", "avx512_bf16"}) == "AVX-512"
    assert evaluation.vector_units({"avx2", "avx512f", "amx_bf16", "amx_tile"}) == "AVX-512 + AMX"
    assert evaluation.vector_units({"sse2"}) == ""


METRICS_S2 = ("dev_compression_index", "dev_dirichlet_energy", "dev_ARI_dagger", "dev_JI_c")


def _sweep_report(seed: int, rows: list[str]) -> str:
    head = "| point | seeds done | " + " | ".join(METRICS_S2) + " | train_min |"
    return "\n".join(
        [f"# Sweep `s{seed}`", "", f"Base: `b` with {{}}; seeds [{seed}]  ", "", head]
        + ["|---" * (len(METRICS_S2) + 3) + "|"]
        + rows
    )


def test_fig_s2_pools_single_seed_sweeps_by_model_and_k(tmp_path, monkeypatch):
    from experiments import fig_s2

    mpn = "model.num_iterations=12, model_name=mpn, mpn_reinject_inputs=False"
    reports = {
        "a": _sweep_report(0, [f"| {mpn} | 1 | 0.10 | 0.05 | 0.5 | 0.7 | 60 |"]),
        "b": _sweep_report(
            1,
            [
                f"| {mpn} | 1 | 0.20 | 0.07 | 0.6 | 0.8 | 70 |",
                "| model.num_iterations=18, model_name=miro | 0 | – | – | – | – | – |",
                "| model.num_iterations=6, model_name=miro | 1 | 0.3 | 0.9 | 0.6 | 0.8 | 9 |",
            ],
        ),
        "c": _sweep_report(0, [f"| {mpn} | 1 | 0.99 | 0.99 | 0.9 | 0.9 | 60 |"]),  # a repeat
        "d": _sweep_report(0, [f"| {mpn} | 1 | 0.40 | 0.02 | 0.4 | 0.6 | 90 |"]),  # trained longer
    }
    for name, text in reports.items():
        (tmp_path / f"sweep_{name}.md").write_text(text)
    monkeypatch.setattr(fig_s2, "SWEEPS", {"a": 2000, "b": 2000, "c": 2000, "d": 4000})
    frame = fig_s2.records(tmp_path)
    assert len(frame) == 4  # the untrained K = 18 skipped, the repeat of (MPN, 12, seed 0) too
    table = fig_s2.summary(frame)
    mpn_row, mpn_longer = (row for _, row in table.loc["plain MPN"].iterrows())
    assert mpn_row["seeds"] == "0, 1" and mpn_row["dev_compression_index"] == "0.150 ± 0.050"
    assert mpn_longer["steps"] == 4000 and mpn_longer["dev_compression_index"] == "0.400"
    assert table.loc["MIRO", "K"] == 6 and table.loc["MIRO", "dev_dirichlet_energy"] == "0.900"
    with pytest.raises(ValueError, match="single-seed"):
        fig_s2.sweep_records(_sweep_report(0, []).replace("seeds [0]", "seeds [0, 1]"), 2000)


def test_eight_view_mean_is_exactly_equivariant(tiny_model_dir):
    """A random-weight model is not rotation-equivariant, but its mean over the 8 dihedral views
    is: rotating the field's edge vectors rotates the mean displacement (to float rounding)."""
    from experiments import dihedral_views
    from miro_jax import graph, model_store

    params, config = model_store.load_model(tiny_model_dir)
    field = graph.build_graph(np.random.default_rng(3).random((40, 2)), 0.2)
    matrices = dihedral_views.dihedral_matrices()
    products = {tuple(np.round(a @ b).ravel()) for a in matrices for b in matrices}
    assert len(products) == 8 and all(abs(abs(np.linalg.det(m)) - 1) < 1e-6 for m in matrices)

    def mean_view(g):
        return np.mean(
            [dihedral_views.view_displacements(params, config, g, m) for m in matrices], 0
        )

    one_view = dihedral_views.view_displacements(params, config, field, matrices[0])
    rotation = matrices[1]
    turned = dihedral_views.view_displacements(params, config, field, rotation) @ rotation.T
    assert np.abs(turned - one_view).max() > 1e-3  # the model alone is not equivariant
    features = np.asarray(field.edges["features"]).copy()
    features[:, :2] = features[:, :2] @ rotation.T
    rotated = field._replace(edges={**field.edges, "features": features})
    np.testing.assert_allclose(mean_view(rotated), mean_view(field) @ rotation.T, atol=1e-5)


def test_per_set_frames_scores_each_set_once_and_keeps_the_given_order(tmp_path):
    import pandas as pd

    from experiments import report

    calls = []

    def score_set(name):
        calls.append(name)
        return pd.DataFrame({"set": [name], "value": [len(calls)]})

    first = report.per_set_frames(tmp_path, ["b", "a"], score_set, ["a", "b", "c"])
    assert calls == ["b", "a"] and list(first.set) == ["a", "b"]
    again = report.per_set_frames(tmp_path, ["a", "c"], score_set, ["a", "b", "c"])
    assert calls == ["b", "a", "c"]  # "a" came from its cache file
    assert list(again.set) == ["a", "b", "c"] and list(again.value) == [2, 1, 3]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv", "c.csv"]  # no partials


def test_per_set_frames_keeps_the_recorded_rows_of_sets_it_does_not_rescore(tmp_path):
    import pandas as pd

    from experiments import report

    recorded = tmp_path / "study.csv"
    pd.DataFrame({"set": ["a", "b", "b"], "value": [10, 20, 21]}).to_csv(recorded, index=False)
    calls = []

    def score_set(name):
        calls.append(name)
        return pd.DataFrame({"set": [name], "value": [99]})

    frame = report.per_set_frames(tmp_path / "cache", ["b"], score_set, ["a", "b"], recorded)
    assert calls == ["b"]  # "b" rescored although recorded; "a" taken from the record
    assert list(frame.set) == ["a", "b"] and list(frame.value) == [10, 99]


def test_paired_rows_mark_a_difference_outside_its_interval():
    """Per-field pairs: a constant +0.05 ARI† lead is ✓; a lower RMSRE_N is ahead too; a
    difference that flips sign from field to field is neither."""
    from experiments import report

    rng = np.random.default_rng(0)
    base = {s: rng.uniform(0.4, 0.8, 10) for s in report.PAIRED_SCORES}
    noise = np.tile([0.05, -0.05], 5)
    other = {
        "ARI_dagger": base["ARI_dagger"] + 0.05,
        "JI_c": base["JI_c"] + noise,
        "IoU": base["IoU"] - 0.02,
        "AMI": base["AMI"],
        "RMSRE_N": base["RMSRE_N"] - 0.1,
    }
    frame = pd.concat(
        [pd.DataFrame({"method": "new", **other}), pd.DataFrame({"method": "old", **base})]
    )
    row = report.paired_rows(frame, [("new", "old")], "new − old").loc["new"]
    assert row["ARI_dagger"] == "+0.050 ± 0.000 ✓"
    assert row["IoU"].endswith("✗") and row["RMSRE_N"].endswith("✓")
    assert row["JI_c"].startswith("+0.000") and not row["JI_c"].endswith(("✓", "✗"))
