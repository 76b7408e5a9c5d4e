"""Trained models on disk: parameters (orbax) + the config they were trained with, by name or path.

A model directory holds `config.json` (the training config) and `params/` (an orbax checkpoint).
Bundled models live in miro_jax/trained_models/<name>/; the authors' weights (.npz) load too.
"""

from __future__ import annotations

import json
from pathlib import Path

import jax
import ml_collections
import numpy as np
import orbax.checkpoint as ocp

from miro_jax import reference_weights

BUNDLED_DIR = Path(__file__).resolve().parent / "trained_models"


class ModelLoadError(ValueError):
    """A model that cannot be found or read; the message says which and why."""


def save_model(directory: str | Path, params, config: ml_collections.ConfigDict) -> None:
    directory = Path(directory).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.json").write_text(config.to_json_best_effort(indent=2))
    params = jax.tree_util.tree_map(np.asarray, params)
    with ocp.StandardCheckpointer() as ckpt:
        ckpt.save(directory / "params", params, force=True)


def bundled_models() -> list[str]:
    return sorted(p.name for p in BUNDLED_DIR.glob("*") if (p / "config.json").exists())


def load_model(name_or_path: str | Path, config: ml_collections.ConfigDict | None = None):
    """(params, config) from a bundled name, a model directory, or an authors' .npz (+ config)."""
    path = Path(name_or_path)
    if not path.exists() and (BUNDLED_DIR / str(name_or_path)).exists():
        path = BUNDLED_DIR / str(name_or_path)
    if not path.exists():
        raise ModelLoadError(
            f"model {str(name_or_path)!r} not found: give a model directory, a weights .npz, or "
            f"one of the bundled models {bundled_models()}"
        )
    if path.suffix == ".npz":
        if config is None:
            raise ModelLoadError(f"{path} holds weights only: pass the config it belongs to")
        try:
            return reference_weights.load_reference_params(path), config
        except reference_weights.WeightsFileError as err:
            raise ModelLoadError(str(err)) from err
    try:
        config = ml_collections.ConfigDict(json.loads((path / "config.json").read_text()))
    except (OSError, json.JSONDecodeError) as err:
        raise ModelLoadError(f"{path}: cannot read config.json ({err})") from err
    try:
        with ocp.StandardCheckpointer() as ckpt:
            params = ckpt.restore((path / "params").resolve())
    except Exception as err:  # orbax raises many kinds for a damaged checkpoint
        raise ModelLoadError(f"{path}: checkpoint is missing or corrupt ({type(err).__name__}: "
                             f"{str(err).splitlines()[0][:200]})") from err
    return params, config
