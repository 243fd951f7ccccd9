"""The files of a prepared folder (archspec.data.shards describes the layout): flat arrays
written atomically, read by element ranges with os.pread, and the manifest. Torch-free, so
that `prepare`'s worker processes start quickly."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from archspec.errors import ArchspecError

FORMAT = "archspec-prepared/1"
MANIFEST = "manifest.json"
PROGRESS = "progress.json"


def id_dtype(vocab_size: int) -> np.dtype:
    """uint16 when every id fits, else uint32."""
    return np.dtype("<u2") if vocab_size <= 1 << 16 else np.dtype("<u4")


def write_array(path: Path, array: np.ndarray) -> None:
    """Write a flat array atomically (a killed process never leaves half a shard)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(np.ascontiguousarray(array).tobytes())
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class ArrayFile:
    """A flat array file of one dtype, read by element ranges with pread."""

    def __init__(self, path: Path, dtype: np.dtype) -> None:
        self.path = path
        self.dtype = np.dtype(dtype)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise ArchspecError(
                f"{path}: a prepared file is missing; delete {path.parent} and run "
                "`archspec prepare` again"
            ) from None
        if size % self.dtype.itemsize:
            raise ArchspecError(f"{path}: truncated ({size} bytes); run `archspec prepare` again")
        self.count = size // self.dtype.itemsize
        self._fd: int | None = os.open(path, os.O_RDONLY)  # open now: survives a rename

    def read(self, start: int, stop: int) -> np.ndarray:
        if self._fd is None:  # unpickled in a spawned worker
            self._fd = os.open(self.path, os.O_RDONLY)
        size = self.dtype.itemsize
        data = os.pread(self._fd, (stop - start) * size, start * size)
        return np.frombuffer(data, dtype=self.dtype)

    def __getstate__(self) -> dict[str, Any]:  # spawned workers open their own descriptor
        return {**self.__dict__, "_fd": None}


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The folder's manifest, None when there is none; a foreign or broken one is an error."""
    path = folder / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as err:
        raise ArchspecError(
            f"{path}: not a readable manifest ({err}); delete {folder} and run "
            "`archspec prepare` again"
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchspecError(
            f"{path}: not archspec prepared data (format "
            f"{manifest.get('format') if isinstance(manifest, dict) else '?'!r},"
            f" expected {FORMAT!r}); delete {folder} or prepare elsewhere"
        )
    return manifest
