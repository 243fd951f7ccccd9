"""GPT-2 (Radford et al. 2019) as Hugging Face's GPT2LMHeadModel.

Pre-LayerNorm blocks with a final LayerNorm, learned positions, biases everywhere except the
output projection, which is tied to the token embedding unless tie_word_embeddings is false.
GPT-2's Conv1D layers store their weights as (in, out), the transpose of nn.Linear's; c_attn's
output is [q | k | v], as archspec's fused qkv is.

Ignored on purpose (no effect on the logits): summary_* (the classification head of
GPT2DoubleHeadsModel), reorder_and_upcast_attn (fp16 numerics only), n_ctx (an old alias of
n_positions), plus the fields every family ignores (archspec/interop/hf/fields.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from archspec.interop.hf.expect import Expect
from archspec.interop.hf.family import register
from archspec.interop.hf.fields import Fields

ACTIVATIONS = {"gelu_new": "gelu_tanh", "gelu_pytorch_tanh": "gelu_tanh", "gelu": "gelu",
               "relu": "relu"}  # fmt: skip
"""HF activation_function -> archspec activation."""

_IGNORED = (
    "summary_type",
    "summary_use_proj",
    "summary_activation",
    "summary_proj_to_labels",
    "summary_first_dropout",
    "reorder_and_upcast_attn",
    "n_ctx",
)

_LAYER = [  # (archspec name, HF name, Conv1D)
    ("self_attn.norm", "ln_1", False),
    ("ffn.norm", "ln_2", False),
    ("self_attn.sublayer.qkv", "attn.c_attn", True),
    ("self_attn.sublayer.out", "attn.c_proj", True),
    ("ffn.sublayer.w_in", "mlp.c_fc", True),
    ("ffn.sublayer.w_out", "mlp.c_proj", True),
]


class GPT2:
    model_types: tuple[str, ...] = ("gpt2",)
    model_kind: str = "decoder"
    """The archspec model kind this family's HF class is."""

    def to_recipe(self, config: Mapping[str, Any]) -> dict[str, Any]:
        f = Fields(config, "gpt2")
        d, positions = f.get("n_embd", 768), f.get("n_positions", 1024)
        act = f.only("activation_function", ACTIVATIONS, "gelu_new")
        f.only("scale_attn_weights", [True], True)
        f.only("scale_attn_by_inverse_layer_idx", [False], False)
        model = {
            "kind": "decoder",
            "d_model": d,
            "heads": f.get("n_head", 12),
            "d_ff": f.get("n_inner") or 4 * d,
            "activation": ACTIVATIONS.get(act, act),
            "vocab_size": f.get("vocab_size", 50257),
            "max_len": positions,
            "positional": {"kind": "learned", "max_len": positions},
            "norm": {
                "kind": "layernorm",
                "placement": "pre",
                "eps": f.get("layer_norm_epsilon", 1e-5),
            },
            "dropout": {
                "residual": f.get("resid_pdrop", 0.1),
                "attention": f.get("attn_pdrop", 0.1),
                "embedding": f.get("embd_pdrop", 0.1),
            },
            "embed_scale": False,
            "bias": True,
            "tying": "decoder" if f.get("tie_word_embeddings", True) else "none",
            "decoder": {"layers": f.get("n_layer", 12)},
        }
        f.finish(_IGNORED)
        return model

    def from_recipe(self, model: Any) -> dict[str, Any]:
        e = Expect("GPT2LMHeadModel")
        e.equal("kind", model.kind, "decoder")
        if model.kind == "decoder":
            _check(e, model)
        e.done()
        act = {"gelu_tanh": "gelu_new", "gelu": "gelu", "relu": "relu"}[model.activation]
        return {
            "model_type": "gpt2",
            "architectures": ["GPT2LMHeadModel"],
            "vocab_size": model.vocab_size,
            "n_positions": model.positional.max_len,
            "n_embd": model.d_model,
            "n_layer": model.decoder.layers,
            "n_head": model.heads,
            "n_inner": model.d_ff,
            "activation_function": act,
            "resid_pdrop": model.dropout.residual,
            "embd_pdrop": model.dropout.embedding,
            "attn_pdrop": model.dropout.attention,
            "layer_norm_epsilon": model.norm.eps,
            "scale_attn_weights": True,
            "tie_word_embeddings": model.tying == "decoder",
        }

    def weights_in(self, state: Mapping[str, Any], model: Any) -> dict[str, Any]:
        out = {ours: _conv(state[theirs], conv) for ours, theirs, conv in _names(model)}
        tied = model.tying == "decoder"
        out["output.weight"] = state["transformer.wte.weight" if tied else "lm_head.weight"]
        return out

    def weights_out(self, state: Mapping[str, Any], model: Any) -> dict[str, Any]:
        out = {theirs: _conv(state[ours], conv) for ours, theirs, conv in _names(model)}
        if model.tying != "decoder":
            out["lm_head.weight"] = state["output.weight"]
        return out


def _names(model: Any) -> Iterator[tuple[str, str, bool]]:
    """(archspec name, HF name, stored transposed by HF's Conv1D) of every tensor but the head,
    the one table both directions read."""
    yield "embed.tokens.weight", "transformer.wte.weight", False
    yield "embed.positions.weight", "transformer.wpe.weight", False
    yield "decoder.norm.weight", "transformer.ln_f.weight", False
    yield "decoder.norm.bias", "transformer.ln_f.bias", False
    for i in range(model.decoder.layers):
        h, o = f"transformer.h.{i}.", f"decoder.layers.{i}."
        for ours, theirs, conv in _LAYER:
            yield f"{o}{ours}.weight", f"{h}{theirs}.weight", conv
            yield f"{o}{ours}.bias", f"{h}{theirs}.bias", False


def _conv(w: Any, transposed: bool) -> Any:
    """A Conv1D weight [in, out] as a Linear weight [out, in] (its own inverse)."""
    return w.t().contiguous() if transposed else w


def _check(e: Expect, model: Any) -> None:
    d_head = model.d_model // model.heads
    e.equal("positional.kind", model.positional.kind, "learned")
    if model.positional.kind == "learned":
        e.equal("positional.offset", model.positional.offset, 0)
    e.equal("norm.kind", model.norm.kind, "layernorm")
    e.equal("norm.placement", model.norm.placement, "pre")
    if model.norm.kind == "layernorm":
        e.equal("norm.bias", model.norm.bias, None, True)
    e.equal("block.kind", model.block.kind, "sequential")
    e.equal("activation", model.activation, "gelu_tanh", "gelu", "relu")
    e.equal("bias", model.bias, True)
    e.equal("ffn_bias", model.ffn_bias, None, True)
    e.equal("embed_scale", model.embed_scale, False)
    e.equal("embed_norm", model.embed_norm, False)
    e.equal("output_scale", model.output_scale, 1.0)
    e.equal("d_k", model.d_k, d_head)
    e.equal("d_v", model.d_v, d_head)
    a = model.attention
    e.equal("attention.kind", a.kind, "multihead")
    if a.kind == "multihead":
        e.equal("attention.kv_heads", a.kv_heads, None, model.heads)
        e.equal("attention.scale", a.scale, "default")
        e.equal("attention.qk_norm", a.qk_norm, "none")
        e.equal("attention.qkv_bias", a.qkv_bias, None, True)
        e.equal("attention.out_bias", a.out_bias, None, True)
    e.equal("decoder.mask.kind", model.decoder.mask.kind, "causal")
    if model.decoder.mask.kind == "causal":
        e.equal("decoder.mask.window", model.decoder.mask.window, None)


register(GPT2())
