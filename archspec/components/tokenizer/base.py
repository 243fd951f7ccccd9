"""What every tokenizer component declares: how an empty Hugging Face `tokenizers.Tokenizer`
of its kind is set up, how it is trained, and what the model must hold for it.

Every kind is a `tokenizers.Tokenizer`, so there is one file format and one API; the hooks
import `tokenizers` only when called. A tokenizer archspec trains has ids 0-4 as the
SPECIAL_TOKENS (ARCHSPEC); a tokenizer the recipe names (`file`) has its own, which its
component reads (`specials`). Every consumer of a special id (collation, objectives, decoding,
evaluation) asks the loaded tokenizer's Specials, never a constant.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archspec.errors import ArchspecError

if TYPE_CHECKING:
    from tokenizers import Tokenizer

    from archspec.spec.base import Issues

SPECIAL_TOKENS = ("<pad>", "<unk>", "<bos>", "<eos>", "<mask>")
"""Every vocabulary starts with these, in this order: <pad> is id 0."""

UNLIMITED = 1 << 30
"""Vocabulary cap passed to word-level trainers: they keep everything, then we check the size."""


@dataclass(frozen=True)
class Specials:
    """The special token ids of one loaded tokenizer (None: it has no such token)."""

    pad: int
    """What padding is filled with (padding is masked, so any id works when there is none)."""
    unk: int | None
    bos: int | None
    eos: int | None
    mask: int | None
    decoder_start: int | None
    """The first input of an encoder-decoder's decoder (T5: <pad>; archspec: <bos>)."""
    first_ordinary: int = 0
    """Masked-LM random replacements are drawn from ids first_ordinary..vocabulary size."""
    template: tuple[tuple[int, ...], tuple[int, ...]] | None = None
    """What the tokenizer itself puts around one text (the file's post-processor: BERT's
    [CLS] x [SEP], LLaMA's <s> x), or None: archspec's objectives add their own <bos>."""
    skip_special: bool = False
    """Decoding drops every special token (Hugging Face's skip_special_tokens); archspec's own
    drop <pad>, <bos> and <mask> and show <unk>."""

    def lead(self, why: str) -> list[int]:
        """Ids before a text: the tokenizer's template when it has one, else <bos> (which
        `why` needs)."""
        if self.template is not None:
            return list(self.template[0])
        return [self.need("bos", why)]

    def wrap(self, ids: Sequence[int], lead: Sequence[int] = (), tail: Sequence[int] = ()) -> list:
        """ids inside the template (or inside `lead` and `tail` when there is none)."""
        if self.template is not None:
            lead, tail = self.template
        return [*lead, *ids, *tail]

    def need(self, role: str, why: str) -> int:
        """The id of `role` (bos, eos, mask, decoder_start), or an error saying how to name it."""
        found = getattr(self, role)
        if found is None:
            raise ArchspecError(
                f"the tokenizer has no {role} token, which {why} needs; name one with "
                f"data.tokenizer.{role} (a token of the file or its id)"
            )
        return int(found)


ARCHSPEC = Specials(pad=0, unk=1, bos=2, eos=3, mask=4, decoder_start=2, first_ordinary=5)
"""The ids of every tokenizer archspec trains: SPECIAL_TOKENS in order."""


class TokenizerImpl:
    """The hooks of one tokenizer kind (defaults: a word-level vocabulary of what is seen)."""

    unit = "words"
    """What one token of a word-level vocabulary is, for messages."""
    trained = True
    """Trained on the training split (False: the recipe names the tokenizer, `given`)."""

    def empty(self, spec: Any) -> Tokenizer:
        """An untrained tokenizer: model, pre-tokenizer, decoder (and lowercasing)."""
        raise NotImplementedError

    def trainer(self, spec: Any, vocab_size: int) -> Any:
        """The `tokenizers` trainer; word-level kinds keep everything seen min_freq times."""
        from tokenizers import trainers

        return trainers.WordLevelTrainer(
            vocab_size=UNLIMITED,
            min_frequency=getattr(spec, "min_freq", 1),
            special_tokens=list(SPECIAL_TOKENS),
            show_progress=False,
        )

    def too_many(self, spec: Any, tok: Tokenizer, texts: Sequence[str], vocab_size: int) -> str:
        """What to suggest, after the sizes, when the trained vocabulary exceeds vocab_size."""
        return ""

    def check_fits_model(self, spec: Any, vocab_sizes: tuple[int, ...], issues: Issues) -> None:
        """Checks of the model's vocabulary size that need no data."""

    def saved_kind(self, spec: Any) -> str | None:
        """The name `archspec.data.tokenizers.tokenizer_kind` reads back from a saved file
        (None: any file will do)."""
        return f"{spec.kind} (lowercase)" if getattr(spec, "lowercase", False) else spec.kind

    def given(self, spec: Any, recipe_dir: Path | None) -> Tokenizer | None:
        """The tokenizer the recipe names (None: it is trained on the training split)."""
        return None

    def specials(self, spec: Any, tok: Tokenizer) -> Specials:
        """The special ids of `tok`, a tokenizer of this kind."""
        return ARCHSPEC


def lowercased(tok: Tokenizer, spec: Any) -> Tokenizer:
    """tok, lowercasing its input when the spec asks for it."""
    if getattr(spec, "lowercase", False):
        from tokenizers import normalizers

        tok.normalizer = normalizers.Lowercase()
    return tok
