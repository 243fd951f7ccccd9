"""What prepared data depends on, so that stale or foreign shards are never read.

Two parts, kept apart so that a message can say which one changed:

- `recipe`: the recipe's data section (with every file as its resolved absolute path), the
  objective kind, model.max_len, the vocabulary size when it decides the tokenizer (BPE), the
  tokenizers library version and the shard format;
- `files`: each data file's size, modification time and a hash of its first MiB.

Torch-free (and cheap: one small read per file), so it can run anywhere.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import tokenizers

from archspec.data.readers import resolve_path

FILE_FIELDS = ("path", "val_path", "test_path")
HEAD_BYTES = 1 << 20


def data_files(recipe: Any, recipe_dir: Path | None) -> dict[str, Path]:
    """data.source field -> the file it names, resolved as training resolves it."""
    source = recipe.data.source
    found = {}
    for field in FILE_FIELDS:
        value = getattr(source, field, None)
        if isinstance(value, str) and value:
            found[field] = resolve_path(value, f"data.source.{field}", recipe_dir).resolve()
    return found


def file_stamp(path: Path) -> dict[str, Any]:
    stat = path.stat()
    with open(path, "rb") as f:
        head = hashlib.sha256(f.read(HEAD_BYTES)).hexdigest()[:16]
    return {"path": str(path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "head": head}


def fingerprint(recipe: Any, recipe_dir: Path | None, shard_format: str) -> dict[str, Any]:
    """{"recipe": {...}, "files": {...}, "key": hash of both}."""
    files = data_files(recipe, recipe_dir)
    data = recipe.data.model_dump(mode="json")
    for field, path in files.items():
        data["source"][field] = str(path)
    for knob in ("num_workers", "batching"):  # how batches are drawn, not what the shards hold
        data.pop(knob, None)
    tokenizer = data.get("tokenizer") or {}
    vocab = recipe.model.vocab_size
    part = {
        "data": data,
        "objective": recipe.objective.kind,
        "max_len": recipe.model.max_len,
        "vocab_size": vocab if tokenizer.get("kind") == "bpe" and isinstance(vocab, int) else None,
        "tokenizers": tokenizers.__version__,
        "format": shard_format,
    }
    stamps = {field: file_stamp(path) for field, path in files.items()}
    key = hashlib.sha256(json.dumps([part, stamps], sort_keys=True).encode()).hexdigest()[:16]
    return {"recipe": part, "files": stamps, "key": key}


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What changed between two fingerprints, in words ('data.tokenizer.kind: char -> bpe')."""
    out = [
        f"data file {new['files'].get(f, old['files'].get(f, {})).get('path', f)} changed"
        for f in sorted(set(old["files"]) | set(new["files"]))
        if old["files"].get(f) != new["files"].get(f)
    ]
    out += [f"{name}: {a} -> {b}" for name, a, b in _leaves(old["recipe"], new["recipe"], "")]
    return out


def _leaves(a: Any, b: Any, prefix: str) -> list[tuple[str, Any, Any]]:
    if isinstance(a, dict) and isinstance(b, dict):
        found = []
        for k in sorted(set(a) | set(b)):
            found += _leaves(a.get(k), b.get(k), f"{prefix}{'.' if prefix else ''}{k}")
        return found
    return [] if a == b else [(prefix, json.dumps(a), json.dumps(b))]
