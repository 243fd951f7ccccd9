"""The three model kinds. Builders pass finished parts (embeddings, stacks, output projection).

Shapes: B batch, S source time, T (target) time, D d_model, V vocab.

Forward signatures (training code relies on them exactly):

    EncoderDecoderTransformer.forward(src: Long[B,S], tgt: Long[B,T],
        src_pad_mask: Bool[B,S] | None = None, tgt_pad_mask: Bool[B,T] | None = None)
        -> logits [B,T,V_tgt]
    EncoderDecoderTransformer.encode(src, src_pad_mask=None) -> memory [B,S,D]
    EncoderDecoderTransformer.decode(tgt, memory, src_pad_mask=None, tgt_pad_mask=None,
        *, cache=None) -> logits [B,T,V_tgt]
    EncoderTransformer.forward(tokens: Long[B,T], pad_mask: Bool[B,T] | None = None,
        token_types: Long[B,T] | None = None)
        -> hidden [B,T,D]      (`token_embedding` is the nn.Embedding a masked-LM head ties to)
    EncoderTransformer.pool(hidden [B,T,D]) -> [B,D]   tanh(W h_0 + b), when built with a pooler
    DecoderTransformer.forward(tokens: Long[B,T], pad_mask: Bool[B,T] | None = None,
        prefix_len: int | Long[B] | None = None, *, cache=None) -> logits [B,T,V]

`cache` (a KVCache, archspec.nn.cache) decodes incrementally: the tokens are only the new
positions, placed after the `cache.length` positions already cached (their absolute positions
are offset accordingly); the cache is updated in place.

Pad masks are True at padding; token types default to type 0. Models with an output
projection multiply the last hidden state by `output_scale` first (T5's d_model^-0.5; 1.0
elsewhere). Every model has plain attributes d_model and max_len, and its vocabulary sizes:
vocab_size (encoder, decoder), source_vocab and target_vocab (all three where they apply).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from archspec.nn import init
from archspec.nn.cache import KVCache
from archspec.nn.positions import Embeddings
from archspec.nn.stacks import Stack


def token_embedding(vocab: int, d_model: int) -> nn.Embedding:
    """A token table initialised N(0, D^-1/2) (fairseq's Transformer): scaled by sqrt(D) it has
    unit variance, and tied to the output projection it gives logits of unit scale."""
    return init.embedding(vocab, d_model, std=d_model**-0.5)


def output_projection(d_model: int, vocab: int) -> nn.Linear:
    """The pre-softmax projection D -> V, never with a bias; N(0, D^-1/2) as fairseq's."""
    out = nn.Linear(d_model, vocab, bias=False)
    init.normal_(out.weight, std=d_model**-0.5)
    return out


class Pooler(nn.Module):
    """BERT's pooler: tanh(W h_0 + b) over the first position's hidden state."""

    def __init__(self, d_model: int) -> None:
        super().__init__()
        self.dense = nn.Linear(d_model, d_model)
        init.normal_(self.dense.weight, std=d_model**-0.5)
        nn.init.zeros_(self.dense.bias)

    def forward(self, hidden: Tensor) -> Tensor:
        return torch.tanh(self.dense(hidden[:, 0]))  # (B, T, D) -> (B, D)


class EncoderDecoderTransformer(nn.Module):
    """The paper's translation model: source and target tokens -> target logits."""

    def __init__(
        self,
        src_embed: Embeddings,
        tgt_embed: Embeddings,
        encoder: Stack,
        decoder: Stack,
        output: nn.Linear,
        output_scale: float = 1.0,
    ) -> None:
        super().__init__()
        self.src_embed, self.tgt_embed = src_embed, tgt_embed
        self.encoder, self.decoder = encoder, decoder
        self.output = output
        self.output_scale = output_scale
        self.d_model = output.in_features
        self.max_len = src_embed.max_len
        self.source_vocab = src_embed.tokens.num_embeddings
        self.target_vocab = output.out_features

    def encode(self, src: Tensor, src_pad_mask: Tensor | None = None) -> Tensor:
        """src Long[B, S] -> memory [B, S, D]."""
        return self.encoder(self.src_embed(src), src_pad_mask)

    def decode(
        self,
        tgt: Tensor,
        memory: Tensor,
        src_pad_mask: Tensor | None = None,
        tgt_pad_mask: Tensor | None = None,
        *,
        cache: KVCache | None = None,
    ) -> Tensor:
        """tgt Long[B, T], memory [B, S, D] -> logits [B, T, V_tgt]."""
        offset = 0 if cache is None else cache.length
        h = self.decoder(
            self.tgt_embed(tgt, offset),
            tgt_pad_mask,
            memory=memory,
            memory_pad_mask=src_pad_mask,
            cache=cache,
        )  # (B, T, D)
        return self.output(_scaled(h, self.output_scale))  # (B, T, V_tgt)

    def forward(
        self,
        src: Tensor,
        tgt: Tensor,
        src_pad_mask: Tensor | None = None,
        tgt_pad_mask: Tensor | None = None,
    ) -> Tensor:
        """src Long[B, S], tgt Long[B, T] -> logits [B, T, V_tgt]."""
        memory = self.encode(src, src_pad_mask)  # (B, S, D)
        return self.decode(tgt, memory, src_pad_mask, tgt_pad_mask)


class EncoderTransformer(nn.Module):
    """BERT-like: tokens -> hidden states; the objective adds its own head."""

    def __init__(self, embed: Embeddings, encoder: Stack, pooler: Pooler | None = None) -> None:
        super().__init__()
        self.embed = embed
        self.encoder = encoder
        self.pooler = pooler
        self.d_model = embed.tokens.embedding_dim
        self.max_len = embed.max_len
        self.vocab_size = self.source_vocab = embed.tokens.num_embeddings

    @property
    def token_embedding(self) -> nn.Embedding:
        """The token table (a masked-LM head ties its output weight to `.weight`)."""
        return self.embed.tokens

    def forward(
        self, tokens: Tensor, pad_mask: Tensor | None = None, token_types: Tensor | None = None
    ) -> Tensor:
        """tokens Long[B, T] (token_types Long[B, T], default type 0) -> hidden [B, T, D]."""
        return self.encoder(self.embed(tokens, types=token_types), pad_mask)

    def pool(self, hidden: Tensor) -> Tensor:
        """hidden [B, T, D] -> the pooler's [B, D] (the model must have one)."""
        if self.pooler is None:
            raise ValueError("this encoder has no pooler (set model.pooler: true)")
        return self.pooler(hidden)


class DecoderTransformer(nn.Module):
    """GPT-like: tokens -> next-token logits."""

    def __init__(
        self, embed: Embeddings, decoder: Stack, output: nn.Linear, output_scale: float = 1.0
    ) -> None:
        super().__init__()
        self.embed = embed
        self.decoder = decoder
        self.output = output
        self.output_scale = output_scale
        self.d_model = output.in_features
        self.max_len = embed.max_len
        self.vocab_size = self.target_vocab = output.out_features

    @property
    def token_embedding(self) -> nn.Embedding:
        """The token table (tied to `output` when the recipe says tying: decoder)."""
        return self.embed.tokens

    def forward(
        self,
        tokens: Tensor,
        pad_mask: Tensor | None = None,
        prefix_len: int | Tensor | None = None,
        *,
        cache: KVCache | None = None,
    ) -> Tensor:
        """tokens Long[B, T] -> logits [B, T, V]; prefix_len only for a prefix-LM mask."""
        offset = 0 if cache is None else cache.length
        x = self.embed(tokens, offset)  # (B, T, D)
        h = self.decoder(x, pad_mask, prefix_len=prefix_len, cache=cache)  # (B, T, D)
        return self.output(_scaled(h, self.output_scale))  # (B, T, V)


def _scaled(h: Tensor, scale: float) -> Tensor:
    return h if scale == 1.0 else h * scale  # (B, T, D)
