"""x-transformers models at the benchmark shape: TransformerWrapper(Decoder / Encoder), and an
encoder-decoder made of two TransformerWrappers the way XTransformer builds them (its own class
cannot tie the decoder's output projection, which the other peers do).

attn_flash=True routes attention through F.scaled_dot_product_attention. Dropout goes on the
embedding sum and the sub-layer outputs (`*_sublayer_dropout`), none on the attention weights or
inside the feed-forward network: the paper's placement, as for every other model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from torch import nn

    from benchmarks.shapes import Shape


def _layer_kwargs(shape: Shape, dropout: float) -> dict[str, Any]:
    from torch import nn

    kw: dict[str, Any] = dict(
        dim=shape.d_model, heads=shape.heads, attn_dim_head=shape.d_model // shape.heads,
        ff_mult=shape.d_ff / shape.d_model, attn_flash=True, attn_dropout=0.0, ff_dropout=0.0,
        attn_sublayer_dropout=dropout, ff_sublayer_dropout=dropout,
    )  # fmt: skip
    if shape.activation == "relu":
        kw["ff_custom_activation"] = nn.ReLU()
    return kw


def decoder(shape: Shape, dropout: float) -> nn.Module:
    """tokens -> logits (pre-norm, learned positions, tied output)."""
    from x_transformers import Decoder, TransformerWrapper

    return TransformerWrapper(
        num_tokens=shape.vocab, max_seq_len=shape.tgt_len, emb_dropout=dropout,
        tie_embedding=True,
        attn_layers=Decoder(depth=shape.dec_layers, **_layer_kwargs(shape, dropout)),
    )  # fmt: skip


def encoder(shape: Shape, dropout: float) -> nn.Module:
    """tokens -> hidden states with forward(..., return_embeddings=True)."""
    from x_transformers import Encoder, TransformerWrapper

    return TransformerWrapper(
        num_tokens=shape.vocab, max_seq_len=shape.src_len, emb_dropout=dropout,
        tie_embedding=True,
        attn_layers=Encoder(depth=shape.enc_layers, **_layer_kwargs(shape, dropout)),
    )  # fmt: skip


def encoder_decoder(shape: Shape, dropout: float) -> nn.Module:
    """An nn.Module with .encoder and .decoder wrappers sharing one token table, tied output."""
    from torch import nn
    from x_transformers import Decoder, Encoder, TransformerWrapper

    kw = _layer_kwargs(shape, dropout)
    pair = nn.Module()
    pair.encoder = TransformerWrapper(
        num_tokens=shape.vocab, max_seq_len=shape.src_len, emb_dropout=dropout,
        return_only_embed=True, attn_layers=Encoder(depth=shape.enc_layers, **kw),
    )  # fmt: skip
    pair.decoder = TransformerWrapper(
        num_tokens=shape.vocab, max_seq_len=shape.tgt_len, emb_dropout=dropout,
        tie_embedding=True, token_emb=pair.encoder.token_emb,
        attn_layers=Decoder(depth=shape.dec_layers, cross_attend=True, **kw),
    )  # fmt: skip
    return pair
