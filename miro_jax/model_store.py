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

from miro_jax import outputs, reference_weights

BUNDLED_DIR = Path(__file__).resolve().parent / "trained_models"
# config fields whose value is a free-form dict (builder or simulator arguments): never merged
FREE_FORM_FIELDS = {"builder_kwargs", "simulator_kwargs", "eval_simulator_kwargs"}


class ModelLoadError(ValueError):
    """A model that cannot be found or read; the message says which and why."""


def with_defaults(config: ml_collections.ConfigDict) -> ml_collections.ConfigDict:
    """The one upgrade of a stored config to the current schema (configs/default.py's
    CONFIG_VERSION): fields added since it was written (e.g. predict.*) get their defaults, every
    field it has keeps its value; version 1 = written before config_version existed."""
    from configs import default

    def fill(target: dict, base: dict) -> dict:
        for key, value in base.items():
            if key not in target:
                target[key] = value
            elif (
                isinstance(value, dict)
                and isinstance(target[key], dict)
                and key not in FREE_FORM_FIELDS
            ):
                fill(target[key], value)
        return target

    upgraded = fill(config.to_dict(), default.get_config().to_dict())
    upgraded["config_version"] = default.CONFIG_VERSION
    return ml_collections.ConfigDict(upgraded)


def write_config(path: Path, config: ml_collections.ConfigDict) -> None:
    """A config as JSON (a model's or a workdir's config.json), written atomically."""
    with outputs.atomic_path(path) as tmp:
        tmp.write_text(config.to_json_best_effort(indent=2))


def save_model(directory: str | Path, params, config: ml_collections.ConfigDict) -> None:
    directory = Path(directory).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    write_config(directory / "config.json", config)
    params = jax.tree_util.tree_map(np.asarray, params)
    with ocp.StandardCheckpointer() as ckpt:
        ckpt.save(directory / "params", params, force=True)


def bundled_models() -> list[str]:
    return sorted(p.name for p in BUNDLED_DIR.glob("*") if (p / "config.json").exists())


def load_model(name_or_path: str | Path, config: ml_collections.ConfigDict | None = None):
    """(params, config) from a bundled name, a model directory, or an authors' .npz (+ config)."""
    path = resolve(name_or_path)
    if not path.exists() and path.suffix == ".npz":
        raise ModelLoadError(
            f"weights {path} not found: the authors' weights are not shipped; "
            "set $MIRO_REFERENCE_DIR (or miro evaluate --reference-dir) to a "
            "folder holding weights_<set>.npz, or use a bundled model"
        )
    if not path.exists():
        raise ModelLoadError(
            f"model {str(name_or_path)!r} not found: give a model directory, a weights .npz, or "
            f"one of the bundled models {bundled_models()}"
        )
    if path.suffix == ".npz":
        if config is None:
            raise ModelLoadError(f"{path} holds weights only: pass the config it belongs to")
        try:
            return reference_weights.load_reference_params(path), with_defaults(config)
        except reference_weights.WeightsFileError as err:
            raise ModelLoadError(str(err)) from err
    try:
        stored = with_defaults(
            ml_collections.ConfigDict(json.loads((path / "config.json").read_text()))
        )
    except (OSError, json.JSONDecodeError) as err:
        raise ModelLoadError(f"{path}: cannot read config.json ({err})") from err
    if config is not None:
        check_config_agrees(stored, config, path)
    config = stored
    try:
        with ocp.StandardCheckpointer() as ckpt:
            params = ckpt.restore((path / "params").resolve())
    except Exception as err:  # orbax raises many kinds for a damaged checkpoint
        raise ModelLoadError(
            f"{path}: checkpoint is missing or corrupt ({type(err).__name__}: "
            f"{str(err).splitlines()[0][:200]})"
        ) from err
    check_finite(params, path)
    return params, config


def resolve(name_or_path: str | Path) -> Path:
    """A bundled model's folder for its name; any other path as given."""
    path = Path(name_or_path)
    if not path.exists() and (BUNDLED_DIR / str(name_or_path)).exists():
        return BUNDLED_DIR / str(name_or_path)
    return path


def load_card(name_or_path: str | Path) -> dict | None:
    """The model card (model_card.json) of a model directory, or None when it has none."""
    path = resolve(name_or_path) / "model_card.json"
    return json.loads(path.read_text()) if path.is_file() else None


# a card with this key false is never picked by `--model auto` (models for one structure kind)
AUTO_PICK = "picked by --model auto"
# statistics `--model auto` compares: an unlabelled input has only these two
MATCHED_STATISTICS = ("density [localizations/um^2]", "median nearest-neighbour distance [nm]")


def closest_bundled_model(
    statistics: dict, exclude=(), hidden_size: int | None = None
) -> tuple[str, str]:
    """(name, why) of the bundled model whose card's training density and nearest-neighbour
    distance are closest to `statistics` (fit.field_statistics; sum of |log ratio|), among those
    not excluded, not marked AUTO_PICK false and (if given) of that hidden size."""
    cards = {
        name: card
        for name in bundled_models()
        if name not in exclude
        and (card := load_card(name))
        and card.get(AUTO_PICK, True)
        and hidden_size in (None, card["hidden size"])
    }
    if not cards:
        raise ModelLoadError("no bundled model with a model card fits; name a model")

    def distance(card) -> float:
        return sum(abs(np.log(statistics[k] / card["trained on"][k])) for k in MATCHED_STATISTICS)

    ranked = sorted(cards, key=lambda name: distance(cards[name]))
    best = cards[ranked[0]]["trained on"]
    density, nn = MATCHED_STATISTICS
    why = (
        f"density {statistics[density]:.3g} vs {best[density]:.3g} /µm², nearest neighbour "
        f"{statistics[nn]:.3g} vs {best[nn]:.3g} nm in its training data; closest of "
        f"{len(cards)} bundled models, next {ranked[1] if len(ranked) > 1 else '–'}"
    )
    return ranked[0], why


def _trained_on(trained: dict) -> str:
    """A card's training source in a few words: the benchmark set, or the simulator (and the
    shape kinds of a mixture)."""
    words = trained["source"].replace("Nieves et al. 2023 benchmark, ", "benchmark ")
    if "simulator" in trained:
        words += f" {trained['simulator']}"
        kinds = trained.get("spec", {}).get("kinds")
        words += f" ({', '.join(kinds)})" if kinds else ""
    return words


def models_table() -> str:
    """The bundled models and what their cards say they were trained on, one row each."""
    head = [
        "model",
        "trained on",
        "loc/µm²",
        "NN nm",
        "loc/cluster",
        "cluster rg nm",
        "clustered",
        "δ nm",
        "K",
        "DBSCAN after MIRO",
        "dev ARI† MIRO / DBSCAN",
    ]
    rows = []
    for name in bundled_models():
        card = load_card(name)
        if card is None:
            rows.append([name, "(no model card)"] + [""] * (len(head) - 2))
            continue
        t, dev = card["trained on"], card["dev scores"]
        rows.append(
            [
                name,
                _trained_on(t),
                f"{t['density [localizations/um^2]']:.0f}",
                f"{t['median nearest-neighbour distance [nm]']:.1f}",
                f"{t['median localizations per cluster']:.0f}",
                f"{t['median cluster radius of gyration [nm]']:.0f}",
                f"{t['clustered fraction']:.2f}",
                f"{card['connectivity radius δ [nm]']:.0f}",
                str(card["K"]),
                f"eps {card['DBSCAN after MIRO']['eps [nm]']:.3g} nm, minPts "
                f"{card['DBSCAN after MIRO']['min samples']}",
                f"{dev['MIRO + DBSCAN']['ARI_dagger']:.3f} / {dev['DBSCAN alone']['ARI_dagger']:.3f}",
            ]
        )
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in [head] + rows]
    return "\n".join(
        lines
        + [
            "",
            "--model auto picks by density and nearest-neighbour "
            "distance; each model's model_card.md says more",
        ]
    )


def check_finite(params, source) -> None:
    """Refuses parameters holding NaN or inf (a damaged file) before any model runs."""
    bad = [
        jax.tree_util.keystr(k)
        for k, v in jax.tree_util.tree_leaves_with_path(params)
        if not np.isfinite(np.asarray(v)).all()
    ]
    if bad:
        raise ModelLoadError(
            f"{source}: parameters {', '.join(bad[:3])} hold NaN or infinite "
            "values (a damaged model); re-train it or use a bundled model"
        )


# config sections that define what a model computes: a config given with a stored model must agree
DEFINING_FIELDS = ("model", "graph")


def training_command(
    config_ref: str, base: ml_collections.ConfigDict, config: ml_collections.ConfigDict, workdir
) -> str:
    """The `miro_jax.main` command that remakes `config` from `base` (the config `config_ref`
    names): every training-relevant field that differs becomes a --config override."""
    overrides = config_differences(
        base, config, ("data", "graph", "model", "loss", "optimizer", "train")
    )
    return " ".join(
        [f"python -m miro_jax.main --config {config_ref} --workdir {workdir}"]
        + [f"--config.{d.split(': ', 1)[0]}={d.split(' → ', 1)[1]}" for d in overrides]
    )


def config_differences(
    old: ml_collections.ConfigDict, new: ml_collections.ConfigDict, sections=None
) -> list[str]:
    """'field: old → new' for every flattened field that differs (within `sections` if given)."""

    def flat(c):
        items = {}
        for key, value in c.items():
            if isinstance(value, ml_collections.ConfigDict) and key not in FREE_FORM_FIELDS:
                items.update({f"{key}.{k}": v for k, v in flat(value).items()})
            else:
                items[key] = value.to_dict() if hasattr(value, "to_dict") else value
        return items

    def norm(value):  # as stored: JSON turns tuples into lists
        return json.loads(json.dumps(value, default=str))

    a, b = flat(old), flat(new)
    if sections is not None:
        a, b = ({k: v for k, v in d.items() if k.split(".")[0] in sections} for d in (a, b))
    return [
        f"{k}: {a.get(k, '(absent)')} → {b.get(k, '(absent)')}"
        for k in sorted(set(a) | set(b))
        if norm(a.get(k)) != norm(b.get(k))
    ]


def check_config_agrees(
    stored: ml_collections.ConfigDict, given: ml_collections.ConfigDict, path
) -> None:
    """A model directory carries the config it was trained with; a different one is refused."""
    diff = config_differences(stored, with_defaults(given), DEFINING_FIELDS)
    if diff:
        raise ModelLoadError(
            f"{path} was trained with another config ({'; '.join(diff[:4])}); "
            "leave out --config: the model directory carries its own"
        )
