"""What `validate` checks beyond the schema so that "ok" means `train` will start.

These read the resolved document (before or after it validates, so that they are reported
together with the field errors): every data file the recipe names exists, and a decoder's
prefix mask has a length when the objective (causal-lm) supplies none per sequence, and the
trackers trainer.loggers names are installed.  What
needs the machine (GPUs, memory) is checked when `train` starts, before it creates anything
(archspec.train.preflight).  Torch-free.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archspec.recipe.source import DocPath
from archspec.spec.objective import default_objective

FILE_FIELDS = ("path", "val_path", "test_path")


def trainability_issues(data: dict[str, Any], recipe_dir: Path | None) -> list[tuple[DocPath, str]]:
    """(dotted path, message) for each problem that would stop `train` before its first step."""
    return [*_missing_files(data, recipe_dir), *_prefix_without_length(data), *_loggers(data)]


def _loggers(data: dict[str, Any]) -> list[tuple[DocPath, str]]:
    """A tracker in trainer.loggers whose package is not installed."""
    from archspec.spec.trainer import missing_package

    names = (data.get("trainer") or {}).get("loggers")
    names = names.split(",") if isinstance(names, str) else names
    if not isinstance(names, list | tuple):
        return []
    found = ((i, missing_package(n)) for i, n in enumerate(names) if isinstance(n, str))
    return [(("trainer", "loggers", i), why) for i, why in found if why]


def _missing_files(data: dict[str, Any], recipe_dir: Path | None) -> list[tuple[DocPath, str]]:
    source = (data.get("data") or {}).get("source")
    if not isinstance(source, dict):
        return []
    out: list[tuple[DocPath, str]] = []
    for key in FILE_FIELDS:
        value = source.get(key)
        if not isinstance(value, str) or not value:
            continue
        found, tried = find_data_file(value, recipe_dir)
        if found is None:
            looked = " and ".join(str(p) for p in tried)
            out.append((("data", "source", key), f"file '{value}' not found (looked for {looked})"))
        elif not found.is_file():
            out.append((("data", "source", key), f"'{value}' is not a file"))
    return out


def find_data_file(value: str, recipe_dir: Path | None) -> tuple[Path | None, list[Path]]:
    """Where a data path points, as training resolves it: the working directory first, then
    beside the recipe file (archspec.data.readers.resolve_path)."""
    path = Path(value).expanduser()
    tried = [path if path.is_absolute() else Path.cwd() / path]
    if not path.is_absolute() and recipe_dir is not None:
        tried.append(Path(recipe_dir) / path)
    return next((p for p in tried if p.exists()), None), tried


def _prefix_without_length(data: dict[str, Any]) -> list[tuple[DocPath, str]]:
    model = data.get("model")
    if not isinstance(model, dict) or model.get("kind", "encoder-decoder") != "decoder":
        return []
    objective = data.get("objective") or {}
    kind = objective.get("kind") if isinstance(objective, dict) else None
    if kind is None:
        default = default_objective("decoder")
        kind = getattr(default, "kind", None)
    if kind != "causal-lm":
        return []
    mask = (
        (model.get("decoder") or {}).get("mask") if isinstance(model.get("decoder"), dict) else None
    )
    if isinstance(mask, dict) and mask.get("kind") == "prefix" and mask.get("length") is None:
        return [
            (
                ("model", "decoder", "mask", "length"),
                "a prefix mask under causal-lm needs a length: causal-lm data supplies no "
                "prefix length per sequence",
            )
        ]
    return []
