"""Files on disk -> strings, with every problem reported as `file:line: what is wrong`.

Plain text is read whole; TSV, CSV and JSONL become rows of two fields (source and target,
or text and label), each remembering its line so that later checks (too long, unknown
label) can point at it. Everything raises ArchspecError, which the CLI turns into exit
status 2 without a traceback.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from archspec.errors import ArchspecError
from archspec.suggest import did_you_mean

FORMATS = {".tsv": "tsv", ".tab": "tsv", ".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl"}
"""File extension -> format, for `format: auto`."""


@dataclass(frozen=True)
class Row:
    """Two fields of one example and where they came from."""

    first: str
    """Source text (pairs) or text (labelled)."""
    second: str
    """Target text (pairs) or label (labelled)."""
    where: str
    """'path:line' for messages."""


def resolve_path(value: str, field: str, recipe_dir: Path | None) -> Path:
    """A data path as the user meant it: the current directory first, then beside the recipe."""
    path = Path(value).expanduser()
    tried = [path if path.is_absolute() else Path.cwd() / path]
    if not path.is_absolute() and recipe_dir is not None:
        tried.append(Path(recipe_dir) / path)
    for candidate in tried:
        if candidate.is_file():
            return candidate
    looked = " and ".join(str(p) for p in tried)
    raise ArchspecError(f"{field}: file '{value}' not found (looked for {looked})")


def read_text(path: Path) -> str:
    """The whole file as UTF-8 text; an empty or undecodable file is an error."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ArchspecError(
            f"{path}:{line}: not UTF-8 text (byte 0x{data[err.start]:02x}); save the file as UTF-8"
        ) from None
    if not text.strip():
        raise ArchspecError(f"{path}: the file is empty")
    return text.removeprefix("\ufeff")


def file_format(path: Path, declared: str) -> str:
    """tsv, csv or jsonl: as declared, or from the extension for 'auto'."""
    if declared != "auto":
        return declared
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        raise ArchspecError(
            f"{path}: cannot tell the format from the extension '{path.suffix}'; name the file "
            f"*.tsv, *.csv or *.jsonl, or set data.source.format to tsv, csv or jsonl"
        )
    return found


def read_rows(path: Path, fmt: str, fields: tuple[str, str], header: bool, names: str) -> list[Row]:
    """Rows of (first, second) from a TSV, CSV or JSONL file.

    `fields` are the JSONL keys (or header columns); `names` says what they mean for messages,
    e.g. "source,target". Blank lines are skipped; any other malformed line is an error.
    """
    text = read_text(path)
    lines = text.splitlines()
    if fmt == "jsonl":
        rows = [_json_row(path, n, line, fields) for n, line in enumerate(lines, 1) if line.strip()]
    else:
        split = _tsv_cells if fmt == "tsv" else _csv_cells
        cells = [(n, split(line)) for n, line in enumerate(lines, 1) if line.strip()]
        rows = _delimited_rows(path, cells, fmt, fields, header, names.split(","))
    if not rows:
        raise ArchspecError(f"{path}: no examples (only a header or blank lines)")
    return rows


def _tsv_cells(line: str) -> list[str]:
    return line.split("\t")


def _csv_cells(line: str) -> list[str]:
    return next(csv.reader([line]))


def _delimited_rows(
    path: Path,
    cells: list[tuple[int, list[str]]],
    fmt: str,
    fields: tuple[str, str],
    header: bool,
    names: list[str],
) -> list[Row]:
    sep = "tab-separated" if fmt == "tsv" else "comma-separated"
    columns: tuple[int, ...] = (0, 1)
    width = 2
    if header:
        if not cells:
            raise ArchspecError(f"{path}: the file is empty")
        line, head = cells.pop(0)
        head = [h.strip() for h in head]
        columns = tuple(_column(path, line, head, f, n) for f, n in zip(fields, names, strict=True))
        width = len(head)
    rows = []
    for line, row in cells:
        if len(row) != width:
            what = f"{width} {sep} fields" + ("" if header else f" ({', '.join(names)})")
            raise ArchspecError(f"{path}:{line}: expected {what}, found {len(row)}")
        first, second = (row[c].strip() for c in columns)
        for value, name in ((first, names[0]), (second, names[1])):
            if not value:
                raise ArchspecError(f"{path}:{line}: the {name} is empty")
        rows.append(Row(first, second, f"{path}:{line}"))
    return rows


def _column(path: Path, line: int, head: list[str], field: str, name: str) -> int:
    if field in head:
        return head.index(field)
    raise ArchspecError(
        f"{path}:{line}: no column '{field}' in the header (columns: {', '.join(head)})"
        f"{did_you_mean(field, head)}; set data.source.{name}_field"
        " (or header: false if the first line is data)"
    )


def _json_row(path: Path, line: int, text: str, fields: tuple[str, str]) -> Row:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as err:
        raise ArchspecError(
            f"{path}:{line}: not valid JSON ({err.msg} at column {err.colno})"
        ) from None
    if not isinstance(obj, dict):
        raise ArchspecError(
            f"{path}:{line}: expected a JSON object {{...}}, found {type(obj).__name__}"
        )
    values = []
    for field in fields:
        if field not in obj:
            keys = ", ".join(map(str, obj)) or "none"
            raise ArchspecError(
                f"{path}:{line}: no field '{field}' (fields: {keys}){did_you_mean(field, obj)}"
            )
        value = obj[field]
        if isinstance(value, bool | int) and not isinstance(value, float):
            value = str(value).lower() if isinstance(value, bool) else str(value)
        if not isinstance(value, str) or not value.strip():
            raise ArchspecError(
                f"{path}:{line}: field '{field}' must be non-empty text, found {value!r}"
            )
        values.append(value.strip())
    return Row(values[0], values[1], f"{path}:{line}")
