"""labelled: texts with a class label for classification, from TSV, CSV or JSONL."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from archspec.components.registry import register
from archspec.components.source.files import FileSource, FileSourceImpl, delimited_rows
from archspec.components.source.pairs import Format
from archspec.spec.base import Issues, cross_check


class LabelledSource(FileSource):
    """Text with a class label for classification: TSV/CSV with a header, or JSONL."""

    kind: Literal["labelled"] = "labelled"
    format: Format = "auto"
    """File format; auto decides from the extension."""
    text_field: str = "text"
    """JSONL key (or header column) holding the text; without a header, column 1."""
    label_field: str = "label"
    """JSONL key (or header column) holding the label; without a header, column 2."""
    header: bool = True
    """TSV/CSV: the first line names the columns."""
    labels: list[str] | None = None
    """The class names in class-index order (default: the labels found in the training file,
    sorted). A label outside this list is an error."""
    max_examples: int | None = Field(None, ge=1)
    """Read at most this many training examples (after holding out validation/test)."""

    @cross_check("labels")
    def _labels(self, issues: Issues) -> None:
        if self.labels is not None:
            if len(self.labels) < 2:
                issues.add("labels", "a classifier needs at least two labels")
            if len(set(self.labels)) != len(self.labels):
                issues.add("labels", "labels must be distinct")


class Labelled(FileSourceImpl):
    def rows(self, source: Any, path: Path) -> list:
        fields = (source.text_field, source.label_field)
        return delimited_rows(source, path, fields, "text,label")

    def for_file(self, source: Any, path: Path, label_names: list[str] | None) -> Any:
        """FILE keeps the run's label order, so class indices mean what they meant."""
        update = {"max_examples": None, "labels": label_names or source.labels}
        return super().for_file(source, path, label_names).model_copy(update=update)


register("source", LabelledSource, Labelled())
