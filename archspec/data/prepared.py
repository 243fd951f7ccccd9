"""Which data a run reads: a prepared folder when one is there and up to date, a streamed
cache in the run directory for plain text too large to hold, else the in-memory pipeline.

    prepared/<recipe name>/   written by `archspec prepare RECIPE` (default place; --out DIR)
    RUN_DIR/data/             written by `train` itself for a text file over STREAM_BYTES

A folder that is there but out of date (its data files changed, or it was prepared for
another data section) is an error naming what changed: training silently on different data,
or silently loading gigabytes into memory, is worse than being told to run prepare again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from archspec.atomic import write_text_atomic
from archspec.data import shardfiles, shards
from archspec.data import tokenizers as tk
from archspec.data.fingerprint import differences, fingerprint
from archspec.data.readers import Row
from archspec.errors import ArchspecError

STREAM_BYTES = 512 << 20
"""A chunked plain-text training file larger than this is tokenized a block at a time into
RUN_DIR/data instead of being read whole (`train` without `prepare`)."""

STREAM_DIR = "data"
LINK = "prepared-data.txt"
"""RUN_DIR/prepared-data.txt: the prepared folder a run reads, so `--resume` and `eval` find it."""


def default_folder(recipe_path: str | Path) -> Path:
    """prepared/<recipe file name without .yaml>, in the working directory (like runs/)."""
    return Path("prepared") / Path(recipe_path).stem


def check_current(recipe: Any, folder: Path, recipe_dir: Path | None) -> dict[str, Any] | None:
    """The folder's manifest when it is up to date for `recipe`; None when there is none;
    an ArchspecError saying what changed when it is stale or foreign."""
    manifest = shardfiles.read_manifest(folder)
    if manifest is None:
        return None
    now = fingerprint(recipe, recipe_dir, shardfiles.FORMAT)
    old = manifest.get("fingerprint") or {}
    if old.get("key") != now["key"]:
        changed = differences(old, now) if "recipe" in old and "files" in old else ["unknown"]
        raise ArchspecError(
            f"{folder}: the prepared data is out of date for this recipe ("
            + "; ".join(changed[:4])
            + (f"; {len(changed) - 4} more" if len(changed) > 4 else "")
            + f"); run `archspec prepare` on the recipe again, or delete {folder}"
        )
    return manifest


def load(recipe: Any, folder: Path, manifest: dict[str, Any], run_dir: Path, note: str) -> Any:
    """A `prepare.Prepared` whose datasets read `folder` (nothing of the corpus in memory);
    the tokenizer(s) are copied into run_dir, or must equal the ones already there."""
    from archspec.data.prepare import Prepared

    kind = tk.expected_kind(recipe.data.tokenizer)
    names = ["tokenizer.json"]
    if not (folder / "tokenizer.json").exists():
        names = ["tokenizer-source.json", "tokenizer-target.json"]
    toks = [_tokenizer(folder / n, Path(run_dir) / n, kind) for n in names]
    source, target = toks[0], toks[-1]
    _check_vocab(recipe, source, target)
    datasets: dict[str, Any] = {}
    raw: dict[str, list[Row]] = {}
    for split, entry in manifest["splits"].items():
        dtype = np.dtype(entry["dtype"])
        if entry["kind"] == "chunks":
            stream = shards.stream_files(folder, entry["shards"], dtype)
            if len(stream) != entry["tokens"]:
                raise ArchspecError(
                    f"{folder}: the {split} shards hold {len(stream):,} tokens, the manifest "
                    f"says {entry['tokens']:,} (damaged); delete {folder} and run "
                    "`archspec prepare` again"
                )
            name = f"{entry['where']} ({split} split, prepared)"
            datasets[split] = shards.PreparedChunks(stream, entry["seq_len"], entry["extra"], name)
            raw[split] = [
                Row(t, "", f"{entry['where']}:{n}") for n, t in enumerate(entry["head"], 1)
            ]
        else:
            datasets[split] = shards.PreparedExamples(folder, split, entry, dtype)
            raw[split] = _raw_rows(folder / f"{split}.raw.jsonl")
    specials = tk.specials_of(recipe.data.tokenizer, source)
    labels = manifest.get("labels")
    return Prepared(datasets, source, target, labels, raw, note=note, specials=specials)


def _tokenizer(path: Path, in_run: Path, kind: str | None) -> Any:
    if not path.exists():
        raise ArchspecError(f"{path}: missing from the prepared data; run `archspec prepare` again")
    tok = tk.load_tokenizer(path, kind)
    if in_run.exists():
        if tk.load_tokenizer(in_run, kind).to_str() != tok.to_str():
            raise ArchspecError(
                f"{in_run} differs from the prepared data's {path}: the run was trained with "
                f"another tokenizer; prepare into another folder or resume without {path.parent}"
            )
    else:
        tk.save_tokenizer(tok, in_run)
    return tok


def _check_vocab(recipe: Any, source: Any, target: Any) -> None:
    vocab = recipe.model.vocab_size
    sizes = {"source": vocab.source, "target": vocab.target} if hasattr(vocab, "source") else None
    for side, tok in (("source", source), ("target", target)):
        limit = sizes[side] if sizes else vocab
        knob = f"model.vocab_size.{side}" if sizes else "model.vocab_size"
        if isinstance(limit, int) and tok.get_vocab_size() > limit:
            raise ArchspecError(
                f"the prepared tokenizer has {tok.get_vocab_size()} tokens but {knob} is {limit};"
                f" raise {knob} to at least {tok.get_vocab_size()}"
            )


def _raw_rows(path: Path) -> list[Row]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as f:
        return [Row(*json.loads(line)) for line in f if line.strip()]


def read_data(recipe: Any, run_dir: Path, recipe_dir: Path | None, folder: Path | None) -> Any:
    """The run's `Prepared` data: from `folder` when it holds this recipe's shards, streamed
    into RUN_DIR/data for a large plain-text file, else read and encoded in memory."""
    from archspec.data.prepare import prepare
    from archspec.data.writer import prepare_folder, streamable

    if recipe.data is None or recipe.data.source is None:
        return prepare(recipe, run_dir, recipe_dir)  # says what is missing
    link = Path(run_dir) / LINK
    if folder is None and link.is_file():  # resume, eval: the folder the run trained from
        linked = Path(link.read_text().strip())
        folder = linked if _same_files(recipe, linked, recipe_dir) else None  # not eval --data
    if folder is not None:
        manifest = check_current(recipe, Path(folder), recipe_dir)
        if manifest is not None:
            Path(run_dir).mkdir(parents=True, exist_ok=True)
            write_text_atomic(link, f"{Path(folder).resolve()}\n")
            return load(recipe, Path(folder), manifest, run_dir, f"prepared data {folder}")
    if streamable(recipe):
        cache = Path(run_dir) / STREAM_DIR
        try:
            manifest = check_current(recipe, cache, recipe_dir)
        except ArchspecError:
            manifest = None  # our own cache, made for other data (eval --data): not used
        big = _train_bytes(recipe, recipe_dir) > STREAM_BYTES
        if manifest is None and big:
            prepare_folder(recipe, recipe_dir, cache)
            manifest = check_current(recipe, cache, recipe_dir)
        if manifest is not None:
            note = (
                f"streamed into {cache} a block at a time (`archspec prepare` keeps it for reuse)"
            )
            return load(recipe, cache, manifest, run_dir, note)
    return prepare(recipe, run_dir, recipe_dir)


def _train_bytes(recipe: Any, recipe_dir: Path | None) -> int:
    from archspec.data.fingerprint import data_files

    return data_files(recipe, recipe_dir)["path"].stat().st_size


def prepared_folder(recipe_path: str | Path | None) -> Path | None:
    """Where `train RECIPE` looks for prepared data: prepared/<name>, if that folder exists."""
    if recipe_path is None:
        return None
    folder = default_folder(recipe_path)
    return folder if folder.is_dir() else None


def _same_files(recipe: Any, folder: Path, recipe_dir: Path | None) -> bool:
    """The folder was prepared from the files the recipe names (changed or not)."""
    from archspec.data.fingerprint import data_files

    try:
        manifest = shardfiles.read_manifest(folder) or {}
    except ArchspecError:
        return True  # say what is wrong with it
    old = {f: s.get("path") for f, s in manifest.get("fingerprint", {}).get("files", {}).items()}
    return old == {f: str(p) for f, p in data_files(recipe, recipe_dir).items()}
