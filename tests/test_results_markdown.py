"""Regenerating a results file replaces its tables and keeps its hand-written discussion."""

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
