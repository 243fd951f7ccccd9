"""pairs: parallel sentence pairs for sequence-to-sequence, from TSV, CSV or JSONL."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from archspec.components.registry import register
from archspec.components.source.files import FileSource, FileSourceImpl, delimited_rows

Format = Literal["auto", "tsv", "csv", "jsonl"]
"""auto: from the file extension (.tsv/.tab, .csv, .jsonl/.json)."""


class PairsSource(FileSource):
    """Parallel sentence pairs for sequence-to-sequence: TSV/CSV (source, target columns) or
    JSONL (one object per line)."""

    kind: Literal["pairs"] = "pairs"
    format: Format = "auto"
    """File format; auto decides from the extension."""
    source_field: str = "source"
    """JSONL key (or header column) of the source side; without a header, column 1 is the
    source."""
    target_field: str = "target"
    """JSONL key (or header column) of the target side; without a header, column 2 is the
    target."""
    header: bool = False
    """TSV/CSV: the first line names the columns."""
    max_examples: int | None = Field(None, ge=1)
    """Read at most this many training examples (after holding out validation/test)."""


class Pairs(FileSourceImpl):
    paired = True

    def rows(self, source: Any, path: Path) -> list:
        fields = (source.source_field, source.target_field)
        return delimited_rows(source, path, fields, "source,target")

    def for_file(self, source: Any, path: Path, label_names: list[str] | None) -> Any:
        return super().for_file(source, path, label_names).model_copy(update={"max_examples": None})


register("source", PairsSource, Pairs())
