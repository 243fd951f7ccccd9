"""Decoding sessions: the one interface greedy search, beam search and sampling drive.

Legend: N rows being decoded, S source length, T tokens fed so far, V vocabulary.

A session holds what one batch needs between steps — the encoder output, the tokens so far
and, when incremental decoding is possible, a key/value cache (archspec.nn.cache):

    session = Seq2SeqSession(model, src, src_pad)          # encodes the source once
    logits = session.advance(bos_column)                   # (N, V): the next-token logits
    session.select(rows)                                   # keep / reorder rows (beam search)
    logits = session.advance(next_tokens[:, None])

Without a cache (`use_cache=False`, or a stack whose mask lets past positions see later ones)
every step runs the decoder over all tokens so far; with it, only over the new ones. Both
give the same logits up to float rounding (tests/decoding/test_cache.py).
"""

from __future__ import annotations

import torch
from torch import Tensor

from archspec.nn.cache import KVCache
from archspec.nn.models import DecoderTransformer, EncoderDecoderTransformer


class Seq2SeqSession:
    """Decoding the target side of an encoder-decoder for a batch of sources."""

    def __init__(
        self,
        model: EncoderDecoderTransformer,
        src: Tensor,
        src_pad: Tensor | None,
        *,
        use_cache: bool = True,
    ) -> None:
        self.model = model
        self.memory = model.encode(src, src_pad)  # (N, S, D)
        self.src_pad = src_pad  # (N, S) or None
        self.cached = use_cache and model.decoder.can_cache(prefill=1)  # <bos> comes first
        self.cache = KVCache() if self.cached else None
        self.ids = src.new_zeros(src.size(0), 0)  # (N, 0): target tokens fed so far

    @property
    def rows(self) -> int:
        return self.ids.size(0)

    def advance(self, tokens: Tensor) -> Tensor:
        """Feed tokens (N, T) after those fed before; return the next-token logits (N, V)."""
        self.ids = torch.cat([self.ids, tokens], dim=1)  # (N, T_total)
        if self.cache is not None:
            out = self.model.decode(tokens, self.memory, self.src_pad, cache=self.cache)
        else:
            out = self.model.decode(self.ids, self.memory, self.src_pad)  # (N, T_total, V)
        return out[:, -1]  # (N, V)

    def select(self, index: Tensor) -> None:
        """Keep rows `index` (Long[N']) in that order; repeated rows duplicate (beam search)."""
        self.memory = self.memory.index_select(0, index)
        if self.src_pad is not None:
            self.src_pad = self.src_pad.index_select(0, index)
        self.ids = self.ids.index_select(0, index)
        if self.cache is not None:
            self.cache.select(index)


class DecoderSession:
    """Continuing prompts of equal length with a decoder-only model.

    The context is the last `window` tokens (default and at most `model.max_len`): once the
    sequence is longer, each step reads that window again from scratch (cached or not), so
    both paths agree at any length.
    A prefix-LM whose recipe leaves the prefix length to the data takes the prompt as prefix.
    """

    def __init__(
        self,
        model: DecoderTransformer,
        *,
        prompt_len: int,
        use_cache: bool = True,
        window: int | None = None,
    ) -> None:
        self.model = model
        self.max_len = min(int(model.max_len), window or int(model.max_len))
        stack = model.decoder
        open_prefix = stack.mask_kind == "prefix" and stack.prefix_len is None
        prefix_len = prompt_len if open_prefix else None
        self.prefix_len = prefix_len
        self.cached = use_cache and model.decoder.can_cache(prompt_len, prefix_len)
        self.cache = KVCache() if self.cached else None
        self.ids: Tensor | None = None  # (N, T) tokens so far

    @property
    def rows(self) -> int:
        return 0 if self.ids is None else self.ids.size(0)

    def advance(self, tokens: Tensor) -> Tensor:
        """Feed tokens (N, T) after those fed before; return the next-token logits (N, V)."""
        self.ids = tokens if self.ids is None else torch.cat([self.ids, tokens], dim=1)
        if self.cache is None:
            window = self.ids[:, -self.max_len :]  # (N, <= max_len)
            return self.model(window, prefix_len=self.prefix_len)[:, -1]  # (N, V)
        if self.cache.length + tokens.size(1) > self.max_len:  # slide: read the window anew
            self.cache = KVCache()
            tokens = self.ids[:, -self.max_len :]  # (N, max_len)
        return self.model(tokens, prefix_len=self.prefix_len, cache=self.cache)[:, -1]  # (N, V)

    def select(self, index: Tensor) -> None:
        """Keep rows `index` (Long[N']) in that order; repeated rows duplicate (beam search)."""
        if self.ids is not None:
            self.ids = self.ids.index_select(0, index)
        if self.cache is not None:
            self.cache.select(index)
