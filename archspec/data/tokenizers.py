"""Tokenizers: trained on the training split with Hugging Face `tokenizers`, saved as one
tokenizer.json in the run directory, reloaded on resume and evaluation.

Every kind is a `tokenizers.Tokenizer`, so there is one file format and one API:

- char: WordLevel over single characters (a regex split isolating each character), decoded by
  fusing the characters back together, so text round-trips exactly;
- word: WordLevel over words and punctuation runs (the `Whitespace` pre-tokenizer), decoded by
  joining with spaces and tidying the space before punctuation;
- bpe: byte-level BPE (GPT-2's scheme) that starts from all 256 bytes, so any text encodes
  and decodes back exactly;
- symbols: a fixed whitespace-separated vocabulary for synthetic tasks (nothing is trained).

Ids 0-4 are always <pad>, <unk>, <bos>, <eos>, <mask>.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

from archspec.errors import ArchspecError
from archspec.spec.data import SPECIAL_TOKENS, BpeTokenizer, CharTokenizer, WordTokenizer

PAD, UNK, BOS, EOS, MASK = range(len(SPECIAL_TOKENS))
"""The special token ids, identical in every archspec vocabulary."""

UNLIMITED = 1 << 30
"""Vocabulary cap passed to char/word trainers: they keep everything, then we check the size."""


def train_tokenizer(
    spec: CharTokenizer | WordTokenizer | BpeTokenizer,
    texts: Sequence[str],
    vocab_size: int,
    knob: str = "model.vocab_size",
) -> Tokenizer:
    """Train a tokenizer of at most `vocab_size` tokens on `texts`.

    BPE trains to exactly `vocab_size` when the text has enough pairs to merge. Char and word
    vocabularies are whatever the text holds; more than `vocab_size` is an error naming `knob`
    (the recipe value to raise), never a silent cut.
    """
    tok = _empty(spec)
    if isinstance(spec, BpeTokenizer):
        trainer = trainers.BpeTrainer(
            vocab_size=vocab_size,
            min_frequency=spec.min_freq,
            special_tokens=list(SPECIAL_TOKENS),
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
            show_progress=False,
        )
    else:
        min_freq = spec.min_freq if isinstance(spec, WordTokenizer) else 1
        trainer = trainers.WordLevelTrainer(
            vocab_size=UNLIMITED,
            min_frequency=min_freq,
            special_tokens=list(SPECIAL_TOKENS),
            show_progress=False,
        )
    tok.train_from_iterator(texts, trainer, length=len(texts))
    if tok.get_vocab_size() > vocab_size:
        raise ArchspecError(_too_many(spec, tok, texts, vocab_size, knob))
    return tok


def symbol_tokenizer(symbols: Iterable[str]) -> Tokenizer:
    """A fixed vocabulary: the special tokens, then `symbols` in order (synthetic tasks)."""
    vocab = {t: i for i, t in enumerate([*SPECIAL_TOKENS, *symbols])}
    tok = Tokenizer(models.WordLevel(vocab, unk_token=SPECIAL_TOKENS[UNK]))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.add_special_tokens(list(SPECIAL_TOKENS))
    return tok


def _empty(spec: CharTokenizer | WordTokenizer | BpeTokenizer) -> Tokenizer:
    unk = SPECIAL_TOKENS[UNK]
    if isinstance(spec, CharTokenizer):
        tok = Tokenizer(models.WordLevel(unk_token=unk))
        tok.pre_tokenizer = pre_tokenizers.Split(Regex(r"[\s\S]"), behavior="isolated")
        tok.decoder = decoders.Fuse()
    elif isinstance(spec, WordTokenizer):
        tok = Tokenizer(models.WordLevel(unk_token=unk))
        tok.pre_tokenizer = pre_tokenizers.Whitespace()
        tok.decoder = decoders.WordPiece(prefix="##", cleanup=True)  # joins with spaces, tidies
    else:
        tok = Tokenizer(models.BPE(unk_token=unk))
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tok.decoder = decoders.ByteLevel()
    if getattr(spec, "lowercase", False):
        tok.normalizer = normalizers.Lowercase()
    return tok


def _too_many(spec, tok: Tokenizer, texts: Sequence[str], vocab_size: int, knob: str) -> str:
    n = tok.get_vocab_size()
    unit = "characters" if isinstance(spec, CharTokenizer) else "words"
    message = (
        f"the training data has {n - len(SPECIAL_TOKENS)} distinct {unit}, which with "
        f"{len(SPECIAL_TOKENS)} special tokens need a vocabulary of {n}, but {knob} is "
        f"{vocab_size}; raise {knob} to at least {n}"
    )
    if isinstance(spec, WordTokenizer):
        counts = _word_counts(tok, texts)
        room = vocab_size - len(SPECIAL_TOKENS)
        ranked = sorted(counts.values(), reverse=True)
        if 0 < room < len(ranked):
            min_freq = ranked[room] + 1  # every word at this count or below must go
            kept = sum(c >= min_freq for c in ranked)
            message += f", or set data.tokenizer.min_freq to {min_freq} (keeps {kept} words)"
        message += ", or use data.tokenizer: {kind: bpe}"
    return message


def _word_counts(tok: Tokenizer, texts: Iterable[str]) -> Counter:
    counts: Counter = Counter()
    norm = tok.normalizer
    for text in texts:
        text = norm.normalize_str(text) if norm is not None else text
        counts.update(piece for piece, _ in tok.pre_tokenizer.pre_tokenize_str(text))
    return counts


def save_tokenizer(tok: Tokenizer, path: Path) -> None:
    """Write tokenizer.json atomically (several DDP processes may write the same file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tok.save(str(tmp))
    os.replace(tmp, path)


def load_tokenizer(path: Path, expected: str) -> Tokenizer:
    """Reload a saved tokenizer; `expected` is the kind the recipe asks for (char, word,
    bpe or symbols), so that a run directory is never reused with another tokenizer."""
    try:
        tok = Tokenizer.from_file(str(path))
    except Exception as err:  # tokenizers raises plain Exception on a bad file
        raise ArchspecError(f"{path}: not a tokenizer file ({err})") from None
    found = tokenizer_kind(tok)
    if found != expected:
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
    name = "bpe" if model == "BPE" else kind.get(pre, f"{model}/{pre}")
    return f"{name} (lowercase)" if lower else name


def expected_kind(spec: CharTokenizer | WordTokenizer | BpeTokenizer | None) -> str:
    """The `tokenizer_kind` a tokenizer trained from `spec` has (None: synthetic symbols)."""
    if spec is None:
        return "symbols"
    return f"{spec.kind} (lowercase)" if getattr(spec, "lowercase", False) else spec.kind


def encode(tok: Tokenizer, texts: Sequence[str]) -> list[list[int]]:
    """Token ids of each text, without special tokens."""
    return [e.ids for e in tok.encode_batch(list(texts), add_special_tokens=False)]


def decode(tok: Tokenizer, ids: Iterable[int]) -> str:
    """Text of a sequence of ids: stops at the first <eos>, drops <pad>, <bos> and <mask>,
    and keeps <unk> visible (as the text '<unk>')."""
    kept = []
    for i in ids:
        i = int(i)
        if i == EOS:
            break
        if i not in (PAD, BOS, MASK):
            kept.append(i)
    return tok.decode(kept, skip_special_tokens=False)
