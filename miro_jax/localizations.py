"""Reading localization tables (benchmark CSV, ThunderSTORM, plain CSV/TSV, Picasso HDF5) into nm.

Every input column is kept; coordinates are converted to nm and validated. Problems a user can
hit raise `LocalizationFileError` with a message that names the problem and the fix.
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
_KNOWN_XY = [("x", "y", "nm"), ("xnm", "ynm", "nm"), ("x_nm", "y_nm", "nm"),
             ("Position X [nm]", "Position Y [nm]", "nm"), ("X (nm)", "Y (nm)", "nm")]


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
    notes: list[str] = dataclasses.field(default_factory=list)  # what reading changed, one line each


def _to_nm_factor(unit: str, pixel_size: float | None, column: str) -> float:
    unit = unit.strip().lower()
    if unit in UNIT_TO_NM:
        return UNIT_TO_NM[unit]
    if unit in ("px", "pixel", "pixels", "camera pixels"):
        if not pixel_size:
            raise LocalizationFileError(
                f"column {column!r} is in camera pixels: pass --pixel-size (nm per pixel)")
        return float(pixel_size)
    raise LocalizationFileError(f"column {column!r} has unknown unit {unit!r}; use nm, um or px")


def _text_encoding(path: Path) -> str:
    """'utf-8' (with or without BOM) when the file decodes as such, else Latin-1 (older Windows
    exports, e.g. 'x [µm]' written in cp1252/Latin-1)."""
    raw = path.read_bytes()[:1 << 20]
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


def _read_table(path: Path) -> pd.DataFrame:
    if path.suffix.lower() in (".h5", ".hdf5"):
        return _read_picasso(path)
    encoding = _text_encoding(path)
    with open(path, encoding=encoding, errors="replace") as f:
        head, first_row = f.readline(), f.readline()
    if not head.strip():
        raise LocalizationFileError(f"{path} is empty: it needs a header row and localizations")
    sep, decimal = _delimiters(head, first_row, path)
    try:
        table = pd.read_csv(path, sep=sep, decimal=decimal, encoding=encoding)
    except pd.errors.EmptyDataError as err:
        raise LocalizationFileError(f"{path} is empty: it needs a header row and localizations") from err
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        name = {"\t": "tab", ",": "comma", ";": "semicolon"}[sep]
        raise LocalizationFileError(f"{path} is not a readable {name}-delimited table: "
                                    f"{str(err).splitlines()[0]}") from err
    if len(table) == 0:
        raise LocalizationFileError(f"{path} has a header but no localizations")
    return table


def _read_picasso(path: Path) -> pd.DataFrame:
    try:
        import h5py
    except ImportError as err:
        raise LocalizationFileError("reading Picasso HDF5 needs h5py: pip install h5py") from err
    try:
        f = h5py.File(path, "r")
    except OSError as err:
        raise LocalizationFileError(f"{path} is not an HDF5 file ({str(err).splitlines()[0]}); "
                                    "give a Picasso .hdf5 or rename a text table to .csv") from err
    with f:
        if "locs" not in f:
            raise LocalizationFileError(f"{path} has no 'locs' table (not a Picasso file)")
        return pd.DataFrame(f["locs"][...])


def _picasso_pixel_size(path: Path) -> float | None:
    sidecar = path.with_suffix(".yaml")
    if not sidecar.exists():
        return None
    try:
        import yaml
    except ImportError:
        return None
    for doc in yaml.safe_load_all(sidecar.read_text()):
        if isinstance(doc, dict) and "Pixelsize" in doc:
            return float(doc["Pixelsize"])
    return None


def _find_xy(table: pd.DataFrame, x_col, y_col, unit, pixel_size, path: Path):
    """Column names and nm factors of the coordinates, and the format they imply."""
    columns = list(table.columns)
    if x_col or y_col:
        if not (x_col and y_col):
            raise LocalizationFileError("give both --x-col and --y-col")
        for c in (x_col, y_col):
            if c not in table.columns:
                raise LocalizationFileError(f"column {c!r} not found; the file has {columns}")
        found = [(x_col, y_col, unit or "nm", "table")]
    elif path.suffix.lower() in (".h5", ".hdf5"):
        pixel_size = pixel_size or _picasso_pixel_size(path)
        found = [("x", "y", "px", "picasso")]
    else:
        found = []
        for c in columns:  # ThunderSTORM style "x [nm]"
            m = _BRACKET.match(str(c))
            if m and m.group(1).lower() == "x":
                ys = [d for d in columns
                      if (my := _BRACKET.match(str(d))) and my.group(1) == "y"]
                if ys:
                    found.append((c, ys[0], m.group(2), "thunderstorm"))
        for xc, yc, u in _KNOWN_XY:
            if xc in table.columns and yc in table.columns:
                found.append((xc, yc, unit or u, "benchmark" if xc == "x" else "table"))
        if not found:
            raise LocalizationFileError(
                f"no coordinate columns found in {path.name}; the file has {columns}. "
                "Pass --x-col and --y-col (and --unit)")
    xc, yc, u, fmt = found[0]
    if unit and fmt == "thunderstorm":
        u = unit
    return xc, yc, _to_nm_factor(u, pixel_size, xc), fmt


def read_localizations(path: str | Path, x_col: str | None = None, y_col: str | None = None,
                       unit: str | None = None, pixel_size: float | None = None,
                       drop_invalid: bool = False) -> LocalizationTable:
    """Reads a localization table; coordinates in nm. NaN/inf rows raise unless `drop_invalid`."""
    path = Path(path)
    if not path.exists():
        raise LocalizationFileError(f"file not found: {path}")
    if path.is_dir():
        raise LocalizationFileError(f"{path} is a folder; give a localization file")
    if pixel_size is not None and not (np.isfinite(pixel_size) and pixel_size > 0):
        raise LocalizationFileError(f"--pixel-size {pixel_size:g}: give the camera pixel size as "
                                    "a positive number of nm")
    table = _read_table(path)
    xc, yc, factor, fmt = _find_xy(table, x_col, y_col, unit, pixel_size, path)
    try:
        xy = table[[xc, yc]].to_numpy(np.float64) * factor
    except (ValueError, TypeError) as err:
        raise LocalizationFileError(f"columns {xc!r}/{yc!r} are not numeric: {err}") from err
    bad = ~np.isfinite(xy).all(axis=1)
    if bad.any():
        if not drop_invalid:
            raise LocalizationFileError(
                f"{int(bad.sum())} of {len(xy)} rows have NaN or infinite coordinates (first at "
                f"data row {int(np.flatnonzero(bad)[0]) + 1}); pass --drop-invalid to skip them")
        if bad.all():
            raise LocalizationFileError(f"all {len(xy)} rows of {path.name} have NaN or infinite "
                                        f"coordinates in {xc!r}/{yc!r}: nothing to cluster")
        table = table.loc[~bad].reset_index(drop=True)
        xy = xy[~bad]
    notes = [f"skipped {int(bad.sum())} rows with NaN or infinite coordinates"] if bad.any() else []
    truth = None
    if fmt == "benchmark" and "index" in table:
        truth, note = _ground_truth(table["index"])
        notes += [note] if note else []
    return LocalizationTable(table=table, xy_nm=xy, truth=truth, source_format=fmt,
                             x_column=xc, y_column=yc, notes=notes)


def _ground_truth(column: pd.Series) -> tuple[np.ndarray, str]:
    """Cluster ids from a label column: blank cells are background (0), said in a note; ids must
    be whole numbers ≥ 0."""
    values = pd.to_numeric(column, errors="coerce")
    unreadable = values.isna() & column.notna() & (column.astype(str).str.strip() != "")
    if unreadable.any():
        raise LocalizationFileError(f"label column {column.name!r} has non-numeric values (e.g. "
                                    f"{column[unreadable].iloc[0]!r}); use 0 for background and "
                                    "1, 2, … for clusters")
    blank = int(values.isna().sum())
    values = values.fillna(0)
    if (values < 0).any() or (values != np.round(values)).any():
        raise LocalizationFileError(f"label column {column.name!r} must hold whole numbers ≥ 0 "
                                    "(0 = background, 1, 2, … = clusters)")
    note = f"{blank} blank {column.name!r} cells read as background (0)" if blank else ""
    return values.to_numpy(np.int64), note


def check_units(xy_nm: np.ndarray, unit_flag: str = "--unit") -> None:
    """Stops when the spacing of the localizations says the unit is off by ≈1000: SMLM
    localizations lie ≈1–1,000 nm from their nearest neighbour."""
    import scipy.spatial

    unique = np.unique(xy_nm, axis=0)
    if len(unique) < 10:
        return
    sample = unique[np.random.default_rng(0).choice(len(unique), min(len(unique), 20_000),
                                                    replace=False)]
    distance, _ = scipy.spatial.cKDTree(unique).query(sample, k=2)
    nn = float(np.median(distance[:, 1]))
    if nn < NEAREST_NEIGHBOUR_NM[0]:
        raise LocalizationFileError(
            f"the median nearest-neighbour distance is {nn:.3g} nm, far below SMLM spacings: the "
            f"coordinates look like µm, not nm; pass {unit_flag} um")
    if nn > NEAREST_NEIGHBOUR_NM[1]:
        raise LocalizationFileError(
            f"the median nearest-neighbour distance is {nn:,.0f} nm, far above SMLM spacings: the "
            f"coordinates look like nm read as µm (or pixels as nm); pass {unit_flag} nm or "
            "--pixel-size")
