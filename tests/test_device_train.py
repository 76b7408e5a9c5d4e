"""scripts/device_train.py: run specs with overrides, and archives the device can send back."""

import re
import sys
import tarfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

import device_train  # noqa: E402


def test_a_run_spec_carries_its_overrides():
    spec, overrides = device_train.parse_run(
        "configs/benchmark_cpu.py:scenario_2_blinking,model.hidden_size=256,train.seed=1"
    )
    assert spec == "configs/benchmark_cpu.py:scenario_2_blinking"
    assert overrides == {"model.hidden_size": "256", "train.seed": "1"}
    assert device_train.parse_run("configs/shapes_full.py:rings") == (
        "configs/shapes_full.py:rings",
        {},
    )
    assert device_train.run_name(spec, overrides) == (
        "base=scenario_2_blinking__hidden_size=256__seed=1"
    )
    with pytest.raises(SystemExit, match="'hidden' .* is not key=value"):
        device_train.parse_run("configs/tiny.py,hidden")


def test_archives_have_names_the_device_returns(tmp_path):
    """$OUT returns only names of letters, digits, '.', '_' and '-'; workdirs are named as
    sweep points, with '='."""
    workdir = tmp_path / "base=scenario_2_blinking__hidden_size=256__seed=0"
    (workdir / "model").mkdir(parents=True)
    (workdir / "model" / "config.json").write_text("{}")
    (workdir / "metrics.jsonl").write_text("")
    out = tmp_path / "out"
    out.mkdir()
    archive = device_train.pack(workdir, out)
    assert re.fullmatch(r"[A-Za-z0-9._-]+", archive.name), archive.name
    with tarfile.open(archive) as tar:
        assert f"{workdir.name}/model/config.json" in tar.getnames()
