"""Absolute positions added to the token embeddings, and the embedding layer that adds them.

Shapes: B batch, T time, D d_model, V vocab.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from archspec.errors import ArchspecError
from archspec.nn import init


def sinusoid_table(max_len: int, d_model: int, base: float = 10000.0) -> Tensor:
    """[max_len, D]: PE(pos, 2i) = sin(pos / base^(2i/D)), PE(pos, 2i+1) = cos(same angle)."""
    pos = torch.arange(max_len, dtype=torch.float64)[:, None]  # (max_len, 1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)  # (D/2,)
    angle = pos / base ** (two_i / d_model)  # (max_len, D/2)
    table = torch.empty(max_len, d_model, dtype=torch.float64)
    table[:, 0::2] = torch.sin(angle)
    table[:, 1::2] = torch.cos(angle)
    return table.float()  # (max_len, D)


def _too_long(t: int, limit: int, what: str) -> ArchspecError:
    return ArchspecError(
        f"sequence of {t} positions is longer than the {limit} this model's {what} allows; "
        f"truncate the input or raise model.max_len in the recipe"
    )


class SinusoidalPositions(nn.Module):
    """The paper's fixed sine/cosine table, a non-persistent buffer (never in a checkpoint)."""

    table: Tensor

    def __init__(self, d_model: int, max_len: int, base: float = 10000.0) -> None:
        super().__init__()
        self.max_len, self.base = max_len, base
        if torch.get_default_device().type == "meta":  # a meta table has no values to compute
            table = torch.empty(max_len, d_model)  # (and arange on meta imports torch._dynamo)
        else:
            table = sinusoid_table(max_len, d_model, base)
        self.register_buffer("table", table, persistent=False)  # (max_len, D)

    def forward(self, t: int, offset: int = 0) -> Tensor:
        """Encodings of positions offset .. offset+T-1: [T, D]."""
        if offset + t > self.max_len:
            raise _too_long(offset + t, self.max_len, "sinusoidal table")
        return self.table[offset : offset + t]  # (T, D)

    def reset_parameters(self) -> None:
        """Recompute the table (after `to_empty` from the meta device)."""
        table = sinusoid_table(self.max_len, int(self.table.shape[1]), self.base)
        self.table.copy_(table.to(self.table.device))


class LearnedPositions(nn.Module):
    """A trainable table of absolute positions (Table 3, row E); with `offset` (BART's 2) the
    table has max_len + offset rows and position p reads row p + offset."""

    def __init__(self, d_model: int, max_len: int, offset: int = 0) -> None:
        super().__init__()
        self.max_len, self.offset = max_len, offset
        self.weight = nn.Parameter(torch.empty(max_len + offset, d_model))  # (offset+max_len, D)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """N(0, D^-1/2), as fairseq's learned positional embeddings."""
        init.normal_(self.weight, std=self.weight.shape[1] ** -0.5)

    def forward(self, t: int, offset: int = 0) -> Tensor:
        """Encodings of positions offset .. offset+T-1: [T, D]."""
        if offset + t > self.max_len:
            raise _too_long(offset + t, self.max_len, "learned position table")
        first = self.offset + offset  # row of the first position
        return self.weight[first : first + t]  # (T, D)


class Embeddings(nn.Module):
    """tokens -> Dropout(Norm(E[tokens] * scale + P[positions] + Y[types])): Long[B, T] ->
    [B, T, D].

    `tokens` is a finished nn.Embedding (shared between modules when weights are tied);
    `positions` is an absolute table or None (relative positions live in attention);
    `token_types` a table of segment embeddings (BERT) or None, `norm` the embedding norm
    (BERT, BART) or None.
    """

    def __init__(
        self,
        tokens: nn.Embedding,
        positions: nn.Module | None,
        *,
        max_len: int,
        scale: bool,
        dropout: float,
        token_types: nn.Embedding | None = None,
        norm: nn.Module | None = None,
    ) -> None:
        super().__init__()
        self.tokens = tokens
        self.positions = positions
        self.token_types = token_types
        self.norm = norm
        self.max_len = max_len
        self.scale = math.sqrt(tokens.embedding_dim) if scale else 1.0
        self.dropout = nn.Dropout(dropout)

    def forward(self, tokens: Tensor, offset: int = 0, types: Tensor | None = None) -> Tensor:
        """tokens Long[B, T] at positions offset.. (types Long[B, T], default all type 0)."""
        t = tokens.shape[1]
        if offset + t > self.max_len:
            raise _too_long(offset + t, self.max_len, "max_len")
        x = self.tokens(tokens)  # (B, T, D)
        if self.positions is not None:  # P + scale * E[tokens] in one pass
            x = torch.add(self.positions(t, offset), x, alpha=self.scale)  # (T, D) + (B, T, D)
        elif self.scale != 1.0:
            x = x * self.scale
        if self.token_types is not None:
            # no ids: every position is of type 0, one row broadcast (no look-up kept)
            row = self.token_types.weight[0] if types is None else self.token_types(types)
            x = x + row  # (B, T, D) + (D,) or (B, T, D)
        if self.norm is not None:
            x = self.norm(x)  # (B, T, D)
        return self.dropout(x)
