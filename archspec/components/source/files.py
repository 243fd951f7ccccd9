"""What every file-based source shares: the training file, and where validation and test
examples come from (their own files, or a share held out of the training file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field

from archspec.components.source.base import SourceImpl
from archspec.spec.base import Issues, Spec, cross_check


class FileSource(Spec):
    """Fields every file-based source has: the training file and where validation and test
    examples come from."""

    kind: str
    """Which file source (each subclass fixes it; declared here so that it is listed first)."""
    path: str
    """Training file. A relative path is looked up in the current directory, then beside the
    recipe file."""
    val_path: str | None = None
    """Validation file; when unset, `val_fraction` of the training file is held out."""
    val_fraction: float = Field(0.05, ge=0.0, lt=1.0)
    """Share of the training file held out for validation when `val_path` is unset (the end of
    a plain-text file; a seeded random sample of examples otherwise)."""
    test_path: str | None = None
    """Test file (optional)."""
    test_fraction: float = Field(0.0, ge=0.0, lt=1.0)
    """Share of the training file held out for testing when `test_path` is unset."""

    @cross_check("val_path", "val_fraction", "test_path", "test_fraction")
    def _held_out_once(self, issues: Issues) -> None:
        for split in ("val", "test"):
            fraction = f"{split}_fraction"
            default = type(self).model_fields[fraction].default
            if getattr(self, f"{split}_path") and getattr(self, fraction) != default:
                issues.add(
                    f"{split}_fraction",
                    f"{split}_path already gives the {split} examples; remove {split}_fraction",
                )
        held_out = (0 if self.val_path else self.val_fraction) + (
            0 if self.test_path else self.test_fraction
        )
        if held_out >= 1.0:
            issues.add(
                "val_fraction",
                f"val_fraction + test_fraction = {held_out:g} leaves no training data",
            )


class FileSourceImpl(SourceImpl):
    """Reading shared by file sources: each subclass says how one file becomes rows."""

    held_out = "sample"
    """How val/test fractions are taken from the training file: `sample` (seeded random rows)
    or `tail` (the end of a plain-text file)."""

    def rows(self, source: Any, path: Path) -> list:
        """The rows of one file."""
        raise NotImplementedError

    def read(self, source: Any, data: Any, recipe_dir: Path | None) -> Any:
        from archspec.data.sources import read_file_splits

        return read_file_splits(self, source, data.seed, recipe_dir)

    def for_file(self, source: Any, path: Path, label_names: list[str] | None) -> Any:
        update: dict[str, Any] = {"path": str(path), "val_path": str(path)}
        update.update(test_path=None, test_fraction=0.0)  # no held-out fraction either
        return source.model_copy(update=update)


def delimited_rows(source: Any, path: Path, fields: tuple[str, str], names: str) -> list:
    """Rows of a TSV, CSV or JSONL file of two fields (e.g. source and target)."""
    from archspec.data import readers

    fmt = readers.file_format(path, source.format)
    return readers.read_rows(path, fmt, fields, source.header, names)
