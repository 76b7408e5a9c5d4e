"""Writing result files safely: outputs are checked before any work, never replace an input, and
appear atomically (a temporary file renamed into place), so a killed run leaves no half file."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path


class OutputPathError(ValueError):
    """An output path that cannot or must not be written; the message says which and why."""


def check_output_path(path: str | Path, flag: str, inputs: Iterable[str | Path],
                      suffixes: tuple[str, ...]) -> Path:
    """The output path, after checking that its folder exists, that it is not a folder, that its
    extension says what is written, and that it is none of the inputs."""
    path = Path(path)
    if path.suffix.lower() not in suffixes:
        raise OutputPathError(f"{flag} {path}: the file written is {suffixes[0]}; give a name "
                              f"ending in {' or '.join(suffixes)}")
    if path.is_dir():
        raise OutputPathError(f"{flag} {path} is a folder; give a file name inside it")
    if not path.parent.is_dir():
        raise OutputPathError(f"{flag} {path}: folder {path.parent} does not exist; create it "
                              "first")
    for source in inputs:
        source = Path(source)
        if path.resolve() == source.resolve() or (path.exists() and source.exists()
                                                  and os.path.samefile(path, source)):
            raise OutputPathError(f"{flag} {path} is an input file: miro never overwrites its "
                                  "inputs; choose another name")
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
