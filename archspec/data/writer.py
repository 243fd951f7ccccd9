"""`archspec prepare`: tokenize a recipe's data once into a prepared folder (archspec.data.shards).

Chunked plain text (the corpus that grows to gigabytes) is read a block of lines at a time
(archspec.data.blocks): the tokenizer is trained on a streamed pass over the training split,
then every block is encoded by a pool of worker processes (one per core) into its own shard.
Each shard is written atomically and recorded in progress.json, so an interrupted prepare
resumes at the first missing shard; a shard depends only on its block and the tokenizer, so
the same recipe and data always give the same bytes. Other sources (pairs, labelled rows,
lines, synthetic tasks) are encoded by the in-memory pipeline and written out as id fields.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from archspec.atomic import write_json_atomic
from archspec.components.registry import impl_of
from archspec.components.source.base import SourceImpl
from archspec.data import blocks
from archspec.data import shardfiles as shards
from archspec.data import tokenizers as tk
from archspec.data.fingerprint import data_files, fingerprint
from archspec.errors import ArchspecError
from archspec.spec.objective import objective_impl

Progress = Callable[[str, int, int, int], None]
"""(phase, bytes done, bytes in the phase, tokens written) -> None, called as work advances."""


def streamable(recipe: Any) -> bool:
    """The data is one plain-text token stream, read a block at a time (else in memory)."""
    source = recipe.data.source
    return source.kind == "text" and impl_of(source, SourceImpl).chunked(source)


def prepare_folder(
    recipe: Any,
    recipe_dir: Path | None,
    out: Path,
    progress: Progress | None = None,
    *,
    block_bytes: int = blocks.BLOCK_BYTES,
    workers: int | None = None,
) -> bool:
    """Prepare `recipe`'s data into `out`; False when it was already there and up to date."""
    if recipe.data is None or recipe.data.source is None:
        raise ArchspecError("data.source: the recipe names no examples to prepare; add one")
    out = Path(out)
    fp = fingerprint(recipe, recipe_dir, shards.FORMAT)
    manifest = shards.read_manifest(out)
    if manifest is not None and manifest.get("fingerprint", {}).get("key") == fp["key"]:
        return False
    out.mkdir(parents=True, exist_ok=True)
    done = _resumable(out, fp)
    report = progress or (lambda *_: None)
    if streamable(recipe):
        splits = _stream_text(recipe, recipe_dir, out, fp, done, report, block_bytes, workers)
        labels = None
    else:
        splits, labels = _in_memory(recipe, recipe_dir, out)
    write_json_atomic(
        out / shards.MANIFEST,
        {"format": shards.FORMAT, "fingerprint": fp, "splits": splits, "labels": labels},
    )
    return True


def _resumable(out: Path, fp: dict[str, Any]) -> list[str]:
    """Shards finished by an earlier, interrupted prepare of the same data; anything else in
    `out` that a prepare wrote is removed (other files are left alone)."""
    try:
        progress = json.loads((out / shards.PROGRESS).read_text())
        if progress.get("key") == fp["key"]:
            return list(progress["done"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    for path in out.iterdir():
        if OWN_FILES.fullmatch(path.name):
            path.unlink()
    return []


OWN_FILES = re.compile(
    r"(manifest|progress|tokenizer(-source|-target)?)\.json"
    r"|(train|val|test)(-\d{5}\.ids|\.\w+\.(ids|off|int)|\.lengths|\.raw\.jsonl)"
    r"|\..*\.tmp"
)
"""The files a prepare writes (only these are removed when a folder is prepared again)."""


# --- chunked text, a block at a time -----------------------------------------------------------


def _stream_text(
    recipe: Any,
    recipe_dir: Path | None,
    out: Path,
    fp: dict[str, Any],
    done: list[str],
    report: Progress,
    block_bytes: int,
    workers: int | None,
) -> dict[str, Any]:
    pieces = text_pieces(recipe, recipe_dir, block_bytes)
    tok_path = out / "tokenizer.json"
    if tok_path.exists() and "tokenizer.json" in done:
        tok = tk.load_tokenizer(tok_path, tk.expected_kind(recipe.data.tokenizer))
    else:
        named = tk.given_tokenizer(recipe.data.tokenizer, recipe_dir)
        tok = named if named is not None else _train_streamed(recipe, pieces["train"], report)
        tk.save_tokenizer(tok, tok_path)
        done = ["tokenizer.json"]
        _record(out, fp, done)
    dtype = shards.id_dtype(tok.get_vocab_size())
    jobs = [
        (f"{split}-{k:05d}.ids", piece)
        for split, group in pieces.items()
        for k, piece in enumerate(group)
    ]
    total = sum(p.size for _, p in jobs)
    finished = set(done)
    byte_count = sum(p.size for name, p in jobs if name in finished)
    tokens = sum((out / n).stat().st_size // dtype.itemsize for n, _ in jobs if n in finished)
    todo = [
        (str(out / name), p, str(tok_path), dtype.str) for name, p in jobs if name not in finished
    ]
    report("tokenize", byte_count, total, tokens)
    for name, size, count in _encode_all(todo, workers):
        done.append(Path(name).name)
        _record(out, fp, done)
        byte_count, tokens = byte_count + size, tokens + count
        report("tokenize", byte_count, total, tokens)
    overlap = objective_impl(recipe.objective).chunk_overlap
    seq_len = recipe.data.seq_len or recipe.model.max_len
    splits = {}
    for split, group in pieces.items():
        names = [f"{split}-{k:05d}.ids" for k in range(len(group))]
        count = sum((out / n).stat().st_size // dtype.itemsize for n in names)
        head = [line for line in group[0].lines()[:16]] if group else []
        where = str(group[0].path) if group else ""
        splits[split] = {
            "kind": "chunks",
            "shards": names,
            "tokens": int(count),
            "seq_len": seq_len,
            "extra": overlap,
            "dtype": dtype.str,
            "head": head,
            "where": where,
        }
    return splits


def text_pieces(recipe: Any, recipe_dir: Path | None, block_bytes: int) -> dict[str, list[Any]]:
    """Split -> its blocks of lines, held out exactly as the in-memory reader holds them out."""
    source = recipe.data.source
    files = data_files(recipe, recipe_dir)
    pieces = {"train": blocks.plan_blocks(files["path"], block_bytes)}
    for split in ("val", "test"):
        if f"{split}_path" in files:
            pieces[split] = blocks.plan_blocks(files[f"{split}_path"], block_bytes)
    fractions = {s: getattr(source, f"{s}_fraction") for s in ("val", "test") if s not in pieces}
    fractions = {s: f for s, f in fractions.items() if f > 0}
    if fractions:
        pieces.update(blocks.hold_out_tail(pieces.pop("train"), fractions, source.path))
    return {s: pieces[s] for s in ("train", "val", "test") if s in pieces}


def _train_streamed(recipe: Any, train: list[blocks.Piece], report: Progress) -> Any:
    """The recipe's tokenizer trained on the training split's lines, read a block at a time."""
    total = sum(p.size for p in train)
    fixed = impl_of(recipe.data.source, SourceImpl).fixed_tokenizer(recipe.data.source)
    if fixed is not None:
        return fixed

    def lines() -> Iterator[list[str]]:
        seen = 0
        for piece in train:
            yield piece.lines()
            seen += piece.size
            report("train tokenizer", seen, total, 0)

    report("train tokenizer", 0, total, 0)
    if recipe.data.tokenizer.kind == "char":
        return _count_chars(recipe, train, report)
    return tk.train_tokenizer_streamed(
        recipe.data.tokenizer, lines, recipe.model.vocab_size, "model.vocab_size"
    )


def _count_chars(recipe: Any, train: list[blocks.Piece], report: Progress) -> Any:
    """The char tokenizer from character counts (np.bincount over code points per block)."""
    from archspec.components.tokenizer.char import Char

    counts = np.zeros(0x110000, dtype=np.int64)
    total, seen = sum(p.size for p in train), 0
    for piece in train:
        points = np.frombuffer(piece.text().encode("utf-32-le"), dtype="<u4")
        counts += np.bincount(points, minlength=len(counts))
        seen += piece.size
        report("train tokenizer", seen, total, 0)
    found = {chr(c): int(counts[c]) for c in np.nonzero(counts)[0]}
    tok = Char().from_counts(recipe.data.tokenizer, found)
    vocab = recipe.model.vocab_size
    if tok.get_vocab_size() > vocab:
        n = tok.get_vocab_size()
        raise ArchspecError(
            f"the training data has {len(found)} distinct characters, which with "
            f"{n - len(found)} special tokens need a vocabulary of {n}, but model.vocab_size is "
            f"{vocab}; raise model.vocab_size to at least {n}"
        )
    return tok


def _record(out: Path, fp: dict[str, Any], done: list[str]) -> None:
    write_json_atomic(out / shards.PROGRESS, {"key": fp["key"], "done": done})


def _encode_all(todo: list[tuple], workers: int | None) -> Iterator[tuple[str, int, int]]:
    """(shard path, bytes of text, tokens) for every job, in job order; a pool of processes
    (one per core) when there is more than one job."""
    workers = workers or os.cpu_count() or 1
    if len(todo) <= 1 or workers == 1:
        yield from map(_encode_piece, todo)
        return
    ctx = multiprocessing.get_context("spawn")  # never fork a process whose tokenizer ran threads
    with ctx.Pool(min(workers, len(todo)), initializer=_quiet) as pool:
        yield from pool.imap(_encode_piece, todo)


def _quiet() -> None:
    os.environ["TOKENIZERS_PARALLELISM"] = "false"  # one process per core already


_TOKENIZERS: dict[str, Any] = {}


def _encode_piece(job: tuple) -> tuple[str, int, int]:
    """Encode one block of lines and write its shard; returns (path, bytes, tokens)."""
    path, piece, tok_path, dtype = job
    tok = _TOKENIZERS.get(tok_path)
    if tok is None:
        from tokenizers import Tokenizer

        tok = _TOKENIZERS[tok_path] = Tokenizer.from_file(tok_path)
    lines = piece.lines()
    ids = tk.encode_joined(tok, lines, _char_table(tok_path, tok))
    shards.write_array(Path(path), ids.astype(dtype))
    return path, piece.size, len(ids)


_TABLES: dict[str, np.ndarray | None] = {}


def _char_table(tok_path: str, tok: Any) -> np.ndarray | None:
    """`tk.char_table` of the tokenizer saved at tok_path, built once per process."""
    if tok_path not in _TABLES:
        _TABLES[tok_path] = tk.char_table(tok)
    return _TABLES[tok_path]


# --- everything else: the in-memory pipeline, written out ------------------------------------


def _in_memory(recipe: Any, recipe_dir: Path | None, out: Path) -> tuple[dict[str, Any], Any]:
    from archspec.data.prepare import prepare

    prepared = prepare(recipe, out, recipe_dir)  # trains and saves the tokenizer(s) in out
    dtype = shards.id_dtype(
        max(prepared.source_tokenizer.get_vocab_size(), prepared.target_tokenizer.get_vocab_size())
    )
    splits = {}
    for split, dataset in prepared.datasets.items():
        if hasattr(dataset, "stream"):
            raise ArchspecError(
                f"data.source.kind: {recipe.data.source.kind} chunked data "
                "cannot be prepared yet; use source kind text"
            )
        kinds = {}
        for name, values in dataset.fields.items():
            if len(values) and hasattr(values[0], "numpy"):
                arrays = [v.numpy() for v in values]
                offsets = np.cumsum([0] + [len(a) for a in arrays]).astype("<i8")
                flat = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int64)
                shards.write_array(out / f"{split}.{name}.ids", flat.astype(dtype))
                shards.write_array(out / f"{split}.{name}.off", offsets)
                kinds[name] = "ids"
            else:
                shards.write_array(out / f"{split}.{name}.int", np.asarray(values, dtype="<i8"))
                kinds[name] = "int"
        shards.write_array(out / f"{split}.lengths", dataset.lengths.numpy().astype("<i8"))
        rows = prepared.raw.get(split, []) if split != "train" else prepared.raw["train"][:16]
        with open(out / f"{split}.raw.jsonl", "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps([r.first, r.second, r.where]) + "\n")
        splits[split] = {"kind": "examples", "fields": kinds, "dtype": dtype.str}
    return splits, prepared.labels
