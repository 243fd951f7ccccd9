"""Every file generated from the models: the recipe and sweep JSON Schemas and the README's
recipe reference. `archspec schema` writes them; `archspec schema --check` (and a test)
fails when a committed one drifts."""

from __future__ import annotations

from pathlib import Path

from archspec.errors import ArchspecError
from archspec.recipe.reference import (
    README_PATH,
    SCHEMA_PATH,
    readme_with_reference,
    reference_markdown,
    schema_text,
)
from archspec.sweep.schema import SWEEP_SCHEMA_PATH, sweep_schema_text


def generated_files(schema_path: Path | None = None) -> dict[Path, str]:
    """Every generated file and the text it should hold."""
    schema_path = schema_path or SCHEMA_PATH
    if not README_PATH.is_file():
        raise ArchspecError(f"{README_PATH} not found: run `archspec schema` from a checkout")
    readme = README_PATH.read_text(encoding="utf-8")
    return {
        schema_path: schema_text(),
        SWEEP_SCHEMA_PATH: sweep_schema_text(),
        README_PATH: readme_with_reference(readme, reference_markdown()),
    }


def stale_files(schema_path: Path | None = None) -> list[Path]:
    """The generated files whose committed text differs from what the models produce."""
    return [
        path
        for path, text in generated_files(schema_path).items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]


def write_generated(schema_path: Path | None = None) -> list[Path]:
    """Regenerate every generated file; the files that changed."""
    changed = []
    for path, text in generated_files(schema_path).items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed
