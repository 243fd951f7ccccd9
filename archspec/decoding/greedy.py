"""Greedy decoding: at every step the most likely next token.

Legend: B batch, S source length, T generated length, V vocabulary.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from archspec.decoding.loop import decode_loop, pad_rows
from archspec.decoding.session import Seq2SeqSession
from archspec.nn.models import EncoderDecoderTransformer


def argmax(logits: Tensor) -> Tensor:
    """The most likely token of each row: (N, V) -> Long[N]."""
    return logits.argmax(-1)


def greedy(
    session, first: Tensor, max_new: int | Sequence[int], eos: int | None
) -> list[list[int]]:
    """Greedy search from `first` (N, T0) in a decoding session (archspec.decoding.session)."""
    return decode_loop(session, first, max_new, eos, argmax)


@torch.no_grad()
def greedy_translate(
    model: EncoderDecoderTransformer,
    src: Tensor,
    src_pad: Tensor | None,
    bos: int,
    eos: int,
    pad: int,
    max_new: int | Sequence[int],
    *,
    use_cache: bool = True,
) -> Tensor:
    """Translate a batch with an encoder-decoder: src (B, S) -> token ids (B, <= max_new).

    Every row starts from <bos>; a finished row (it produced <eos>) is padded afterwards.
    """
    session = Seq2SeqSession(model, src, src_pad, use_cache=use_cache)
    first = torch.full((src.size(0), 1), bos, dtype=torch.long, device=src.device)  # (B, 1)
    return pad_rows(greedy(session, first, max_new, eos), pad, src.device)  # (B, T)
