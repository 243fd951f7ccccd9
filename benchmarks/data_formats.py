"""Which on-disk format prepared data uses: flat numpy arrays vs litdata vs HF datasets.

    python -m benchmarks.data_formats /tmp/corpus-10m.txt

For one text file (char tokenizer, already trained): time to tokenize-and-write it in each
format, and time to read 2,000 random 129-token chunks back (what a training step reads).
Prints a Markdown table. litdata and datasets are optional: a missing one is reported.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

SEQ = 129
READS = 2000


def _encode(tok: Tokenizer, lines: list[str]) -> np.ndarray:
    enc = tok.encode_batch(lines, add_special_tokens=False)
    return np.fromiter((i for e in enc for i in e.ids), dtype=np.int64).astype(np.uint16)


def _blocks(path: Path, size: int = 4 << 20) -> list[list[str]]:
    text = path.read_text(encoding="utf-8").splitlines(keepends=True)
    out, cur, n = [], [], 0
    for line in text:
        cur.append(line)
        n += len(line)
        if n >= size:
            out.append(cur)
            cur, n = [], 0
    return out + ([cur] if cur else [])


def bench_numpy(tok: Tokenizer, blocks: list[list[str]], out: Path) -> tuple[float, float]:
    t = time.perf_counter()
    for k, block in enumerate(blocks):
        _encode(tok, block).tofile(out / f"{k:05d}.ids")
    write = time.perf_counter() - t
    files = sorted(out.glob("*.ids"))
    arrays = [np.memmap(f, dtype=np.uint16, mode="r") for f in files]
    stream = np.concatenate(arrays)  # small corpus: one view is enough for reading
    rng = np.random.default_rng(0)
    t = time.perf_counter()
    for s in rng.integers(0, len(stream) - SEQ, READS):
        np.asarray(stream[s : s + SEQ], dtype=np.int64)
    return write, time.perf_counter() - t


def _litdata_fn(block: list[str]):  # litdata yields token arrays per input
    tok = Tokenizer.from_file(os.environ["BENCH_TOKENIZER"])
    import torch

    yield torch.from_numpy(_encode(tok, block).astype(np.int32))


def bench_litdata(blocks: list[list[str]], out: Path) -> tuple[float, float] | str:
    try:
        from litdata import StreamingDataset, TokensLoader, optimize
    except ImportError as err:
        return f"not installed ({err})"
    t = time.perf_counter()
    optimize(
        fn=_litdata_fn,
        inputs=blocks,
        output_dir=str(out),
        chunk_bytes="64MB",
        item_loader=TokensLoader(),
        num_workers=2,
    )
    write = time.perf_counter() - t
    ds = StreamingDataset(str(out), item_loader=TokensLoader(block_size=SEQ), shuffle=True)
    rng = np.random.default_rng(0)
    t = time.perf_counter()
    for i in rng.integers(0, len(ds), READS):
        ds[int(i)]
    return write, time.perf_counter() - t


def bench_datasets(tok: Tokenizer, blocks: list[list[str]], out: Path) -> tuple[float, float] | str:
    try:
        import datasets
    except ImportError as err:
        return f"not installed ({err})"
    t = time.perf_counter()
    lines = [line for block in blocks for line in block]
    ds = datasets.Dataset.from_dict({"text": lines})
    ds = ds.map(
        lambda b: {"ids": [e.ids for e in tok.encode_batch(b["text"], add_special_tokens=False)]},
        batched=True,
        remove_columns=["text"],
        num_proc=2,
    )
    ds.save_to_disk(str(out))
    write = time.perf_counter() - t
    ds = datasets.load_from_disk(str(out)).with_format("numpy")
    rng = np.random.default_rng(0)
    t = time.perf_counter()
    for i in rng.integers(0, len(ds), READS):  # a line, not a fixed chunk: rows are lines
        ds[int(i)]["ids"]
    return write, time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    args = parser.parse_args()
    from archspec.components.tokenizer.char import CharTokenizer
    from archspec.data.tokenizers import save_tokenizer, train_tokenizer

    blocks = _blocks(args.corpus)
    tmp = Path(tempfile.mkdtemp(prefix="bench-formats-"))
    tok = train_tokenizer(CharTokenizer(), [line for b in blocks for line in b], 1000)
    save_tokenizer(tok, tmp / "tok.json")
    os.environ["BENCH_TOKENIZER"] = str(tmp / "tok.json")
    mb = args.corpus.stat().st_size / 1e6
    rows = []
    for name, run in (
        ("numpy flat arrays (+ offsets)", lambda d: bench_numpy(tok, blocks, d)),
        ("litdata optimize + StreamingDataset", lambda d: bench_litdata(blocks, d)),
        ("HF datasets (Arrow) map + save_to_disk", lambda d: bench_datasets(tok, blocks, d)),
    ):
        folder = tmp / name.split()[0]
        folder.mkdir()
        result = run(folder)
        if isinstance(result, str):
            rows.append(f"| {name} | {result} | | |")
        else:
            write, read = result
            size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6
            rows.append(
                f"| {name} | {mb / write:.1f} MB/s | {READS / read:,.0f} chunks/s | {size:.1f} MB |"
            )
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"corpus {args.corpus} ({mb:.1f} MB), load average {os.getloadavg()[0]:.1f}\n")
    print("| format | tokenize + write | random chunk reads | on disk |\n|---|---|---|---|")
    print("\n".join(rows))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
