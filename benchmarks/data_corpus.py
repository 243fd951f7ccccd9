"""Write a generated plain-text corpus of a given size (for the prepared-data benchmarks).

    python -m benchmarks.data_corpus /tmp/corpus-1g.txt --mb 1000

Seeded pseudo-English: words drawn from a Zipf-like distribution over 8,000 made-up words,
lines of 4-16 words, a blank line every ~20 lines. Same bytes for the same seed and size.
Never commit the output: it is regenerated in a minute.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

LETTERS = np.array(list("etaoinshrdlcumwfgypbvkjxqz"))


def _words(rng: np.random.Generator, count: int) -> np.ndarray:
    lengths = rng.integers(1, 10, size=count)
    letters = rng.choice(LETTERS, size=(count, 10), p=_letter_weights())
    return np.array(["".join(row[:n]) for row, n in zip(letters, lengths, strict=True)])


def _letter_weights() -> np.ndarray:
    w = 1.0 / np.arange(1, len(LETTERS) + 1) ** 0.7
    return w / w.sum()


def write_corpus(path: Path, megabytes: float, seed: int = 0) -> int:
    """Write about `megabytes` MB of text to path; returns the bytes written."""
    rng = np.random.default_rng(seed)
    words = _words(rng, 8000)
    weights = 1.0 / np.arange(1, len(words) + 1)
    weights /= weights.sum()
    target, written = int(megabytes * 1e6), 0
    with open(path, "w", encoding="utf-8") as f:
        while written < target:
            picks = words[rng.choice(len(words), size=200_000, p=weights)]
            cuts = np.cumsum(rng.integers(4, 17, size=len(picks) // 4))
            cuts = cuts[cuts < len(picks)]
            lines = [" ".join(line) for line in np.split(picks, cuts)]
            text = "\n".join(
                line.capitalize() + ("\n" if i % 20 == 19 else "") for i, line in enumerate(lines)
            )
            text += "\n"
            f.write(text)
            written += len(text.encode("utf-8"))
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--mb", type=float, default=1000.0, help="size in MB (1e6 bytes)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    size = write_corpus(args.path, args.mb, args.seed)
    print(f"{args.path}: {size / 1e6:,.1f} MB")


if __name__ == "__main__":
    main()
