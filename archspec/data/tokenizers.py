"""Tokenizers: trained on the training split with Hugging Face `tokenizers`, saved as one
tokenizer.json in the run directory, reloaded on resume and evaluation.

Every kind is a `tokenizers.Tokenizer`, so there is one file format and one API. How each
recipe kind (char, word, bpe) is set up and trained is its component's
(archspec/components/tokenizer/); `symbols` is the fixed whitespace-separated vocabulary of
synthetic tasks (nothing is trained).

A tokenizer archspec trains has ids 0-4 as <pad>, <unk>, <bos>, <eos>, <mask> (ARCHSPEC); a
`file` tokenizer (a published model's tokenizer.json) has its own. `specials_of` gives the ids
of a loaded tokenizer, from its component; nothing else decides them.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from tokenizers import Tokenizer, models, pre_tokenizers

from archspec.components.registry import impl_of
from archspec.components.tokenizer.base import ARCHSPEC, SPECIAL_TOKENS, Specials, TokenizerImpl
from archspec.errors import ArchspecError

PAD, UNK, BOS, EOS, MASK = range(len(SPECIAL_TOKENS))
"""The special token ids of every vocabulary archspec trains (ARCHSPEC); a named tokenizer's
are in its Specials."""


def specials_of(spec: Any, tok: Tokenizer) -> Specials:
    """The special ids of `tok`, loaded or trained for tokenizer spec `spec` (None: the fixed
    symbols of a synthetic task, which are archspec's)."""
    return ARCHSPEC if spec is None else impl_of(spec, TokenizerImpl).specials(spec, tok)


def given_tokenizer(spec: Any, recipe_dir: Path | None) -> Tokenizer | None:
    """The tokenizer a recipe names instead of training one (data.tokenizer kind file)."""
    return None if spec is None else impl_of(spec, TokenizerImpl).given(spec, recipe_dir)


def train_tokenizer(
    spec: Any,
    texts: Sequence[str],
    vocab_size: int,
    knob: str = "model.vocab_size",
) -> Tokenizer:
    """Train a tokenizer of at most `vocab_size` tokens on `texts` (`spec` is any registered
    tokenizer spec: its component sets the tokenizer up and picks the trainer).

    BPE trains to exactly `vocab_size` when the text has enough pairs to merge. Char and word
    vocabularies are whatever the text holds; more than `vocab_size` is an error naming `knob`
    (the recipe value to raise), never a silent cut.
    """
    kind = impl_of(spec, TokenizerImpl)
    tok = kind.empty(spec)
    tok.train_from_iterator(texts, kind.trainer(spec, vocab_size), length=len(texts))
    _check_size(kind, spec, tok, vocab_size, knob, lambda: texts)
    return tok


def train_tokenizer_streamed(
    spec: Any,
    batches: Callable[[], Iterator[list[str]]],
    vocab_size: int,
    knob: str = "model.vocab_size",
) -> Tokenizer:
    """`train_tokenizer` on texts too many to hold: `batches()` yields them a list at a time
    (and is called again only to explain a vocabulary that is too large)."""
    kind = impl_of(spec, TokenizerImpl)
    tok = kind.empty(spec)
    tok.train_from_iterator(batches(), kind.trainer(spec, vocab_size))

    def sample() -> list[str]:  # read again only to explain a vocabulary that is too large
        return [t for batch in itertools.islice(batches(), 8) for t in batch]

    _check_size(kind, spec, tok, vocab_size, knob, sample)
    return tok


def _check_size(
    kind: TokenizerImpl,
    spec: Any,
    tok: Tokenizer,
    vocab_size: int,
    knob: str,
    texts: Callable[[], Sequence[str]],
) -> None:
    """A trained vocabulary larger than `vocab_size` is an error naming `knob`; `texts()` is
    the text (or a sample of it) the component's explanation may quote."""
    n = tok.get_vocab_size()
    if n > vocab_size:
        raise ArchspecError(
            f"the training data has {n - len(SPECIAL_TOKENS)} distinct {kind.unit}, which with "
            f"{len(SPECIAL_TOKENS)} special tokens need a vocabulary of {n}, but {knob} is "
            f"{vocab_size}; raise {knob} to at least {n}"
            + kind.too_many(spec, tok, texts(), vocab_size)
        )


def symbol_tokenizer(symbols: Iterable[str]) -> Tokenizer:
    """A fixed vocabulary: the special tokens, then `symbols` in order (synthetic tasks)."""
    vocab = {t: i for i, t in enumerate([*SPECIAL_TOKENS, *symbols])}
    tok = Tokenizer(models.WordLevel(vocab, unk_token=SPECIAL_TOKENS[UNK]))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.add_special_tokens(list(SPECIAL_TOKENS))
    return tok


def save_tokenizer(tok: Tokenizer, path: Path) -> None:
    """Write tokenizer.json atomically (several DDP processes may write the same file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tok.save(str(tmp))
    os.replace(tmp, path)


def load_tokenizer(path: Path, expected: str | None) -> Tokenizer:
    """Reload a saved tokenizer; `expected` is the kind the recipe asks for (char, word,
    bpe or symbols; None: a named file, any kind), so that a run directory is never reused
    with another tokenizer."""
    try:
        tok = Tokenizer.from_file(str(path))
    except Exception as err:  # tokenizers raises plain Exception on a bad file
        raise ArchspecError(f"{path}: not a tokenizer file ({err})") from None
    found = tokenizer_kind(tok)
    if expected is not None and found != expected:
        raise ArchspecError(
            f"{path} holds a {found} tokenizer but the recipe asks for {expected}; use a new run "
            "directory (or delete this file to train a new tokenizer)"
        )
    return tok


def tokenizer_kind(tok: Tokenizer) -> str:
    """char, word, bpe or symbols, read back from the tokenizer's own description."""
    desc = json.loads(tok.to_str())
    model = desc["model"]["type"]
    pre = (desc.get("pre_tokenizer") or {}).get("type")
    lower = (desc.get("normalizer") or {}).get("type") == "Lowercase"
    kind = {"BPE": "bpe", "Split": "char", "Whitespace": "word", "WhitespaceSplit": "symbols"}
    name = "bpe" if model == "BPE" else kind.get(str(pre), f"{model}/{pre}")
    return f"{name} (lowercase)" if lower else name


def expected_kind(spec: Any) -> str | None:
    """The `tokenizer_kind` a tokenizer trained from `spec` has (None: synthetic symbols)."""
    return "symbols" if spec is None else impl_of(spec, TokenizerImpl).saved_kind(spec)


def encode(tok: Tokenizer, texts: Sequence[str]) -> list[list[int]]:
    """Token ids of each text, without special tokens."""
    return [e.ids for e in tok.encode_batch(list(texts), add_special_tokens=False)]


@functools.cache
def _char_split() -> dict[str, Any]:
    """The pre-tokenizer of archspec's char tokenizer, as a saved tokenizer.json holds it."""
    from archspec.components.tokenizer.char import Char

    return json.loads(Char().empty(None).to_str())["pre_tokenizer"]


def char_table(tok: Tokenizer) -> np.ndarray | None:
    """For a char tokenizer (a WordLevel vocabulary over single code points, split one code
    point at a time, no normalizer): code point -> id, unseen ones <unk>'s id. None for any
    other tokenizer. Built in a few milliseconds; see `encode_joined`."""
    desc = json.loads(tok.to_str())
    model, pre = desc["model"], desc.get("pre_tokenizer") or {}
    if (
        model["type"] != "WordLevel"
        or desc.get("normalizer") is not None
        or pre != _char_split()
        or model.get("unk_token") not in model["vocab"]
    ):
        return None
    table = np.full(0x110000, model["vocab"][model["unk_token"]], dtype=np.int64)
    for token, i in model["vocab"].items():
        if len(token) == 1:
            table[ord(token)] = i
    return table


def encode_joined(tok: Tokenizer, texts: Sequence[str], table: np.ndarray | None) -> np.ndarray:
    """The ids `encode` gives the texts, one text after another, as one int64 array.

    With a char tokenizer's `char_table` and no added token's text (<pad>, <unk>, ...) in
    the texts, each code point is looked up in the table: the ids Hugging Face's encoder
    gives (tests compare the two), about 20x faster (the quickstart's 1 MB in 0.023 s instead
    of 0.43 s). Otherwise Hugging Face's encoder runs."""
    if table is not None:
        text = "".join(texts)
        added = [t.content for t in tok.get_added_tokens_decoder().values()]
        if not any(a in text for a in added):
            return table[np.frombuffer(text.encode("utf-32-le"), dtype="<u4")]
    encoded = tok.encode_batch(list(texts), add_special_tokens=False)
    return np.fromiter((i for e in encoded for i in e.ids), dtype=np.int64)


def decode(tok: Tokenizer, ids: Iterable[int], specials: Specials = ARCHSPEC) -> str:
    """Text of a sequence of ids: stops at the first eos; archspec's tokenizers drop <pad>,
    <bos> and <mask> and keep <unk> visible (as the text '<unk>'), a named file drops every
    special token (as Hugging Face's decode(skip_special_tokens=True))."""
    dropped = () if specials.skip_special else (specials.pad, specials.bos, specials.mask)
    kept = []
    for i in ids:
        i = int(i)
        if i == specials.eos:
            break
        if i not in dropped:
            kept.append(i)
    return tok.decode(kept, skip_special_tokens=specials.skip_special)
