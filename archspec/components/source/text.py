"""text: plain UTF-8 text for language modelling, one token stream or one example a line."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from archspec.components.registry import register
from archspec.components.source.files import FileSource, FileSourceImpl


class TextSource(FileSource):
    """Plain UTF-8 text for language modelling (causal-lm, masked-lm)."""

    kind: Literal["text"] = "text"
    sequences: Literal["chunks", "lines"] = "chunks"
    """chunks: the file is one token stream cut into blocks of `data.seq_len` tokens
    (nanoGPT style); lines: every non-empty line is one example (padded in the batch)."""


class Text(FileSourceImpl):
    held_out = "tail"

    def rows(self, source: Any, path: Path) -> list:
        """One row per line; chunks keep every line with its ending (so the text can be
        rebuilt exactly), lines keep the non-blank lines, stripped."""
        from archspec.data.readers import Row, read_text

        lines = read_text(path).splitlines(keepends=True)
        if self.chunked(source):
            return [Row(line, "", f"{path}:{n}") for n, line in enumerate(lines, 1)]
        stripped = ((n, line.strip()) for n, line in enumerate(lines, 1))
        return [Row(text, "", f"{path}:{n}") for n, text in stripped if text]

    def chunked(self, source: Any) -> bool:
        return source.sequences == "chunks"

    def default_tokenizer(self, source: Any) -> Any:
        """char for a token stream (nanoGPT's Shakespeare), bpe for lines."""
        if not self.chunked(source):
            return super().default_tokenizer(source)
        from archspec.components.tokenizer.char import CharTokenizer

        return CharTokenizer()


register("source", TextSource, Text())
