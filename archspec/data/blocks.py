"""Plain-text files as byte ranges of whole lines, so that text larger than memory is read,
split and tokenized a block at a time.

A Piece is [start, end) bytes of one file that begin and end at line boundaries (after a
b"\\n"); `plan_blocks` cuts a file into pieces of about `block_bytes`. The held-out tail of a
training file (val_fraction, test_fraction) is cut exactly where `sources._hold_out_tail` cuts
the whole file's lines (measured in characters), so a streamed or prepared split holds the same
lines as the in-memory one. Lines are `str.splitlines(keepends=True)` of each piece: a piece
ends after b"\\n", which always ends a line, so the pieces' lines are the file's lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from archspec.errors import ArchspecError

BLOCK_BYTES = 8 << 20
"""Default piece size: 8 MiB of text (a few seconds of tokenizing; bounded memory)."""

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Piece:
    """Bytes [start, end) of `path`, whole lines; `first_line` numbers its first line (1-based)."""

    path: Path
    start: int
    end: int
    first_line: int

    @property
    def size(self) -> int:
        return self.end - self.start

    def text(self) -> str:
        """The piece as text (UTF-8; an error names the file and line)."""
        with open(self.path, "rb") as f:
            f.seek(self.start)
            data = f.read(self.size)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as err:
            line = self.first_line + data[: err.start].count(b"\n")
            raise ArchspecError(
                f"{self.path}:{line}: not UTF-8 text (byte 0x{data[err.start]:02x}); save the "
                "file as UTF-8"
            ) from None

    def lines(self) -> list[str]:
        return self.text().splitlines(keepends=True)


def plan_blocks(path: Path, block_bytes: int = BLOCK_BYTES) -> list[Piece]:
    """`path` cut after a newline every ~block_bytes; the same pieces for the same file."""
    size = path.stat().st_size
    pieces: list[Piece] = []
    with open(path, "rb") as f:
        start = len(BOM) if f.read(len(BOM)) == BOM else 0
        line = 1
        while start < size:
            f.seek(min(start + block_bytes, size))
            end = min(start + block_bytes, size)
            if end < size:
                rest = f.read(1 << 20)
                while b"\n" not in rest and end + len(rest) < size:
                    more = f.read(1 << 20)
                    rest += more
                cut = rest.find(b"\n")
                end = size if cut < 0 else end + cut + 1
            f.seek(start)
            pieces.append(Piece(path, start, end, line))
            line += _count_newlines(f, end - start)
            start = end
    if not any(p.text().strip() for p in pieces):  # stops at the first piece with text
        raise ArchspecError(f"{path}: the file is empty")
    return pieces


def _count_newlines(f: object, size: int) -> int:
    count, left = 0, size
    while left > 0:
        data = f.read(min(left, 1 << 24))  # type: ignore[attr-defined]
        count += data.count(b"\n")
        left -= len(data)
    return count


def hold_out_tail(
    pieces: list[Piece], fractions: dict[str, float], name: str
) -> dict[str, list[Piece]]:
    """The last lines of the file as test (last) and val (before it), cut as
    `sources._hold_out_tail` cuts them: lines are taken from the end while fewer than
    fraction x total characters are taken, and the first line always stays in train."""
    chars = {id(p): len(p.text()) for p in pieces}
    total = sum(chars.values())
    rest = list(pieces)
    splits: dict[str, list[Piece]] = {}
    for split in ("test", "val"):
        if split not in fractions:
            continue
        want, size = fractions[split] * total, 0
        taken: list[Piece] = []
        while rest and size < want:
            last = rest.pop()
            n = chars.get(id(last))
            if len(rest) > 0 and n is not None and size + n < want:  # all of its lines go
                taken.insert(0, last)
                size += n
                continue
            lines = last.lines()
            cut, floor = len(lines), 1 if not rest else 0  # the file's first line stays
            while cut > floor and size < want:
                cut -= 1
                size += len(lines[cut])
            head, tail = _split_piece(last, lines, cut)
            if tail is not None:
                taken.insert(0, tail)
            if head is not None:
                rest.append(head)
                break
            if not rest:
                break
        splits[split] = taken
    splits["train"] = rest
    if not rest or any(not splits[s] for s in fractions):
        sizes = ", ".join(f"{s} {len(v)} blocks" for s, v in splits.items())
        raise ArchspecError(
            f"{name}: too little data to hold out "
            + " and ".join(f"{s}_fraction {f:g}" for s, f in fractions.items())
            + f" ({sizes}); give data.source.val_path or add data"
        )
    return splits


def _split_piece(piece: Piece, lines: list[str], cut: int) -> tuple[Piece | None, Piece | None]:
    """The piece as (lines before `cut`, lines from `cut`); an empty side is None."""
    offset = piece.start + sum(len(line.encode("utf-8")) for line in lines[:cut])
    head = Piece(piece.path, piece.start, offset, piece.first_line) if cut > 0 else None
    tail = (
        Piece(piece.path, offset, piece.end, piece.first_line + cut) if cut < len(lines) else None
    )
    return head, tail


def iter_lines(pieces: list[Piece]) -> Iterator[list[str]]:
    """The lines of each piece in turn (one list per piece)."""
    for piece in pieces:
        yield piece.lines()
