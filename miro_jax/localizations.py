"""Reading localization tables into nm: the formats SMLM labs have (README, "Input formats").

Text tables (ThunderSTORM, Zeiss Elyra, Nikon N-STORM, Bruker Vutara, SMAP and DECODE CSV,
Nanoimager, benchmark and plain CSV/TSV; comma, tab or semicolon with decimal commas; UTF-8 or
Latin-1; leading '#' comment lines; trailing export metadata), Picasso HDF5 (+ .yaml pixel
size), DECODE HDF5 and SMAP .mat (v5 via SciPy, v7.3 via h5py). Every input column is kept;
coordinates are converted to nm and validated. Problems a user can hit raise
`LocalizationFileError` with a message that names the problem and the fix.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pandas as pd

UNIT_TO_NM = {"nm": 1.0, "um": 1000.0, "µm": 1000.0, "micron": 1000.0}
_BRACKET = re.compile(r"^\s*([A-Za-z_]+)\s*\[(.+)\]\s*$")
# plausible median nearest-neighbour distance of SMLM localizations in nm (check_units)
NEAREST_NEIGHBOUR_NM = (0.5, 5000.0)
# (format, x column, y column, unit, columns that must also be present) by header signature,
# most specific first; ThunderSTORM's "x [unit]" headers are recognised by their brackets
KNOWN_HEADERS = [
    ("elyra", "Position X [nm]", "Position Y [nm]", "nm", ()),
    ("nanoimager", "X (nm)", "Y (nm)", "nm", ()),
    ("nstorm", "Xc", "Yc", "nm", ()),  # drift-corrected positions
    ("nstorm", "X", "Y", "nm", ("Frame",)),
    ("vutara", "x", "y", "nm", ("probe", "photon-count")),
    ("smap", "xnm", "ynm", "nm", ()),
    ("decode", "x", "y", "px", ("frame_ix",)),
    ("table", "x_nm", "y_nm", "nm", ()),
    ("benchmark", "x", "y", "nm", ()),
]
FRAME_COLUMNS = ("frame", "Frame", "frame_ix", "First Frame")
UNCERTAINTY_COLUMNS = {  # column -> unit (px columns need the pixel size)
    "uncertainty_xy [nm]": "nm",
    "uncertainty [nm]": "nm",
    "uncertainty": "nm",
    "Precision [nm]": "nm",
    "locprecnm": "nm",
    "Lateral Localization Accuracy": "nm",
    "precisionx": "nm",
    "lpx": "px",
}
Z_COLUMNS = ("z [nm]", "z", "znm", "Position Z [nm]", "Z", "Zc", "z (nm)", "Z (nm)")
SUFFIXES = (".csv", ".tsv", ".txt", ".hdf5", ".h5", ".mat")  # what a folder of inputs is read for


class LocalizationFileError(ValueError):
    """A localization file that cannot be used as it is; the message says why and what to do."""


@dataclasses.dataclass
class LocalizationTable:
    table: pd.DataFrame  # every input column, rows in input order
    xy_nm: np.ndarray  # [N, 2]
    truth: np.ndarray | None  # benchmark `index` column when present (0 = background)
    source_format: str
    x_column: str
    y_column: str
    notes: list[str] = dataclasses.field(
        default_factory=list
    )  # what reading changed, one line each
    frame: np.ndarray | None = None  # [N] camera frame of each localization, when the file has it
    uncertainty_nm: np.ndarray | None = None  # [N] localization precision, when the file has it
    pixel_size_nm: float | None = None  # nm per camera pixel, when known (px inputs, --pixel-size)
    metadata: list = dataclasses.field(default_factory=list)  # Picasso .yaml documents of the input


@dataclasses.dataclass
class _Raw:
    """A file's table before coordinates are chosen, with what its container said."""

    table: pd.DataFrame
    format: str | None = None  # known from the container (picasso, decode, smap)
    unit: str | None = None  # unit of x/y stated by the container
    pixel_size: float | None = None
    notes: list[str] = dataclasses.field(default_factory=list)
    metadata: list = dataclasses.field(default_factory=list)


def _to_nm_factor(unit: str, pixel_size: float | None, column: str) -> float:
    unit = unit.strip().lower()
    if unit in UNIT_TO_NM:
        return UNIT_TO_NM[unit]
    if unit in ("px", "pixel", "pixels", "camera pixels"):
        if not pixel_size:
            raise LocalizationFileError(
                f"column {column!r} is in camera pixels: pass --pixel-size (nm per pixel)"
            )
        return float(pixel_size)
    raise LocalizationFileError(f"column {column!r} has unknown unit {unit!r}; use nm, um or px")


def _text_encoding(path: Path) -> str:
    """'utf-8' (with or without BOM) when the file decodes as such, else Latin-1 (older Windows
    exports, e.g. 'x [µm]' written in cp1252/Latin-1)."""
    raw = path.read_bytes()[: 1 << 20]
    try:
        raw.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError as err:
        if err.start > len(raw) - 4:  # a character cut by the 1 MiB sample
            return "utf-8-sig"
        return "latin-1"


def _delimiters(head: str, first_row: str, path: Path) -> tuple[str, str]:
    """(column separator, decimal mark) from the header and the first data row: tabs, commas, or
    semicolons (European exports, where the decimal mark may be a comma)."""
    if "\t" in head or path.suffix.lower() == ".tsv":
        return "\t", "."
    if ";" in head and "," not in head.replace('","', ""):
        decimal = "," if re.search(r"\d,\d", first_row) else "."
        return ";", decimal
    return ",", "."


def _comment_lines(path: Path, encoding: str) -> list[str]:
    """The '#' lines before the header (DECODE writes its units there)."""
    lines = []
    with open(path, encoding=encoding, errors="replace") as f:
        for line in f:
            if not line.startswith("#"):
                break
            lines.append(line)
    return lines


def _units_from_comments(comments: list[str]) -> tuple[str | None, float | None]:
    """(xy unit, pixel size nm) stated in comment lines such as '# xy_unit: px, px_size: 100'."""
    text = " ".join(comments)
    unit = re.search(r"xy_unit\W+(px|nm)", text)
    size = re.search(r"px_size\W+([0-9.]+)", text)
    return (unit.group(1) if unit else None), (float(size.group(1)) if size else None)


def _read_text(path: Path) -> _Raw:
    encoding = _text_encoding(path)
    comments = _comment_lines(path, encoding)
    with open(path, encoding=encoding, errors="replace") as f:
        for _ in comments:
            f.readline()
        head, first_row = f.readline(), f.readline()
    if not head.strip():
        raise LocalizationFileError(f"{path} is empty: it needs a header row and localizations")
    sep, decimal = _delimiters(head, first_row, path)
    try:
        table = pd.read_csv(
            path, sep=sep, decimal=decimal, encoding=encoding, skiprows=len(comments)
        )
    except pd.errors.EmptyDataError as err:
        raise LocalizationFileError(
            f"{path} is empty: it needs a header row and localizations"
        ) from err
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        name = {"\t": "tab", ",": "comma", ";": "semicolon"}[sep]
        raise LocalizationFileError(
            f"{path} is not a readable {name}-delimited table: {str(err).splitlines()[0]}"
        ) from err
    if len(table) == 0:
        raise LocalizationFileError(f"{path} has a header but no localizations")
    unit, pixel_size = _units_from_comments(comments)
    return _Raw(table, "decode" if unit else None, unit, pixel_size)


def _open_hdf5(path: Path):
    try:
        import h5py
    except ImportError as err:
        raise LocalizationFileError(f"reading {path.name} needs h5py: pip install h5py") from err
    try:
        return h5py.File(path, "r")
    except OSError as err:
        raise LocalizationFileError(
            f"{path} is not an HDF5 file ({str(err).splitlines()[0]}); "
            "give a Picasso/DECODE .hdf5 or rename a text table to .csv"
        ) from err


def _columns_from_datasets(group, rows: int | None = None) -> pd.DataFrame:
    """Datasets of an HDF5 group (or MATLAB struct fields) as columns: 1-D arrays as they are,
    N × k arrays as name_0 … name_k−1; entries of another length are skipped."""
    columns = {}
    for name in group:
        value = np.asarray(group[name][()] if hasattr(group[name], "shape") else group[name])
        if value.ndim == 2 and 1 in value.shape:
            value = value.ravel()
        if value.ndim == 1:
            columns[name] = value
        elif value.ndim == 2:
            if rows is not None and value.shape[0] != rows and value.shape[1] == rows:
                value = value.T
            for i in range(value.shape[1]):
                columns[f"{name}_{i}"] = value[:, i]
    lengths = {len(v) for v in columns.values()}
    rows = rows or (
        max(lengths, key=lambda n: sum(len(v) == n for v in columns.values())) if lengths else 0
    )
    return pd.DataFrame({k: v for k, v in columns.items() if len(v) == rows})


def _read_hdf5(path: Path) -> _Raw:
    with _open_hdf5(path) as f:
        if "locs" in f:  # Picasso
            metadata = _picasso_metadata(path)
            pixel_size = next(
                (
                    float(d["Pixelsize"])
                    for d in metadata
                    if isinstance(d, dict) and "Pixelsize" in d
                ),
                None,
            )
            return _Raw(
                pd.DataFrame(f["locs"][...]), "picasso", "px", pixel_size, metadata=metadata
            )
        if "data" in f and "xyz" in f["data"]:  # DECODE
            data = f["data"]
            xyz = np.asarray(data["xyz"])
            table = _columns_from_datasets(data, rows=len(xyz)).drop(
                columns=[f"xyz_{i}" for i in range(xyz.shape[1])], errors="ignore"
            )
            table.insert(0, "x", xyz[:, 0])
            table.insert(1, "y", xyz[:, 1])
            if xyz.shape[1] > 2:
                table.insert(2, "z", xyz[:, 2])
            meta = dict(f["meta"].attrs) if "meta" in f else {}
            unit = meta.get("xy_unit")
            unit = unit.decode() if isinstance(unit, bytes) else unit
            size = meta.get("px_size")
            size = float(np.ravel(size)[0]) if size is not None else None
            return _Raw(table, "decode", str(unit) if unit is not None else "px", size)
        if "saveloc" in f:  # SMAP v7.3 .mat is HDF5
            return _Raw(_columns_from_datasets(f["saveloc"]["loc"]), "smap", "nm")
        raise LocalizationFileError(
            f"{path} holds neither a Picasso 'locs' table, DECODE "
            f"'data/xyz' nor SMAP 'saveloc'; it has {list(f)}"
        )


def _read_mat(path: Path) -> _Raw:
    import h5py
    import scipy.io

    if h5py.is_hdf5(path):  # MATLAB v7.3 files are HDF5
        return _read_hdf5(path)
    try:
        mat = scipy.io.loadmat(path, squeeze_me=True, struct_as_record=False)
    except NotImplementedError:  # MATLAB v7.3 files are HDF5
        return _read_hdf5(path)
    except (ValueError, OSError) as err:
        raise LocalizationFileError(f"{path} is not a readable MATLAB file: {err}") from err
    if "saveloc" not in mat:
        raise LocalizationFileError(
            f"{path} has no SMAP 'saveloc' structure; it has "
            f"{[k for k in mat if not k.startswith('__')]}"
        )
    loc = mat["saveloc"].loc
    return _Raw(_columns_from_datasets({k: getattr(loc, k) for k in loc._fieldnames}), "smap", "nm")


def _read_raw(path: Path) -> _Raw:
    suffix = path.suffix.lower()
    if suffix in (".h5", ".hdf5"):
        return _read_hdf5(path)
    if suffix == ".mat":
        return _read_mat(path)
    return _read_text(path)


def _picasso_metadata(path: Path) -> list:
    """The documents of a Picasso file's .yaml sidecar ([] when absent)."""
    sidecar = path.with_suffix(".yaml")
    if not sidecar.exists():
        return []
    import yaml

    return [d for d in yaml.safe_load_all(sidecar.read_text()) if d is not None]


def _find_xy(raw: _Raw, x_col, y_col, unit, path: Path):
    """(x column, y column, unit, format) of the coordinates."""
    table, columns = raw.table, list(raw.table.columns)
    if x_col or y_col:
        if not (x_col and y_col):
            raise LocalizationFileError("give both --x-col and --y-col")
        for c in (x_col, y_col):
            if c not in table.columns:
                raise LocalizationFileError(f"column {c!r} not found; the file has {columns}")
        return x_col, y_col, unit or raw.unit or "nm", raw.format or "table"
    if raw.format in ("picasso", "decode", "smap"):
        xc, yc = ("xnm", "ynm") if raw.format == "smap" else ("x", "y")
        if xc not in table or yc not in table:
            raise LocalizationFileError(f"{path.name}: no {xc!r}/{yc!r} columns; it has {columns}")
        return xc, yc, unit or raw.unit, raw.format
    for c in columns:  # ThunderSTORM style "x [nm]"
        m = _BRACKET.match(str(c))
        if m and m.group(1).lower() == "x":
            ys = [d for d in columns if (my := _BRACKET.match(str(d))) and my.group(1) == "y"]
            if ys:
                return c, ys[0], unit or m.group(2), "thunderstorm"
    for fmt, xc, yc, u, needs in KNOWN_HEADERS:
        if xc in table and yc in table and all(n in table for n in needs):
            return xc, yc, unit or u, fmt
    raise LocalizationFileError(
        f"no coordinate columns found in {path.name}; the file has "
        f"{columns}. Pass --x-col and --y-col (and --unit)"
    )


def _is_text(value) -> bool:
    if not isinstance(value, str) or not value.strip():
        return False
    try:
        float(value.replace(",", "."))
        return False
    except ValueError:
        return True


def _numeric_coordinates(table: pd.DataFrame, xc: str, yc: str, notes: list[str]):
    """The coordinate columns as floats. Rows at the END of the table whose coordinates are
    missing or text and that hold text (metadata that some exports append, e.g. Zeiss Elyra)
    are removed with a note; text coordinates elsewhere are an error."""
    values = table[[xc, yc]].apply(pd.to_numeric, errors="coerce")
    invalid = values.isna().any(axis=1).to_numpy()
    tail = len(table)
    while tail > 0 and invalid[tail - 1] and any(_is_text(v) for v in table.iloc[tail - 1]):
        tail -= 1
    if tail < len(table):
        if tail == 0:
            raise LocalizationFileError(f"columns {xc!r}/{yc!r} hold no numbers")
        notes.append(f"ignored {len(table) - tail} trailing non-data lines (export metadata)")
        table, values = table.iloc[:tail].reset_index(drop=True), values.iloc[:tail]
    text = values.isna() & table[[xc, yc]].notna()
    if text.any().any():
        row = int(np.flatnonzero(text.any(axis=1).to_numpy())[0])
        raise LocalizationFileError(
            f"columns {xc!r}/{yc!r} are not numeric (data row "
            f"{row + 1}: {table.loc[row, [xc, yc]].tolist()})"
        )
    return table, values.to_numpy(float)


def _optional_column(table: pd.DataFrame, names, factor: float = 1.0):
    for name in names:
        if name in table:
            return name, pd.to_numeric(table[name], errors="coerce").to_numpy(float) * factor
    return None, None


def read_localizations(
    path: str | Path,
    x_col: str | None = None,
    y_col: str | None = None,
    unit: str | None = None,
    pixel_size: float | None = None,
    drop_invalid: bool = False,
    label_col: str | None = None,
) -> LocalizationTable:
    """Reads a localization table; coordinates in nm. NaN/inf rows raise unless `drop_invalid`.
    `label_col` names a cluster-label column that must exist (0 or blank = background); without
    it a benchmark file's `index` column is read as ground truth."""
    path = Path(path)
    if not path.exists():
        raise LocalizationFileError(f"file not found: {path}")
    if path.is_dir():
        raise LocalizationFileError(f"{path} is a folder; give a localization file")
    if pixel_size is not None and not (np.isfinite(pixel_size) and pixel_size > 0):
        raise LocalizationFileError(
            f"--pixel-size {pixel_size:g}: give the camera pixel size as a positive number of nm"
        )
    raw = _read_raw(path)
    notes = list(raw.notes)
    xc, yc, u, fmt = _find_xy(raw, x_col, y_col, unit, path)
    pixel_size = pixel_size or raw.pixel_size
    factor = _to_nm_factor(u, pixel_size, xc)
    table, xy = _numeric_coordinates(raw.table, xc, yc, notes)
    xy = xy * factor
    bad = ~np.isfinite(xy).all(axis=1)
    if bad.any():
        if not drop_invalid:
            raise LocalizationFileError(
                f"{int(bad.sum())} of {len(xy)} rows have NaN or infinite coordinates (first at "
                f"data row {int(np.flatnonzero(bad)[0]) + 1}); pass --drop-invalid to skip them"
            )
        if bad.all():
            raise LocalizationFileError(
                f"all {len(xy)} rows of {path.name} have NaN or infinite "
                f"coordinates in {xc!r}/{yc!r}: nothing to cluster"
            )
        table = table.loc[~bad].reset_index(drop=True)
        xy = xy[~bad]
        notes.append(f"skipped {int(bad.sum())} rows with NaN or infinite coordinates")
    z_column = next((c for c in Z_COLUMNS if c in table and c not in (xc, yc)), None)
    if z_column is not None:
        notes.append(f"column {z_column!r} ignored: MIRO clusters in 2D (x, y)")
    truth = None
    if label_col is not None and label_col not in table:
        raise LocalizationFileError(
            f"{path.name} has no label column {label_col!r} (columns: "
            f"{list(table.columns)}); pass --label-col"
        )
    label_col = label_col or ("index" if fmt == "benchmark" and "index" in table else None)
    if label_col is not None:
        truth, note = _ground_truth(table[label_col])
        notes += [note] if note else []
    _, frame = _optional_column(table, FRAME_COLUMNS)
    uncertainty = None
    for name, unit_name in UNCERTAINTY_COLUMNS.items():
        if name in table and (unit_name == "nm" or pixel_size):
            scale = 1.0 if unit_name == "nm" else pixel_size
            uncertainty = _optional_column(table, [name], scale)[1]
            break
    return LocalizationTable(
        table=table,
        xy_nm=xy,
        truth=truth,
        source_format=fmt,
        x_column=xc,
        y_column=yc,
        notes=notes,
        frame=frame,
        uncertainty_nm=uncertainty,
        pixel_size_nm=pixel_size,
        metadata=raw.metadata,
    )


def _ground_truth(column: pd.Series) -> tuple[np.ndarray, str]:
    """Cluster ids from a label column: blank cells are background (0), said in a note; ids must
    be whole numbers ≥ 0."""
    values = pd.to_numeric(column, errors="coerce")
    unreadable = values.isna() & column.notna() & (column.astype(str).str.strip() != "")
    if unreadable.any():
        raise LocalizationFileError(
            f"label column {column.name!r} has non-numeric values (e.g. "
            f"{column[unreadable].iloc[0]!r}); use 0 for background and "
            "1, 2, … for clusters"
        )
    blank = int(values.isna().sum())
    values = values.fillna(0)
    if (values < 0).any() or (values != np.round(values)).any():
        raise LocalizationFileError(
            f"label column {column.name!r} must hold whole numbers ≥ 0 "
            "(0 = background, 1, 2, … = clusters)"
        )
    note = f"{blank} blank {column.name!r} cells read as background (0)" if blank else ""
    return values.to_numpy(np.int64), note


def check_units(xy_nm: np.ndarray, unit_flag: str = "--unit") -> None:
    """Stops when the spacing of the localizations says the unit is off by ≈1000: SMLM
    localizations lie ≈1–1,000 nm from their nearest neighbour."""
    import scipy.spatial

    unique = np.unique(xy_nm, axis=0)
    if len(unique) < 10:
        return
    sample = unique[
        np.random.default_rng(0).choice(len(unique), min(len(unique), 20_000), replace=False)
    ]
    distance, _ = scipy.spatial.cKDTree(unique).query(sample, k=2)
    nn = float(np.median(distance[:, 1]))
    if nn < NEAREST_NEIGHBOUR_NM[0]:
        raise LocalizationFileError(
            f"the median nearest-neighbour distance is {nn:.3g} nm, far below SMLM spacings: the "
            f"coordinates look like µm, not nm; pass {unit_flag} um"
        )
    if nn > NEAREST_NEIGHBOUR_NM[1]:
        raise LocalizationFileError(
            f"the median nearest-neighbour distance is {nn:,.0f} nm, far above SMLM spacings: the "
            f"coordinates look like nm read as µm (or pixels as nm); pass {unit_flag} nm or "
            "--pixel-size"
        )
