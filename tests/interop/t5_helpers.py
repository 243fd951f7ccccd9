"""Tiny T5ForConditionalGeneration models with random weights (nothing is downloaded) and
T5 v1.1's head of its own, for tests/interop/test_hf_t5*.py (the batch they are compared on,
like BART's, is enc_helpers.seq2seq_batch)."""

from __future__ import annotations

from typing import Any

import torch

from tests.hf.conftest import randomize, transformers

V, D = 61, 32
PAD, EOS, START = 0, 1, 0
FIELDS = (
    "vocab_size", "d_model", "d_kv", "d_ff", "num_layers", "num_decoder_layers", "num_heads",
    "relative_attention_num_buckets", "relative_attention_max_distance", "dropout_rate",
    "layer_norm_epsilon", "feed_forward_proj", "is_gated_act", "dense_act_fn",
)  # fmt: skip
"""The T5Config attributes that change the computation (compared after a round trip)."""
V11 = {"feed_forward_proj": "gated-gelu", "tie_word_embeddings": False}
"""T5 v1.1 / flan-t5: no d_model^-0.5 before the head (transformers >= 5 still ties a fresh
model's head to `shared` and says scale_decoder_outputs false; see `untie`)."""


def scaled(config: Any) -> bool:
    """Whether T5 multiplies the decoder output by d_model^-0.5 (T5 1.0's tied head)."""
    return getattr(config, "scale_decoder_outputs", config.tie_word_embeddings)


def t5_config(**changes: Any) -> Any:
    fields = dict(
        vocab_size=V, d_model=D, d_kv=8, d_ff=64, num_layers=2, num_decoder_layers=3,
        num_heads=4, relative_attention_num_buckets=16, relative_attention_max_distance=20,
        dropout_rate=0.0, layer_norm_epsilon=1e-6, feed_forward_proj="relu",
        pad_token_id=PAD, eos_token_id=EOS, decoder_start_token_id=START,
    )  # fmt: skip
    config = transformers.T5Config(**(fields | changes))  # it derives is_gated_act
    config._attn_implementation = "eager"
    return config


def hf_t5(seed: int = 0, **changes: Any) -> Any:
    torch.manual_seed(seed)  # the HF initial weights do not depend on the tests run before
    hf = transformers.T5ForConditionalGeneration(t5_config(**changes)).eval()
    randomize(hf, seed)
    if not scaled(hf.config):  # logits of T5 1.0's size: at |25| 1e-5 would be float noise
        with torch.no_grad():
            hf.decoder.final_layer_norm.weight.mul_(D**-0.5)
    return hf


def untie(hf: Any, seed: int = 7) -> Any:
    """Give `hf` an lm_head of its own, as a T5 v1.1 checkpoint has (its separate
    lm_head.weight): transformers >= 5 builds the head tied and unties it only on loading
    weights where the two differ."""
    g = torch.Generator().manual_seed(seed)
    weight = hf.shared.weight.detach().clone() + torch.randn(hf.shared.weight.shape, generator=g)
    hf.lm_head.weight = torch.nn.Parameter(weight)
    assert hf.lm_head.weight is not hf.shared.weight
    return hf
