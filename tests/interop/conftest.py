"""Tiny Hugging Face decoders with random weights, saved with save_pretrained into a folder
(nothing is downloaded)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch

transformers = pytest.importorskip("transformers")

TOL = dict(atol=1e-5, rtol=0.0)
"""fp32 parity: outputs within 1e-5."""

V, MAX_LEN = 61, 32


def _gpt2() -> Any:
    return transformers.GPT2Config(
        vocab_size=V, n_positions=MAX_LEN, n_embd=48, n_layer=2, n_head=4,
        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, bos_token_id=0, eos_token_id=0,
    )  # fmt: skip


def _llama() -> Any:
    return transformers.LlamaConfig(
        vocab_size=V, hidden_size=64, intermediate_size=96, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=MAX_LEN,
        rms_norm_eps=1e-5, bos_token_id=0, eos_token_id=0,
    )  # fmt: skip


def _mistral() -> Any:
    return transformers.MistralConfig(
        vocab_size=V, hidden_size=64, intermediate_size=96, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=1, max_position_embeddings=MAX_LEN,
        sliding_window=5, rms_norm_eps=1e-5, bos_token_id=0, eos_token_id=0,
    )  # fmt: skip


def _qwen2() -> Any:
    return transformers.Qwen2Config(
        vocab_size=V, hidden_size=64, intermediate_size=96, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=MAX_LEN,
        rms_norm_eps=1e-6, tie_word_embeddings=True, bos_token_id=0, eos_token_id=0,
    )  # fmt: skip


def _gpt_neox() -> Any:
    return transformers.GPTNeoXConfig(
        vocab_size=V, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
        intermediate_size=128, max_position_embeddings=MAX_LEN, use_parallel_residual=True,
        rope_parameters={"rope_theta": 10000.0, "partial_rotary_factor": 0.25,
                         "rope_type": "default"},
        bos_token_id=0, eos_token_id=0,
    )  # fmt: skip


CONFIGS: dict[str, Callable[[], Any]] = {
    "gpt2": _gpt2,
    "gpt_neox": _gpt_neox,
    "llama": _llama,
    "mistral": _mistral,
    "qwen2": _qwen2,
}


def randomize(model: torch.nn.Module, seed: int = 0) -> None:
    """Move every weight away from its initial value, so a mis-mapped gain or bias shows."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn(p.shape, generator=g) * 0.1)


def hf_model(name: str) -> Any:
    config = CONFIGS[name]()
    config._attn_implementation = "eager"
    model = transformers.AutoModelForCausalLM.from_config(config).eval()
    randomize(model)
    return model


def saved(name: str, folder: Path) -> Any:
    """A random tiny HF model of family `name`, saved into `folder`; returns the model."""
    model = hf_model(name)
    model.save_pretrained(folder)
    return model


def padded(batch: int, t: int, lengths: list[int], seed: int = 1) -> tuple[Any, Any]:
    """Token ids [B, T] and the pad mask [B, T] (True at padding) of right-padded rows."""
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(3, V, (batch, t), generator=g)
    pad = torch.arange(t)[None, :] >= torch.tensor(lengths)[:, None]
    return ids.masked_fill(pad, 1), pad
