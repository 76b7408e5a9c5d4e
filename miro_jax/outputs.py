"""Writing result files safely: outputs are checked before any work, never replace an input, and
appear atomically (a temporary file renamed into place), so a killed run leaves no half file."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np


class OutputPathError(ValueError):
    """An output path that cannot or must not be written; the message says which and why."""


def check_output_path(
    path: str | Path, flag: str, inputs: Iterable[str | Path], suffixes: tuple[str, ...]
) -> Path:
    """The output path, after checking that its folder exists, that it is not a folder, that its
    extension says what is written, and that it is none of the inputs."""
    path = Path(path)
    if path.suffix.lower() not in suffixes:
        raise OutputPathError(
            f"{flag} {path}: the file written is {suffixes[0]}; give a name "
            f"ending in {' or '.join(suffixes)}"
        )
    if path.is_dir():
        raise OutputPathError(f"{flag} {path} is a folder; give a file name inside it")
    if not path.parent.is_dir():
        raise OutputPathError(
            f"{flag} {path}: folder {path.parent} does not exist; create it first"
        )
    for source in inputs:
        source = Path(source)
        if path.resolve() == source.resolve() or (
            path.exists() and source.exists() and os.path.samefile(path, source)
        ):
            raise OutputPathError(
                f"{flag} {path} is an input file: miro never overwrites its "
                "inputs; choose another name"
            )
    return path


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside `path` (same extension) that is renamed to `path` when the block
    succeeds and removed when it fails."""
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.partial{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


# output format -> file extensions it may be written under (the first is the default)
FORMATS = {"csv": (".csv",), "thunderstorm": (".csv",), "picasso": (".hdf5", ".h5")}


def added_columns(squeezed_nm, labels, classes=None, subclusters=None) -> dict:
    """The columns miro adds to a localization table, each named with its unit (no squeezed
    columns when `squeezed_nm` is None: methods without MIRO move nothing); `subclusters`: a
    two-level model's finer level (0 = in none)."""
    columns = (
        {}
        if squeezed_nm is None
        else {"x_squeezed [nm]": squeezed_nm[:, 0], "y_squeezed [nm]": squeezed_nm[:, 1]}
    )
    columns["cluster"] = labels
    if classes is not None:
        columns["class"] = classes
    if subclusters is not None:
        columns["subcluster"] = subclusters
    return columns


def input_in_nm(loc) -> dict:
    """`x [nm]`, `y [nm]` columns when the input's coordinates are in another unit (camera
    pixels, µm), so that every coordinate column of the output table says nm beside nm."""
    stated = loc.table[[loc.x_column, loc.y_column]].to_numpy(float)
    if np.allclose(stated, loc.xy_nm) or "x [nm]" in loc.table or "y [nm]" in loc.table:
        return {}
    return {"x [nm]": loc.xy_nm[:, 0], "y [nm]": loc.xy_nm[:, 1]}


def write_csv(path: Path, loc, squeezed_nm, labels, classes=None, subclusters=None) -> None:
    """Every input column, the input coordinates in nm when they were in another unit, then the
    added columns."""
    added = added_columns(squeezed_nm, labels, classes, subclusters)
    table = loc.table.assign(**input_in_nm(loc), **added)
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False)


def thunderstorm_table(loc, squeezed_nm, labels, classes=None, subclusters=None):
    """A ThunderSTORM-style table: the input's own columns when it was ThunderSTORM, otherwise
    id, frame, "x [nm]", "y [nm]" (and "uncertainty_xy [nm]") built from it; plus the added
    columns."""
    import pandas as pd

    if loc.source_format == "thunderstorm":
        table = loc.table.copy()
    else:
        n = len(loc.xy_nm)
        table = pd.DataFrame(
            {
                "id": np.arange(1, n + 1),
                "frame": loc.frame if loc.frame is not None else np.zeros(n, int),
                "x [nm]": loc.xy_nm[:, 0],
                "y [nm]": loc.xy_nm[:, 1],
            }
        )
        if loc.uncertainty_nm is not None:
            table["uncertainty_xy [nm]"] = loc.uncertainty_nm
    return table.assign(**added_columns(squeezed_nm, labels, classes, subclusters))


def write_thunderstorm(
    path: Path, loc, squeezed_nm, labels, classes=None, subclusters=None
) -> None:
    """ThunderSTORM CSV: quoted header names ("x [nm]"), plain values."""
    table = thunderstorm_table(loc, squeezed_nm, labels, classes, subclusters)
    with atomic_path(path) as tmp:
        with open(tmp, "w", newline="") as f:
            f.write(",".join(f'"{c}"' for c in table.columns) + "\n")
            table.to_csv(f, index=False, header=False)


# Picasso locs fields and the values they take when the input has none (Picasso Render needs
# frame, x, y, lpx, lpy; the others keep its other tools from failing)
PICASSO_DEFAULTS = {
    "photons": 1000.0,
    "sx": 1.0,
    "sy": 1.0,
    "bg": 0.0,
    "ellipticity": 0.0,
    "net_gradient": 0.0,
}


def picasso_locs(loc, squeezed_nm, labels, pixel_size_nm: float, subclusters=None) -> np.ndarray:
    """The clustered localizations as a Picasso `locs` record array in camera pixels, with the
    cluster id in `group` (Picasso's dbscan keeps only clustered localizations, so does this)
    and a two-level model's subcluster id in `subgroup`."""
    import pandas as pd

    keep = labels > 0
    if loc.source_format == "picasso":
        table = loc.table.loc[keep].reset_index(drop=True)
    else:
        n = int(keep.sum())
        precision = (
            loc.uncertainty_nm[keep] if loc.uncertainty_nm is not None else np.full(n, 10.0)
        ) / pixel_size_nm
        table = pd.DataFrame(
            {
                "frame": (loc.frame[keep] if loc.frame is not None else np.zeros(n)).astype(
                    np.uint32
                ),
                "x": (loc.xy_nm[keep, 0] / pixel_size_nm).astype(np.float32),
                "y": (loc.xy_nm[keep, 1] / pixel_size_nm).astype(np.float32),
                "lpx": precision.astype(np.float32),
                "lpy": precision.astype(np.float32),
                **{k: np.full(n, v, np.float32) for k, v in PICASSO_DEFAULTS.items()},
            }
        )
    table["group"] = labels[keep].astype(np.int32)
    if squeezed_nm is not None:
        table["x_squeezed"] = (squeezed_nm[keep, 0] / pixel_size_nm).astype(np.float32)
        table["y_squeezed"] = (squeezed_nm[keep, 1] / pixel_size_nm).astype(np.float32)
    if subclusters is not None:
        table["subgroup"] = subclusters[keep].astype(np.int32)
    return table.to_records(index=False)


def write_picasso(
    path: Path,
    loc,
    squeezed_nm,
    labels,
    pixel_size_nm: float,
    description: dict,
    subclusters=None,
) -> None:
    """Picasso HDF5 (`locs` with `group`) and its .yaml sidecar: the input's documents (if it was
    a Picasso file) followed by one describing this clustering."""
    import h5py
    import yaml

    locs = picasso_locs(loc, squeezed_nm, labels, pixel_size_nm, subclusters)
    xy_px = loc.xy_nm / pixel_size_nm
    info = {
        "Generated by": "miro_jax cluster",
        "Pixelsize": float(pixel_size_nm),
        "Width": int(np.ceil(xy_px[:, 0].max())) + 1,
        "Height": int(np.ceil(xy_px[:, 1].max())) + 1,
        "Frames": int(loc.frame.max()) + 1 if loc.frame is not None else 1,
        **description,
    }
    documents = list(loc.metadata) + [info] if loc.metadata else [info]
    with atomic_path(path.with_suffix(".yaml")) as tmp:
        tmp.write_text(yaml.safe_dump_all(documents, sort_keys=False))
    with atomic_path(path) as tmp:
        with h5py.File(tmp, "w") as f:
            f.create_dataset("locs", data=locs)
