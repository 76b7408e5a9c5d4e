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
