"""Lists of examples -> padded batches of tensors, and the masked-LM corruption.

Shapes: B examples, S source length, T (target) length, all after padding to the longest
example in the batch. Padding masks are bool and True exactly at padding. Targets that have
nothing to predict (padding, prompts, unmasked positions) are IGNORE (-100), the default
`ignore_index` of torch's cross-entropy; `tgt_out` of a pair keeps <pad> (0) instead and
comes with `tgt_pad`. The special ids are the tokenizer's (Specials; archspec's own by
default).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor

from archspec.components.objective.masked_lm import MaskedLMObjective
from archspec.components.tokenizer.base import ARCHSPEC, Specials
from archspec.data.batching import mix_seed
from archspec.data.tokenizers import MASK, PAD

IGNORE = -100
"""Target value of positions that are not predicted."""

Batch = dict[str, Tensor]
Item = dict[str, Any]


def pad(seqs: list[Tensor], value: int) -> Tensor:
    """Stack 1-d tensors of different lengths into [B, max length], filling with `value`."""
    out = torch.full((len(seqs), max(len(s) for s in seqs)), value, dtype=torch.long)  # (B, T)
    for row, seq in enumerate(seqs):
        out[row, : len(seq)] = seq
    return out


def _index(items: list[Item]) -> Tensor:
    return torch.tensor([it["index"] for it in items], dtype=torch.long)  # (B,)


def collate_pairs(items: list[Item], specials: Specials = ARCHSPEC) -> Batch:
    """src, src_pad (B, S); tgt_in = <bos> y, tgt_out = y <eos>, tgt_pad (B, T); index (B,)
    (<bos>: the tokenizer's decoder start, e.g. T5's <pad>)."""
    start = specials.need("decoder_start", "an encoder-decoder's first decoder input")
    end = specials.need("eos", "the end of every target")
    src = pad([it["src"] for it in items], specials.pad)  # (B, S)
    bos, eos = torch.tensor([start]), torch.tensor([end])
    tgt_in = pad([torch.cat([bos, it["tgt"]]) for it in items], specials.pad)  # (B, T)
    tgt_out = pad([torch.cat([it["tgt"], eos]) for it in items], specials.pad)  # (B, T)
    lengths = torch.tensor([len(it["tgt"]) + 1 for it in items])  # (B,)
    tgt_pad = torch.arange(tgt_in.shape[1]) >= lengths[:, None]  # (B, T)
    src_lengths = torch.tensor([len(it["src"]) for it in items])
    src_pad = torch.arange(src.shape[1]) >= src_lengths[:, None]  # (B, S)
    return {
        "src": src,
        "src_pad": src_pad,
        "tgt_in": tgt_in,
        "tgt_out": tgt_out,
        "tgt_pad": tgt_pad,
        "index": _index(items),
    }


def collate_causal(items: list[Item]) -> Batch:
    """tokens = seq[:-1], targets = seq[1:] (IGNORE over the prompt and padding), pad (B, T);
    no pad at all when every sequence has the batch's length (text chunks), so that attention
    takes SDPA's is_causal path instead of an all-False mask."""
    seqs = [it["seq"] for it in items]
    same = len({len(s) for s in seqs}) == 1  # text chunks: one stack, 0.03 ms instead of 0.3
    if same:
        stacked = torch.stack(seqs)  # (B, T + 1)
        tokens, targets = stacked[:, :-1].contiguous(), stacked[:, 1:].contiguous()  # (B, T)
    else:
        tokens = pad([s[:-1] for s in seqs], PAD)  # (B, T)
        targets = pad([s[1:] for s in seqs], IGNORE)  # (B, T)
    for row, it in enumerate(items):
        if it.get("prompt", 0):
            targets[row, : it["prompt"]] = IGNORE
    batch = {"tokens": tokens, "targets": targets, "index": _index(items)}
    if not same:
        lengths = torch.tensor([len(s) - 1 for s in seqs])
        batch["pad"] = torch.arange(tokens.shape[1]) >= lengths[:, None]  # (B, T)
    return batch


def collate_tokens(items: list[Item]) -> Batch:
    """tokens, pad (B, T) of plain sequences (masked-LM input before masking); index (B,)."""
    seqs = [it["seq"] for it in items]
    tokens = pad(seqs, PAD)  # (B, T)
    lengths = torch.tensor([len(s) for s in seqs])
    return {
        "tokens": tokens,
        "pad": torch.arange(tokens.shape[1]) >= lengths[:, None],  # (B, T)
        "index": _index(items),
    }


def collate_labelled(items: list[Item]) -> Batch:
    """tokens, pad (B, T) starting with <bos>; label (B,) class indices; index (B,)."""
    batch = collate_tokens(items)
    batch["label"] = torch.tensor([it["label"] for it in items], dtype=torch.long)  # (B,)
    return batch


@dataclass(frozen=True)
class MaskTokens:
    """BERT's corruption, applied to a whole batch with a generator seeded by (seed, epoch,
    batch number, rank), so a resumed run masks exactly as an uninterrupted one would.

    Of the non-padding positions, `mask_prob` are chosen; a chosen token becomes <mask> with
    probability `replace_mask`, a random ordinary token with probability `replace_random`, and
    stays as it is otherwise. `targets` holds the original token at chosen positions and
    IGNORE elsewhere.
    """

    vocab_size: int
    """Tokens actually in the vocabulary; random replacements are drawn from the ordinary ones."""
    first_ordinary: int
    """Id of the first non-special token."""
    seed: int
    rates: MaskedLMObjective = MaskedLMObjective()
    """The objective's mask_prob, replace_mask and replace_random, as the recipe gives them."""
    rank: int = 0
    mask_id: int = MASK
    """The tokenizer's mask token."""

    def __call__(self, batch: Batch, epoch: int, step: int) -> Batch:
        g = torch.Generator().manual_seed(mix_seed(self.seed, self.rank, epoch, step))
        tokens, pad_mask = batch["tokens"], batch["pad"]
        r = self.rates
        chosen = (torch.rand(tokens.shape, generator=g) < r.mask_prob) & ~pad_mask  # (B, T)
        roll = torch.rand(tokens.shape, generator=g)  # (B, T)
        to_mask = chosen & (roll < r.replace_mask)
        to_random = chosen & (roll >= r.replace_mask) & (roll < r.replace_mask + r.replace_random)
        randoms = torch.randint(self.first_ordinary, self.vocab_size, tokens.shape, generator=g)
        corrupted = torch.where(to_mask, torch.full_like(tokens, self.mask_id), tokens)
        corrupted = torch.where(to_random, randoms, corrupted)
        targets = torch.where(chosen, tokens, torch.full_like(tokens, IGNORE))
        return {**batch, "tokens": corrupted, "targets": targets}
