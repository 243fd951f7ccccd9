"""Atomic file writes: a reader never sees half a file, and a crash never loses the old one.

The temporary file is `.<name>.<random>.tmp` beside the target; a process killed mid-write
leaves it behind, and `remove_stale_temporaries` (called when a run starts) clears them.  A
full disk is an ArchspecError that says so and that the previous file is intact.
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from archspec.errors import ArchspecError

NO_SPACE = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def write_atomic(path: str | Path, write: Callable[[Path], object]) -> None:
    """Call write(tmp) on a temporary file in path's folder, then rename it over path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except Exception as err:
        if _is_no_space(err):
            kept = "the previous one is intact" if path.exists() else "nothing was written"
            raise ArchspecError(
                f"{path}: no space left on the device while writing it ({kept}); free some "
                "space and run the command again"
            ) from None
        raise
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _is_no_space(err: BaseException | None) -> bool:
    """ENOSPC anywhere in the chain (torch.save wraps the OSError in a RuntimeError)."""
    seen = 0
    while err is not None and seen < 10:
        if isinstance(err, OSError) and err.errno in NO_SPACE:
            return True
        if "No space left on device" in str(err) or "file write failed" in str(err):
            return True
        err, seen = err.__cause__ or err.__context__, seen + 1
    return False


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Delete the `.*.tmp` files an interrupted atomic write left in folder; the removed paths."""
    removed = []
    if folder.is_dir():
        for tmp in folder.glob(".*.tmp"):
            try:
                tmp.unlink()
                removed.append(tmp)
            except OSError:
                pass
    return removed


def write_text_atomic(path: str | Path, text: str) -> None:
    """Replace path's contents with text, atomically."""
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_json_atomic(path: str | Path, data: Any) -> None:
    """Replace path's contents with pretty JSON, atomically."""
    write_text_atomic(path, json.dumps(data, indent=2, sort_keys=False) + "\n")


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON file's object, or None when it is missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
