"""Text in, text out: `archspec.generate(run, lines)` and `archspec generate`.

Encoder-decoder models translate each line; decoder-only models continue each prompt.
Lines are batched (`batch_size` at a time): sources sorted by length so that batches hold
little padding, prompts grouped by length so that every row of a batch starts at the same
position (exactly what decoding them one by one gives). Results come back in input order.

Methods: greedy; beam (beam size, GNMT length penalty alpha; the paper's beam 4, alpha 0.6);
sample (temperature, top-k, top-p). `auto` is beam search for encoder-decoder models and
sampling for decoder-only ones. A translation may be at most input length + `max_extra`
tokens long (the paper's + 50), a continuation `max_new_tokens`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import torch
from torch import Tensor

from archspec.components.tokenizer.base import ARCHSPEC, Specials
from archspec.decoding.beam import beam_search
from archspec.decoding.greedy import greedy
from archspec.decoding.loop import pad_rows
from archspec.decoding.sampling import sample_tokens
from archspec.decoding.session import DecoderSession, Seq2SeqSession
from archspec.errors import ArchspecError
from archspec.spec.objective import objective_impl

Method = Literal["auto", "greedy", "beam", "sample"]


@dataclass(frozen=True)
class DecodeOptions:
    """How to decode (see the module docstring)."""

    method: Method = "auto"
    beam_size: int = 4
    alpha: float = 0.6
    """Length penalty exponent of beam search (0: none)."""
    max_extra: int = 50
    """Encoder-decoder: a translation stops at input length + this many tokens."""
    max_new_tokens: int = 200
    """Decoder-only: tokens generated after each prompt."""
    temperature: float = 0.8
    top_k: int | None = 40
    top_p: float | None = None
    seed: int = 0
    """Seeds sampling."""
    use_cache: bool = True
    """Decode incrementally with a key/value cache (False recomputes every step)."""
    batch_size: int = 32
    """Lines decoded together."""

    def __post_init__(self) -> None:
        problems = []
        if self.method not in ("auto", "greedy", "beam", "sample"):
            problems.append(f"method {self.method!r} is not one of auto, greedy, beam, sample")
        for name in ("beam_size", "max_new_tokens", "batch_size"):
            if getattr(self, name) < 1:
                problems.append(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.max_extra < 0 or self.temperature < 0:
            problems.append("max_extra and temperature must not be negative")
        if self.top_k is not None and self.top_k < 1:
            problems.append(f"top_k must be at least 1, got {self.top_k}")
        if self.top_p is not None and not 0 < self.top_p <= 1:
            problems.append(f"top_p must be in (0, 1], got {self.top_p}")
        if problems:
            raise ArchspecError("decoding options: " + "; ".join(problems))

    def method_for(self, kind: str) -> str:
        """The method `auto` stands for with a model kind."""
        if self.method != "auto":
            return self.method
        return "beam" if kind == "encoder-decoder" else "sample"


def decode_batch(
    session,
    first: Tensor,
    max_new: int | Sequence[int],
    options: DecodeOptions,
    method: str,
    eos: int | None = ARCHSPEC.eos,
) -> list[list[int]]:
    """New tokens of every row of `first` by `method` (greedy, beam or sample), stopping at
    `eos` (the tokenizer's)."""
    if method == "greedy":
        return greedy(session, first, max_new, eos)
    if method == "beam":
        end = -1 if eos is None else eos  # no eos token: every beam runs to max_new
        found = beam_search(
            session, first, max_new, end, beam=options.beam_size, alpha=options.alpha
        )
        return [hyps[0].tokens if hyps else [] for hyps in found]
    if method == "sample":
        generator = torch.Generator(device=first.device).manual_seed(options.seed)
        return sample_tokens(
            session,
            first,
            max_new,
            eos,
            temperature=options.temperature,
            top_k=options.top_k,
            top_p=options.top_p,
            generator=generator,
        )
    raise ValueError(f"unknown decoding method {method!r}")


@torch.no_grad()
def translate_ids(
    model: Any,
    src: Tensor,
    src_pad: Tensor | None,
    options: DecodeOptions,
    method: str,
    specials: Specials = ARCHSPEC,
) -> list[list[int]]:
    """Translate a padded batch src (B, S): every row may take its length + max_extra tokens
    (and no more than the model's max_len leaves after <bos>, the tokenizer's decoder start)."""
    lengths = (~src_pad).sum(1).tolist() if src_pad is not None else [src.size(1)] * src.size(0)
    limits = [max(1, min(n + options.max_extra, model.max_len - 1)) for n in lengths]
    session = Seq2SeqSession(model, src, src_pad, use_cache=options.use_cache)
    start = specials.need("decoder_start", "translation (the first decoder input)")
    first = torch.full((src.size(0), 1), start, dtype=torch.long, device=src.device)  # (B, 1)
    return decode_batch(session, first, limits, options, method, specials.eos)


def generate(
    run: Any, texts: Sequence[str], options: DecodeOptions | None = None, **changes: Any
) -> list[str]:
    """Translate (encoder-decoder) or continue (decoder) every text; keyword arguments change
    fields of `options` (e.g. method="greedy", beam_size=8)."""
    options = replace(options or DecodeOptions(), **changes)
    outputs = generate_ids(run, texts, options)
    return [run.decode(ids) for ids in outputs]


def generate_ids(run: Any, texts: Sequence[str], options: DecodeOptions) -> list[list[int]]:
    """The new token ids for every text (see `generate`)."""
    texts = list(texts)
    if not any(t.strip() for t in texts):
        raise ArchspecError("no input text: give at least one non-empty line")
    if run.kind == "encoder":
        raise ArchspecError(
            f"{run.checkpoint}: an encoder-only model does not generate text; use "
            "`archspec eval` or `archspec attention` with it"
        )
    method = options.method_for(run.kind)
    run.model.eval()
    if run.kind == "encoder-decoder":
        return _translate(run, texts, options, method)
    return _continue(run, texts, options, method)


def _translate(run: Any, texts: list[str], options: DecodeOptions, method: str) -> list[list[int]]:
    model, device = run.model, run.device
    ids = [run.specials.wrap(s) if s else [] for s in run.encode(texts, "source")]  # as trained
    for i, seq in enumerate(ids):
        if len(seq) > model.max_len:
            raise ArchspecError(
                f"input {i + 1} has {len(seq)} tokens but this model reads at most "
                f"{model.max_len} (model.max_len); shorten or split it"
            )
    out: list[list[int]] = [[] for _ in texts]
    order = sorted((i for i, s in enumerate(ids) if s), key=lambda i: -len(ids[i]))
    for start in range(0, len(order), options.batch_size):
        rows = order[start : start + options.batch_size]
        src = pad_rows([ids[i] for i in rows], run.specials.pad, device)  # (B, S)
        lengths = torch.tensor([len(ids[i]) for i in rows], device=device)
        src_pad = torch.arange(src.size(1), device=device)[None, :] >= lengths[:, None]  # (B, S)
        found = translate_ids(model, src, src_pad, options, method, run.specials)
        for i, tokens in zip(rows, found, strict=True):
            out[i] = tokens
    return out


def leading_ids(recipe: Any, specials: Specials = ARCHSPEC) -> list[int]:
    """What the model saw before each training text (its objective's `leading_ids` hook, e.g.
    <bos> for a language model trained on lines, nothing for text chunks)."""
    return objective_impl(recipe.objective).leading_ids(recipe.objective, recipe.data, specials)


def _continue(run: Any, texts: list[str], options: DecodeOptions, method: str) -> list[list[int]]:
    model, device = run.model, run.device
    bos = leading_ids(run.recipe, run.specials)
    prompts = [bos + seq for seq in run.encode(texts, "source")]
    empty = [i + 1 for i, p in enumerate(prompts) if not p]
    if empty:
        raise ArchspecError(
            f"prompt {empty[0]} is empty: this model was trained on text chunks without a "
            "start token, so give it at least one character to continue"
        )
    out: list[list[int]] = [[] for _ in texts]
    by_length: dict[int, list[int]] = {}
    for i, p in enumerate(prompts):
        by_length.setdefault(len(p), []).append(i)
    for length, group in sorted(by_length.items()):
        for start in range(0, len(group), options.batch_size):
            rows = group[start : start + options.batch_size]
            first = torch.tensor([prompts[i] for i in rows], dtype=torch.long, device=device)
            session = DecoderSession(model, prompt_len=length, use_cache=options.use_cache)
            found = decode_batch(
                session, first, options.max_new_tokens, options, method, run.specials.eos
            )
            for i, tokens in zip(rows, found, strict=True):
                out[i] = tokens
    return out
