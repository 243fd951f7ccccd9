"""Sampling: temperature, top-k and top-p (nucleus) filtering, then a random draw.

Legend: N rows, T context length, V vocabulary.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from archspec.decoding.loop import Choose, decode_loop
from archspec.decoding.session import DecoderSession
from archspec.nn.models import DecoderTransformer


def filter_logits(
    logits: Tensor, temperature: float = 1.0, top_k: int | None = None, top_p: float | None = None
) -> Tensor:
    """logits (N, V) / temperature, with -inf outside the top_k most likely tokens and outside
    the smallest set whose probability reaches top_p (the most likely token always stays)."""
    logits = logits.float() / temperature  # (N, V)
    if top_k is not None and top_k < logits.size(-1):
        kth = torch.topk(logits, top_k).values[:, -1:]  # (N, 1)
        logits = logits.masked_fill(logits < kth, float("-inf"))
    if top_p is not None and top_p < 1.0:
        ordered, order = logits.sort(dim=-1, descending=True)  # (N, V)
        before = ordered.softmax(-1).cumsum(-1) - ordered.softmax(-1)  # mass of better tokens
        drop = before >= top_p  # (N, V): the set already reached top_p without this token
        unsorted = torch.zeros_like(drop).scatter(-1, order, drop)  # (N, V) in vocabulary order
        logits = logits.masked_fill(unsorted, float("-inf"))
    return logits


def sampler(
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    generator: torch.Generator | None = None,
) -> Choose:
    """A token chooser drawing from the filtered distribution (temperature 0: greedy)."""

    def choose(logits: Tensor) -> Tensor:  # (N, V) -> (N,)
        if temperature <= 0:
            return logits.argmax(-1)
        probs = filter_logits(logits, temperature, top_k, top_p).softmax(-1)  # (N, V)
        return torch.multinomial(probs, 1, generator=generator).squeeze(1)

    return choose


def sample_tokens(
    session,
    first: Tensor,
    max_new: int | Sequence[int],
    eos: int | None,
    *,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    generator: torch.Generator | None = None,
) -> list[list[int]]:
    """Sample continuations of `first` (N, T0) in a decoding session."""
    choose = sampler(temperature, top_k, top_p, generator)
    return decode_loop(session, first, max_new, eos, choose)


@torch.no_grad()
def sample(
    model: DecoderTransformer,
    prompt: Tensor,
    new_tokens: int,
    max_len: int,
    temperature: float = 0.8,
    top_k: int | None = 40,
    generator: torch.Generator | None = None,
    *,
    top_p: float | None = None,
    use_cache: bool = True,
) -> Tensor:
    """Continue prompt (B, T0) of a decoder-only model by exactly new_tokens tokens; the
    context is the last max_len tokens (at most model.max_len)."""
    session = DecoderSession(model, prompt_len=prompt.size(1), use_cache=use_cache, window=max_len)
    rows = sample_tokens(
        session,
        prompt,
        new_tokens,
        None,
        temperature=temperature,
        top_k=top_k,
        top_p=top_p,
        generator=generator,
    )
    return torch.tensor(rows, dtype=torch.long, device=prompt.device).view(prompt.size(0), -1)
