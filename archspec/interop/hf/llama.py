"""LLaMA (Touvron et al. 2023) and its relatives as Hugging Face's LlamaForCausalLM,
MistralForCausalLM and Qwen2ForCausalLM.

Pre-RMSNorm blocks with a final norm, a gated FFN (SwiGLU for hidden_act silu), rotary
positions with split-halves pairing, grouped-query attention (num_key_value_heads), no biases
(LLaMA: attention_bias and mlp_bias; Qwen2: biases on q, k and v only), an untied head unless
tie_word_embeddings. Mistral adds a causal window (sliding_window). HF keeps q_proj, k_proj and
v_proj apart and the FFN's gate_proj and up_proj apart; archspec fuses [q | k | v] and
[gate | up].

Ignored on purpose (no effect on the logits): pretraining_tp (a tensor-parallel split of the
same product), max_window_layers and sliding_window when Qwen2's use_sliding_window is false,
plus the fields every family ignores (archspec/interop/hf/fields.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from archspec.interop.hf.expect import Expect
from archspec.interop.hf.family import register
from archspec.interop.hf.fields import Fields, rope_of, rope_out

GATED = {"silu": "swiglu", "gelu": "geglu", "gelu_pytorch_tanh": "geglu_tanh", "relu": "reglu"}
"""HF hidden_act of the gated MLP -> archspec activation."""

ARCHITECTURES = {
    "llama": "LlamaForCausalLM",
    "mistral": "MistralForCausalLM",
    "qwen2": "Qwen2ForCausalLM",
}

_NORMS = [("self_attn.norm", "input_layernorm"), ("ffn.norm", "post_attention_layernorm")]


class Llama:
    model_types: tuple[str, ...] = tuple(ARCHITECTURES)
    model_kind: str = "decoder"
    """The archspec model kind this family's HF class is."""

    def to_recipe(self, config: Mapping[str, Any]) -> dict[str, Any]:
        model_type = config.get("model_type", "llama")
        f = Fields(config, model_type)
        d, heads = f.get("hidden_size", 4096), f.get("num_attention_heads", 32)
        head_dim = f.get("head_dim") or d // heads
        act = f.only("hidden_act", GATED, "silu")
        rope = rope_of(f)
        attention: dict[str, Any] = {"kind": "multihead"}
        kv = f.get("num_key_value_heads") or heads
        if kv != heads:
            attention["kv_heads"] = kv
        if model_type == "qwen2":
            attention.update(qkv_bias=True, out_bias=False)
            mlp_bias = False
        else:
            if f.get("attention_bias", False):
                attention.update(qkv_bias=True, out_bias=True)
            mlp_bias = bool(f.get("mlp_bias", False))
        model: dict[str, Any] = {
            "kind": "decoder",
            "d_model": d,
            "heads": heads,
            "d_ff": f.get("intermediate_size", 11008),
            "activation": GATED.get(act, act),
            "vocab_size": f.get("vocab_size", 32000),
            "tying": "decoder" if f.get("tie_word_embeddings", False) else "none",
            "max_len": f.get("max_position_embeddings", 2048),
            "bias": False,
            "embed_scale": False,
            "positional": {"kind": "rotary", "pairing": "halves", **rope},
            "norm": {"kind": "rmsnorm", "placement": "pre", "eps": f.get("rms_norm_eps", 1e-6)},
            "attention": attention,
            "dropout": {
                "residual": 0.0,
                "attention": f.get("attention_dropout", 0.0),
                "embedding": 0.0,
            },
            "decoder": {"layers": f.get("num_hidden_layers", 32)},
        }
        if mlp_bias:
            model["ffn_bias"] = True
        if head_dim != d // heads:
            model.update(d_k=head_dim, d_v=head_dim)
        window = _window(f, model_type)
        if window is not None:
            model["decoder"]["mask"] = {"kind": "causal", "window": window}
        f.finish()
        return model

    def from_recipe(self, model: Any) -> dict[str, Any]:
        e = Expect("LlamaForCausalLM")
        e.equal("kind", model.kind, "decoder")
        if model.kind == "decoder":
            _check(e, model)
        e.done()
        a, window = model.attention, model.decoder.mask.window
        biased = bool(a.qkv_bias)
        model_type = "mistral" if window else "qwen2" if biased and not a.out_bias else "llama"
        act = {v: k for k, v in GATED.items()}[model.activation]
        config: dict[str, Any] = {
            "model_type": model_type,
            "architectures": [ARCHITECTURES[model_type]],
            "vocab_size": model.vocab_size,
            "hidden_size": model.d_model,
            "intermediate_size": model.d_ff,
            "num_hidden_layers": model.decoder.layers,
            "num_attention_heads": model.heads,
            "num_key_value_heads": a.kv_heads or model.heads,
            "head_dim": model.d_k,
            "hidden_act": act,
            "max_position_embeddings": model.max_len,
            "rms_norm_eps": model.norm.eps,
            "tie_word_embeddings": model.tying == "decoder",
            "attention_dropout": model.dropout.attention,
            **rope_out(model.positional),
        }
        if model_type == "llama":
            config.update(attention_bias=biased, mlp_bias=bool(model.ffn_bias))
        elif model_type == "mistral":
            config["sliding_window"] = window
        else:
            config.update(use_sliding_window=False, sliding_window=None)
        return config

    def weights_in(self, state: Mapping[str, Any], model: Any) -> dict[str, Any]:
        import torch

        out = {
            "embed.tokens.weight": state["model.embed_tokens.weight"],
            "decoder.norm.weight": state["model.norm.weight"],
        }
        tied = model.tying == "decoder" or "lm_head.weight" not in state
        out["output.weight"] = state["model.embed_tokens.weight" if tied else "lm_head.weight"]
        for i in range(model.decoder.layers):
            h, o = f"model.layers.{i}.", f"decoder.layers.{i}."
            for part in _parts(model):
                out[f"{o}self_attn.sublayer.qkv.{part}"] = torch.cat(
                    [state[f"{h}self_attn.{p}_proj.{part}"] for p in "qkv"]
                )
            for part in ("weight", "bias") if _out_bias(model) else ("weight",):
                out[f"{o}self_attn.sublayer.out.{part}"] = state[f"{h}self_attn.o_proj.{part}"]
            for part in ("weight", "bias") if model.ffn_bias else ("weight",):
                out[f"{o}ffn.sublayer.w_in.{part}"] = torch.cat(
                    [state[f"{h}mlp.gate_proj.{part}"], state[f"{h}mlp.up_proj.{part}"]]
                )
                out[f"{o}ffn.sublayer.w_out.{part}"] = state[f"{h}mlp.down_proj.{part}"]
            for ours, theirs in _NORMS:
                out[f"{o}{ours}.weight"] = state[f"{h}{theirs}.weight"]
        return out

    def weights_out(self, state: Mapping[str, Any], model: Any) -> dict[str, Any]:
        out = {
            "model.embed_tokens.weight": state["embed.tokens.weight"],
            "model.norm.weight": state["decoder.norm.weight"],
        }
        if model.tying != "decoder":
            out["lm_head.weight"] = state["output.weight"]
        q = model.heads * model.d_k
        kv = (model.attention.kv_heads or model.heads) * model.d_k
        for i in range(model.decoder.layers):
            h, o = f"model.layers.{i}.", f"decoder.layers.{i}."
            for part in _parts(model):
                fused = state[f"{o}self_attn.sublayer.qkv.{part}"]
                for p, chunk in zip("qkv", fused.split([q, kv, kv]), strict=True):
                    out[f"{h}self_attn.{p}_proj.{part}"] = chunk.contiguous()
            for part in ("weight", "bias") if _out_bias(model) else ("weight",):
                out[f"{h}self_attn.o_proj.{part}"] = state[f"{o}self_attn.sublayer.out.{part}"]
            for part in ("weight", "bias") if model.ffn_bias else ("weight",):
                gate, up = state[f"{o}ffn.sublayer.w_in.{part}"].chunk(2)
                out[f"{h}mlp.gate_proj.{part}"] = gate.contiguous()
                out[f"{h}mlp.up_proj.{part}"] = up.contiguous()
                out[f"{h}mlp.down_proj.{part}"] = state[f"{o}ffn.sublayer.w_out.{part}"]
            for ours, theirs in _NORMS:
                out[f"{h}{theirs}.weight"] = state[f"{o}{ours}.weight"]
        return out


def _parts(model: Any) -> tuple[str, ...]:
    qkv_bias = model.attention.qkv_bias
    return ("weight", "bias") if (model.bias if qkv_bias is None else qkv_bias) else ("weight",)


def _out_bias(model: Any) -> bool:
    out_bias = model.attention.out_bias
    return bool(model.bias if out_bias is None else out_bias)


def _window(f: Fields, model_type: str) -> int | None:
    """The causal window: Mistral's sliding_window; Qwen2's only with use_sliding_window."""
    layer_types = f.get("layer_types")
    if layer_types and any(t != "full_attention" for t in layer_types) and model_type != "mistral":
        f.unsupported("layer_types other than full_attention on every layer")
    if model_type == "qwen2":
        if f.get("use_sliding_window", False):
            f.unsupported("use_sliding_window=True (Qwen2's window on some layers only)")
        f.get("sliding_window")
        f.get("max_window_layers")
        return None
    if model_type == "mistral":
        return f.get("sliding_window")
    return None


def _check(e: Expect, model: Any) -> None:
    a, p = model.attention, model.positional
    e.equal("positional.kind", p.kind, "rotary")
    if p.kind == "rotary":
        e.equal("positional.pairing", p.pairing, "halves")
        e.equal("positional.fraction", p.fraction, 1.0)
    e.equal("norm.kind", model.norm.kind, "rmsnorm")
    e.equal("norm.placement", model.norm.placement, "pre")
    e.equal("block.kind", model.block.kind, "sequential")
    e.equal("activation", model.activation, *GATED.values())
    e.equal("bias", model.bias, False)
    e.equal("embed_scale", model.embed_scale, False)
    e.equal("embed_norm", model.embed_norm, False)
    e.equal("output_scale", model.output_scale, 1.0)
    e.equal("d_v", model.d_v, model.d_k)
    e.equal("dropout.residual", model.dropout.residual, 0.0)
    e.equal("dropout.embedding", model.dropout.embedding, 0.0)
    e.equal("attention.kind", a.kind, "multihead")
    if a.kind != "multihead":
        return
    e.equal("attention.scale", a.scale, "default")
    e.equal("attention.qk_norm", a.qk_norm, "none")
    e.equal("decoder.mask.kind", model.decoder.mask.kind, "causal")
    qkv, out = bool(a.qkv_bias), _out_bias(model)
    if (qkv, out) not in {(False, False), (True, True), (True, False)}:
        e.fail("model.attention: a bias on W^O without biases on q, k, v (no HF class has it)")
    window = getattr(model.decoder.mask, "window", None)
    if window and qkv:
        e.fail("model.decoder.mask.window with attention biases (Mistral has no biases)")
    if window and model.ffn_bias:
        e.fail("model.decoder.mask.window with ffn_bias (Mistral has no MLP biases)")
    if qkv and not out and model.ffn_bias:
        e.fail("model.ffn_bias with q, k, v biases but none on W^O (Qwen2 has no MLP biases)")


register(Llama())
