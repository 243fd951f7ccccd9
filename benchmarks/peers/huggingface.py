"""Hugging Face models built from a config (no weights downloaded): GPT-2, BART, Marian, BERT.

Every config sets the benchmark shape, the paper's dropout placement (embedding sum and sub-layer
outputs: attention and activation dropout 0), the shape's activation, and tied embeddings; the
attention implementation is SDPA. The models return logits (or hidden states) and the benchmark
computes the same loss for every model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from torch import nn

    from benchmarks.shapes import Shape

ATTN = "sdpa"


def gpt2(shape: Shape, dropout: float) -> nn.Module:
    """GPT2LMHeadModel: pre-norm, learned positions, fused c_attn, tied head."""
    from transformers import GPT2Config, GPT2LMHeadModel

    cfg = GPT2Config(
        vocab_size=shape.vocab, n_positions=shape.tgt_len, n_embd=shape.d_model,
        n_layer=shape.dec_layers, n_head=shape.heads, n_inner=shape.d_ff,
        activation_function=shape.activation, resid_pdrop=dropout, embd_pdrop=dropout,
        attn_pdrop=0.0, tie_word_embeddings=True, bos_token_id=1, eos_token_id=2,
    )  # fmt: skip
    return GPT2LMHeadModel._from_config(cfg, attn_implementation=ATTN)


def _seq2seq_kwargs(shape: Shape, dropout: float) -> dict:
    return dict(
        vocab_size=shape.vocab, d_model=shape.d_model, max_position_embeddings=shape.max_len,
        encoder_layers=shape.enc_layers, decoder_layers=shape.dec_layers,
        encoder_attention_heads=shape.heads, decoder_attention_heads=shape.heads,
        encoder_ffn_dim=shape.d_ff, decoder_ffn_dim=shape.d_ff,
        activation_function=shape.activation, dropout=dropout, attention_dropout=0.0,
        activation_dropout=0.0, scale_embedding=True, tie_word_embeddings=True,
        pad_token_id=0, bos_token_id=1, eos_token_id=2, decoder_start_token_id=1,
    )  # fmt: skip


def bart(shape: Shape, dropout: float) -> nn.Module:
    """BartForConditionalGeneration: post-norm, learned positions, embedding LayerNorm."""
    from transformers import BartConfig, BartForConditionalGeneration

    cfg = BartConfig(**_seq2seq_kwargs(shape, dropout))
    return BartForConditionalGeneration._from_config(cfg, attn_implementation=ATTN)


def marian(shape: Shape, dropout: float) -> nn.Module:
    """MarianMTModel: post-norm, sinusoidal positions, scaled embeddings (the paper's model)."""
    from transformers import MarianConfig, MarianMTModel

    cfg = MarianConfig(**_seq2seq_kwargs(shape, dropout), share_encoder_decoder_embeddings=True)
    return MarianMTModel._from_config(cfg, attn_implementation=ATTN)


def bert(shape: Shape, dropout: float) -> nn.Module:
    """BertModel without the pooler: post-norm, learned positions, embedding LayerNorm."""
    from transformers import BertConfig, BertModel

    cfg = BertConfig(
        vocab_size=shape.vocab, hidden_size=shape.d_model, num_hidden_layers=shape.enc_layers,
        num_attention_heads=shape.heads, intermediate_size=shape.d_ff,
        hidden_act=shape.activation, hidden_dropout_prob=dropout,
        attention_probs_dropout_prob=0.0, max_position_embeddings=shape.src_len,
        type_vocab_size=1,
    )  # fmt: skip
    return BertModel._from_config(cfg, add_pooling_layer=False, attn_implementation=ATTN)
