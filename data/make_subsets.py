"""Make the small corpora shipped in data/ from the full ones (see README.md beside this file).

    python data/make_subsets.py [SOURCE_DIR [OUT_DIR]]

SOURCE_DIR holds shakespeare.txt, bible-en-es.tsv and movie-reviews.tsv as extracted by
`extract.py` (default: ../shared/data beside the repository); OUT_DIR defaults to this folder.
The output is deterministic: the same inputs always give byte-identical files.
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parent.parent / "shared" / "data"

SHAKESPEARE_TRAIN_CHARS = 1_000_000
SHAKESPEARE_VAL_CHARS = 100_000
PAIRS_MAX_WORDS = 20
PAIRS_TRAIN, PAIRS_VAL = 5000, 250
REVIEWS_TRAIN, REVIEWS_VAL = 5000, 500
SEED = 0


def shakespeare(source: Path, out: Path) -> None:
    """The first ~1 MB of speeches for training and the ~100 kB that follow for validation,
    cut at speech boundaries (blank lines), so validation is text the model has not seen."""
    speeches = source.read_text(encoding="utf-8").split("\n\n")
    train, val, size = [], [], 0
    for speech in speeches:
        size += len(speech) + 2
        if size <= SHAKESPEARE_TRAIN_CHARS:
            train.append(speech)
        elif size <= SHAKESPEARE_TRAIN_CHARS + SHAKESPEARE_VAL_CHARS:
            val.append(speech)
        else:
            break
    write(out / "train.txt", "\n\n".join(train).strip() + "\n")
    write(out / "val.txt", "\n\n".join(val).strip() + "\n")


def en_es(source: Path, out: Path) -> None:
    """Short verse pairs (both sides <= 20 words), tidied, each pair once, sampled into
    disjoint train/val."""
    pairs = []
    for line in source.read_text(encoding="utf-8").splitlines():
        en, es = line.split("\t")
        en = en.removeprefix("¶").strip()  # KJV paragraph marks
        if not re.search(r"[.?!:;,]$", en):  # book titles ("The Book of Ruth" <-> "Rut")
            continue
        words = es.split()
        if len(words[0]) > 1 and words[0].isupper():  # chapters open with a capitalised word
            words[0] = words[0].capitalize()
        es = " ".join(words)
        if len(en.split()) <= PAIRS_MAX_WORDS and len(es.split()) <= PAIRS_MAX_WORDS:
            pairs.append(f"{en}\t{es}")
    pairs = list(dict.fromkeys(pairs))  # repeated verses ("And the LORD spake unto Moses, ...")
    random.Random(SEED).shuffle(pairs)
    write(out / "train.tsv", "\n".join(pairs[:PAIRS_TRAIN]) + "\n")
    write(out / "val.tsv", "\n".join(pairs[PAIRS_TRAIN : PAIRS_TRAIN + PAIRS_VAL]) + "\n")


def movie_reviews(source: Path, out: Path) -> None:
    """A random sample of sentences with their positive/negative label (valence dropped)."""
    lines = source.read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t")[:2] == ["text", "label"], lines[0]
    rows = ["\t".join(line.split("\t")[:2]) for line in lines[1:]]
    random.Random(SEED).shuffle(rows)
    train, val = rows[:REVIEWS_TRAIN], rows[REVIEWS_TRAIN : REVIEWS_TRAIN + REVIEWS_VAL]
    write(out / "train.tsv", "text\tlabel\n" + "\n".join(train) + "\n")
    write(out / "val.tsv", "text\tlabel\n" + "\n".join(val) + "\n")


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"{path}: {len(text.encode()):,} bytes, {text.count(chr(10)):,} lines")


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else HERE
    if not (source / "shakespeare.txt").is_file():
        sys.exit(f"no shakespeare.txt in {source}; pass the folder holding the extracted corpora")
    shakespeare(source / "shakespeare.txt", out / "shakespeare")
    en_es(source / "bible-en-es.tsv", out / "en-es")
    movie_reviews(source / "movie-reviews.tsv", out / "movie-reviews")


if __name__ == "__main__":
    main()
