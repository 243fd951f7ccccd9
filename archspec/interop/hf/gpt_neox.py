"""GPT-NeoX (Black et al. 2022; Pythia) as Hugging Face's GPTNeoXForCausalLM.

Pre-LayerNorm with a final LayerNorm; parallel blocks x + Attn(LN1(x)) + FFN(LN2(x)) when
use_parallel_residual (else sequential); partial rotary (partial_rotary_factor of each head's
dims, split-halves pairing); biases on every projection and norm, an untied head (embed_out)
without bias. HF fuses q, k and v per head ([q_h | k_h | v_h] for each head h); archspec's
qkv is [q | k | v]: the mapping regroups the rows.

Ignored on purpose (no effect on the logits): classifier_dropout (the sequence-classification
head), is_decoder (the class is causal either way), plus the fields every family ignores
(archspec/interop/hf/fields.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from archspec.interop.hf.expect import Expect
from archspec.interop.hf.family import register
from archspec.interop.hf.fields import Fields, rope_of, rope_out
from archspec.interop.hf.gpt2 import ACTIVATIONS

_LAYER = [
    ("self_attn.norm", "input_layernorm"),
    ("ffn.norm", "post_attention_layernorm"),
    ("self_attn.sublayer.out", "attention.dense"),
    ("ffn.sublayer.w_in", "mlp.dense_h_to_4h"),
    ("ffn.sublayer.w_out", "mlp.dense_4h_to_h"),
]


class GPTNeoX:
    model_types: tuple[str, ...] = ("gpt_neox",)
    model_kind: str = "decoder"
    """The archspec model kind this family's HF class is."""

    def to_recipe(self, config: Mapping[str, Any]) -> dict[str, Any]:
        f = Fields(config, "gpt_neox")
        act = f.only("hidden_act", ACTIVATIONS, "gelu")
        rope = rope_of(f)
        if f.has("rotary_pct"):  # transformers < 5 spelling
            rope["fraction"] = float(f.get("rotary_pct"))
        if f.has("rotary_emb_base"):
            rope["base"] = float(f.get("rotary_emb_base"))
        rope.setdefault("fraction", 0.25)
        hidden_dropout = f.get("hidden_dropout", 0.0)
        model: dict[str, Any] = {
            "kind": "decoder",
            "d_model": f.get("hidden_size", 6144),
            "heads": f.get("num_attention_heads", 64),
            "d_ff": f.get("intermediate_size", 24576),
            "activation": ACTIVATIONS.get(act, act),
            "vocab_size": f.get("vocab_size", 50432),
            "max_len": f.get("max_position_embeddings", 2048),
            "positional": {"kind": "rotary", "pairing": "halves", **rope},
            "norm": {"kind": "layernorm", "placement": "pre", "eps": f.get("layer_norm_eps", 1e-5)},
            "dropout": {
                "residual": hidden_dropout,
                "attention": f.get("attention_dropout", 0.0),
                "embedding": hidden_dropout,
            },
            "embed_scale": False,
            "bias": True,
            "tying": "decoder" if f.get("tie_word_embeddings", False) else "none",
            "decoder": {"layers": f.get("num_hidden_layers", 44)},
        }
        if f.get("use_parallel_residual", True):
            model["block"] = {"kind": "parallel"}
        if not f.get("attention_bias", True):
            model["attention"] = {"kind": "multihead", "qkv_bias": False, "out_bias": False}
        f.finish(("classifier_dropout", "is_decoder"))
        return model

    def from_recipe(self, model: Any) -> dict[str, Any]:
        e = Expect("GPTNeoXForCausalLM")
        e.equal("kind", model.kind, "decoder")
        if model.kind == "decoder":
            _check(e, model)
        e.done()
        act = {"gelu_tanh": "gelu_new", "gelu": "gelu", "relu": "relu"}[model.activation]
        return {
            "model_type": "gpt_neox",
            "architectures": ["GPTNeoXForCausalLM"],
            "vocab_size": model.vocab_size,
            "hidden_size": model.d_model,
            "num_hidden_layers": model.decoder.layers,
            "num_attention_heads": model.heads,
            "intermediate_size": model.d_ff,
            "hidden_act": act,
            "max_position_embeddings": model.max_len,
            "layer_norm_eps": model.norm.eps,
            "use_parallel_residual": model.block.kind == "parallel",
            "attention_bias": _attention_bias(model),
            "hidden_dropout": model.dropout.residual,
            "attention_dropout": model.dropout.attention,
            "tie_word_embeddings": model.tying == "decoder",
            "rotary_pct": model.positional.fraction,
            "rotary_emb_base": model.positional.base,
            **rope_out(model.positional),
        }

    def weights_in(self, state: Mapping[str, Any], model: Any) -> dict[str, Any]:
        out = {
            "embed.tokens.weight": state["gpt_neox.embed_in.weight"],
            "decoder.norm.weight": state["gpt_neox.final_layer_norm.weight"],
            "decoder.norm.bias": state["gpt_neox.final_layer_norm.bias"],
        }
        head = "embed_out.weight" if "embed_out.weight" in state else "lm_head.weight"
        tied = model.tying == "decoder"
        out["output.weight"] = state["gpt_neox.embed_in.weight" if tied else head]
        heads = model.heads
        for i in range(model.decoder.layers):
            h, o = f"gpt_neox.layers.{i}.", f"decoder.layers.{i}."
            for part in _parts(model, "qkv"):
                w = state[f"{h}attention.query_key_value.{part}"]
                out[f"{o}self_attn.sublayer.qkv.{part}"] = _regroup(w, heads, 3)
            for ours, theirs in _LAYER:
                for part in _parts(model, ours):
                    out[f"{o}{ours}.{part}"] = state[f"{h}{theirs}.{part}"]
        return out

    def weights_out(self, state: Mapping[str, Any], model: Any) -> dict[str, Any]:
        out = {
            "gpt_neox.embed_in.weight": state["embed.tokens.weight"],
            "gpt_neox.final_layer_norm.weight": state["decoder.norm.weight"],
            "gpt_neox.final_layer_norm.bias": state["decoder.norm.bias"],
        }
        if model.tying != "decoder":
            out["embed_out.weight"] = state["output.weight"]
        for i in range(model.decoder.layers):
            h, o = f"gpt_neox.layers.{i}.", f"decoder.layers.{i}."
            for part in _parts(model, "qkv"):
                w = state[f"{o}self_attn.sublayer.qkv.{part}"]
                out[f"{h}attention.query_key_value.{part}"] = _regroup(w, 3, model.heads)
            for ours, theirs in _LAYER:
                for part in _parts(model, ours):
                    out[f"{h}{theirs}.{part}"] = state[f"{o}{ours}.{part}"]
        return out


def _regroup(w: Any, outer: int, inner: int) -> Any:
    """Rows [outer x inner x Dh] -> [inner x outer x Dh] (per-head qkv <-> [q | k | v])."""
    d_head = w.shape[0] // (outer * inner)
    return w.reshape(outer, inner, d_head, *w.shape[1:]).transpose(0, 1).reshape(w.shape)


def _attention_bias(model: Any) -> bool:
    a = model.attention
    return bool(a.qkv_bias is not False and a.out_bias is not False)


def _parts(model: Any, name: str) -> tuple[str, ...]:
    attention = name == "qkv" or name == "self_attn.sublayer.out"
    if attention and not _attention_bias(model):
        return ("weight",)
    return ("weight", "bias")


def _check(e: Expect, model: Any) -> None:
    a, p = model.attention, model.positional
    d_head = model.d_model // model.heads
    e.equal("positional.kind", p.kind, "rotary")
    if p.kind == "rotary":
        e.equal("positional.pairing", p.pairing, "halves")
        e.equal("positional.scaling", p.scaling, 1.0)
    e.equal("norm.kind", model.norm.kind, "layernorm")
    e.equal("norm.placement", model.norm.placement, "pre")
    if model.norm.kind == "layernorm":
        e.equal("norm.bias", model.norm.bias, None, True)
    if model.block.kind == "parallel":
        e.equal("block.shared_norm", model.block.shared_norm, False)
    e.equal("activation", model.activation, "gelu_tanh", "gelu", "relu")
    e.equal("bias", model.bias, True)
    e.equal("ffn_bias", model.ffn_bias, None, True)
    e.equal("embed_scale", model.embed_scale, False)
    e.equal("embed_norm", model.embed_norm, False)
    e.equal("output_scale", model.output_scale, 1.0)
    e.equal("d_k", model.d_k, d_head)
    e.equal("d_v", model.d_v, d_head)
    e.equal("dropout.embedding", model.dropout.embedding, model.dropout.residual)
    e.equal("attention.kind", a.kind, "multihead")
    if a.kind == "multihead":
        e.equal("attention.kv_heads", a.kv_heads, None, model.heads)
        e.equal("attention.scale", a.scale, "default")
        e.equal("attention.qk_norm", a.qk_norm, "none")
        if (a.qkv_bias is False) != (a.out_bias is False):
            e.fail("model.attention: GPT-NeoX's attention_bias sets q, k, v and W^O together")
    e.equal("decoder.mask.kind", model.decoder.mask.kind, "causal")
    if model.decoder.mask.kind == "causal":
        e.equal("decoder.mask.window", model.decoder.mask.window, None)


register(GPTNeoX())
