"""synthetic: generated copy, reverse and sort tasks with a fixed vocabulary of symbols."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from archspec.components.registry import register
from archspec.components.source.base import SourceImpl
from archspec.components.tokenizer.base import SPECIAL_TOKENS
from archspec.spec.base import Issues, Spec, cross_check

SPECIALS = len(SPECIAL_TOKENS)


class SyntheticSource(Spec):
    """Generated sequence-to-sequence tasks for teaching and smoke tests: the target is the
    source copied, reversed or sorted. Symbols are the numbers 0..symbols-1 written as words,
    so the vocabulary is fixed (no tokenizer is trained)."""

    kind: Literal["synthetic"] = "synthetic"
    task: Literal["copy", "reverse", "sort"] = "copy"
    """copy: target = source; reverse: target = source backwards; sort: target = source in
    ascending order."""
    symbols: int = Field(20, ge=2)
    """Number of distinct symbols."""
    min_len: int = Field(4, ge=1)
    """Shortest source sequence."""
    max_len: int = Field(16, ge=1)
    """Longest source sequence (lengths are uniform in [min_len, max_len])."""
    train_size: int = Field(20000, ge=1)
    """Training examples."""
    val_size: int = Field(500, ge=1)
    """Validation examples."""
    test_size: int = Field(0, ge=0)
    """Test examples (0: no test split)."""

    @cross_check("min_len", "max_len")
    def _lengths(self, issues: Issues) -> None:
        if self.min_len > self.max_len:
            issues.add("min_len", f"{self.min_len} is more than max_len {self.max_len}")


class Synthetic(SourceImpl):
    fixed_vocabulary = True
    paired = True

    def read(self, source: Any, data: Any, recipe_dir: Path | None) -> Any:
        from archspec.data import synthetic

        sizes = {"train": source.train_size, "val": source.val_size, "test": source.test_size}
        return {s: synthetic.generate(source, s, n, data.seed) for s, n in sizes.items() if n}

    def fixed_tokenizer(self, source: Any) -> Any:
        from archspec.data import synthetic, tokenizers

        return tokenizers.symbol_tokenizer(synthetic.symbols(source))

    def check_fits_model(self, source: Any, vocab_sizes: tuple[int, ...], issues: Issues) -> None:
        need = source.symbols + SPECIALS
        if min(vocab_sizes) < need:
            issues.add(
                ("model", "vocab_size"),
                f"{source.symbols} synthetic symbols plus {SPECIALS} special tokens "
                f"need a vocabulary of {need}; raise model.vocab_size to at least {need} or "
                "lower data.source.symbols",
            )

    def for_file(self, source: Any, path: Path, label_names: list[str] | None) -> Any:
        """FILE is read as pairs of the task's symbols ("3 1 4<TAB>4 1 3")."""
        from archspec.components.source.pairs import PairsSource

        return PairsSource(format="tsv", path=str(path), val_path=str(path))


register("source", SyntheticSource, Synthetic())
