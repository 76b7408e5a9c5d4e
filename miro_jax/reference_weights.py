"""The authors' trained weights (PyTorch state_dict exported as .npz) -> our parameter tree.

Torch Linear stores weight [out, in] and computes x @ W.T + b; our kernel is W.T. The table is
../shared/reference/README.md.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

DEFAULT_REFERENCE_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "reference"

# our module path -> torch state_dict key prefix
STATE_DICT_KEYS = {
    ("node_encoder",): "model.encoder.0.blocks.0.layer",
    ("edge_encoder",): "model.encoder.1.blocks.0.layer",
    ("step", "node_combine"): "model.backbone.layer.0.0.blocks.0.layer",
    ("step", "edge_combine"): "model.backbone.layer.0.1.blocks.0.layer",
    ("step", "message"): "model.backbone.layer.1.blocks.0.transform.layer",
    ("step", "node_update"): "model.backbone.layer.1.blocks.0.update.blocks.0.layer",
    ("step", "head"): "model.backbone.head.blocks.0.layer",
}


def reference_dir() -> Path:
    """Where the authors' weights and parity vectors live: $MIRO_REFERENCE_DIR or ../shared/reference."""
    return Path(os.environ.get("MIRO_REFERENCE_DIR", DEFAULT_REFERENCE_DIR))


def weights_path(scenario: str) -> Path:
    """The authors' trained weights for one benchmark set (weights_<scenario>.npz)."""
    return reference_dir() / f"weights_{scenario}.npz"


def parity_path(scenario: str) -> Path:
    """The authors' parity vectors (inputs and per-step outputs) for one benchmark set."""
    return reference_dir() / f"parity_{scenario}.npz"


class WeightsFileError(ValueError):
    """An authors'-weights file that is missing keys, has wrong shapes, or cannot be read."""


def params_from_state_dict(state_dict) -> dict:
    """Mapping of torch keys -> arrays  =>  Flax params {'params': {...}} for `models.Miro`."""
    params: dict = {}
    for path, prefix in STATE_DICT_KEYS.items():
        try:
            weight = np.asarray(state_dict[prefix + ".weight"], dtype=np.float32)
            bias = np.asarray(state_dict[prefix + ".bias"], dtype=np.float32)
        except KeyError as err:
            raise WeightsFileError(f"weights lack key {err.args[0]!r}") from err
        if weight.ndim != 2 or bias.shape != (weight.shape[0],):
            raise WeightsFileError(
                f"{prefix}: weight {weight.shape} and bias {bias.shape} mismatch"
            )
        node = params
        for name in path:
            node = node.setdefault(name, {})
        node["kernel"], node["bias"] = weight.T.copy(), bias
    return {"params": params}


def load_reference_params(path: str | os.PathLike) -> dict:
    """Reads weights_<scenario>.npz into Flax params; errors name the file and the problem."""
    if not Path(path).exists():
        raise FileNotFoundError(
            f"authors' weights {path} not found: they are not shipped; set $MIRO_REFERENCE_DIR to "
            "a folder holding weights_<set>.npz, or use a bundled model (--model scenario_8)"
        )
    try:
        with np.load(path) as data:
            state_dict = {k: data[k] for k in data.files}
    except Exception as err:  # zipfile/pickle errors of a corrupt file
        raise WeightsFileError(f"cannot read weights file {path}: {err}") from err
    return params_from_state_dict(state_dict)


def hyperparameters_from_params(params: dict) -> dict:
    """Hidden size, node-feature count and number of classes read from the array shapes."""
    p = params["params"]
    return dict(
        hidden_size=int(p["node_encoder"]["kernel"].shape[1]),
        num_node_features=int(p["node_encoder"]["kernel"].shape[0]),
        num_classes=int(p["step"]["head"]["kernel"].shape[1]) - 2,
    )
