"""BART (model_type "bart"): BartConfig <-> an archspec encoder-decoder with post-LayerNorm
layers (eps 1e-5, fixed by HF), learned positions offset by 2 in each stack, an embedding
LayerNorm in each stack and one token table shared by both stacks and the output.

Exports to BartForConditionalGeneration: archspec's encoder-decoder ends in the (tied) output
projection, i.e. target logits, which BartModel lacks. Its final_logits_bias is a buffer of
zeros: weights_out writes zeros, weights_in refuses one that is not all zero (archspec's
output projection has no bias). Imports BartForConditionalGeneration's names and BartModel's
(no "model." prefix and no lm_head: the tied head reads the shared table).

Config fields mapped: vocab_size, d_model, encoder_layers, decoder_layers,
encoder/decoder_attention_heads and encoder/decoder_ffn_dim (each pair must be equal: archspec
has one value), activation_function (gelu, gelu_new, relu), dropout (residual and embedding),
attention_dropout, max_position_embeddings, scale_embedding (embed_scale); hidden_size,
num_attention_heads and num_hidden_layers are read as HF's aliases of d_model and the encoder's
fields. Refused unless the default: tie_word_embeddings (true), is_encoder_decoder (true),
is_decoder (false: BartForCausalLM's decoder alone), encoder/decoder_layerdrop (0), and the
pre-4.0 fields normalize_before, add_final_layer_norm, add_bias_logits,
static_position_embeddings (false), normalize_embedding (true), extra_pos_embeddings (2).
Ignored on purpose: IGNORED below, with why, plus the fields every family ignores (token ids,
generation settings, ...: archspec/interop/hf/fields.py); any other field is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from archspec.errors import ArchspecError
from archspec.interop.hf import enc_common as common
from archspec.interop.hf.family import Unsupported, register
from archspec.interop.hf.fields import Fields

EPS = 1e-5
"""BART's LayerNorm epsilon (nn.LayerNorm's default; not a config field)."""
OFFSET = 2
"""Rows before position 0 in BartLearnedPositionalEmbedding."""
ALIASES = {
    "hidden_size": "d_model",
    "num_attention_heads": "encoder_attention_heads",
    "num_hidden_layers": "encoder_layers",
}
"""BartConfig's attribute_map: another name -> the field it sets."""
IGNORED = {
    "activation_dropout": "a dropout after the feed-forward activation: training only",
    "classifier_dropout": "the dropout of BartForSequenceClassification's head: training only",
    "classif_dropout": "classifier_dropout's name before transformers 4",
    "_num_labels": "the size of a classification head, which the import does not read",
    "init_std": "initialisation only (the weights are loaded)",
    "force_bos_token_to_be_generated": "a generation setting (forced_bos_token_id's old form)",
}
"""BartConfig fields that do not change BartForConditionalGeneration's logits, and why."""


class Bart:
    model_types: tuple[str, ...] = ("bart",)
    model_kind: str = "encoder-decoder"
    """The archspec model kind this family's HF class is."""

    def to_recipe(self, config: Mapping[str, Any]) -> dict[str, Any]:
        r = Fields(config, "bart")
        r.aliases(ALIASES)
        r.only("tie_word_embeddings", (True,), True, ": the head is the shared table")
        r.only("is_encoder_decoder", (True,), True)
        r.only("is_decoder", (False,), False, ": BartForCausalLM, a decoder alone")
        for key in ("encoder_layerdrop", "decoder_layerdrop"):
            r.only(key, (0, 0.0), 0.0)
        for key in ("normalize_before", "add_final_layer_norm", "add_bias_logits"):
            r.only(key, (False,), False)
        r.only("static_position_embeddings", (False,), False)
        r.only("normalize_embedding", (True,), True)
        r.only("extra_pos_embeddings", (OFFSET,), OFFSET)
        rows = r.need("max_position_embeddings")
        dropout = r.get("dropout", 0.1)
        model = {
            "kind": "encoder-decoder",
            "d_model": r.need("d_model"),
            "heads": r.same(("encoder_attention_heads", "decoder_attention_heads"), 16),
            "d_ff": r.same(("encoder_ffn_dim", "decoder_ffn_dim"), 4096),
            "activation": common.activation(r, "activation_function", "gelu"),
            "vocab_size": r.need("vocab_size"),
            "max_len": rows,
            "positional": {"kind": "learned", "max_len": rows, "offset": OFFSET},
            "norm": {"kind": "layernorm", "placement": "post", "eps": EPS},
            "dropout": {
                "residual": dropout,
                "attention": r.get("attention_dropout", 0.0),
                "embedding": dropout,
            },
            "embed_scale": bool(r.get("scale_embedding", False)),
            "embed_norm": True,
            "bias": True,
            "tying": "all",
            "encoder": {"layers": r.need("encoder_layers")},
            "decoder": {"layers": r.need("decoder_layers")},
        }
        r.finish(IGNORED)
        return model

    def from_recipe(self, model: Any) -> dict[str, Any]:
        p = common.Parts(model, "BartForConditionalGeneration")
        p.want(model.kind == "encoder-decoder", f"kind {model.kind} (encoder-decoder only)")
        if model.kind != "encoder-decoder":
            p.done()
        p.common(norm="layernorm", placement="post", bias=True)
        p.want(model.norm.eps == EPS, f"norm.eps {model.norm.eps} (BART's is {EPS})")
        positional = model.positional
        p.want(positional.kind == "learned", f"positional.kind {positional.kind}")
        if positional.kind == "learned":
            p.want(positional.offset == OFFSET, f"positional.offset {positional.offset} (2)")
        p.want(model.activation in common.ARCHSPEC_ACTIVATIONS, f"activation {model.activation}")
        p.want(model.embed_norm, "embed_norm false (each stack's embedding LayerNorm)")
        p.want(model.tying == "all", f"tying {model.tying} (all: one shared table)")
        p.want(model.output_factor == 1.0, f"output_scale {model.output_scale}")
        dropout = common.single_dropout(p, ("residual", "embedding"))
        p.done()
        heads, ffn = model.heads, model.d_ff
        return {
            "model_type": "bart",
            "architectures": ["BartForConditionalGeneration"],
            "vocab_size": model.vocab_size,
            "d_model": model.d_model,
            "encoder_layers": model.encoder.layers,
            "decoder_layers": model.decoder.layers,
            "encoder_attention_heads": heads,
            "decoder_attention_heads": heads,
            "encoder_ffn_dim": ffn,
            "decoder_ffn_dim": ffn,
            "activation_function": common.ARCHSPEC_ACTIVATIONS[model.activation],
            "dropout": dropout,
            "attention_dropout": model.dropout.attention,
            "activation_dropout": 0.0,
            "max_position_embeddings": positional.max_len,
            "scale_embedding": model.embed_scale,
            "tie_word_embeddings": True,
            "pad_token_id": 1,
            "bos_token_id": 0,
            "eos_token_id": 2,
            "decoder_start_token_id": 2,
            "forced_eos_token_id": 2,
            "is_encoder_decoder": True,
        }

    def names(self, model: Any) -> common.Table:
        table: common.Table = [
            ("src_embed.tokens.weight", ("model.shared.weight",)),
            ("tgt_embed.tokens.weight", ("model.shared.weight",)),
            ("output.weight", ("model.shared.weight",)),
            # written on the way out only (tied to model.shared in HF): the same tensor
            ("src_embed.tokens.weight", ("model.encoder.embed_tokens.weight",)),
            ("tgt_embed.tokens.weight", ("model.decoder.embed_tokens.weight",)),
            ("output.weight", ("lm_head.weight",)),
        ]
        for ours, stack in (("src_embed", "encoder"), ("tgt_embed", "decoder")):
            table.append((f"{ours}.positions.weight", (f"model.{stack}.embed_positions.weight",)))
            for part in ("weight", "bias"):
                table.append(
                    (f"{ours}.norm.{part}", (f"model.{stack}.layernorm_embedding.{part}",))
                )
        for stack, layers in (("encoder", model.encoder.layers), ("decoder", model.decoder.layers)):
            for i in range(layers):
                h, o = f"model.{stack}.layers.{i}.", f"{stack}.layers.{i}."
                pairs = [
                    ("self_attn.sublayer.out", "self_attn.out_proj"),
                    ("self_attn.norm", "self_attn_layer_norm"),
                    ("ffn.sublayer.w_in", "fc1"),
                    ("ffn.sublayer.w_out", "fc2"),
                    ("ffn.norm", "final_layer_norm"),
                ]
                if stack == "decoder":
                    pairs += [
                        ("cross_attn.sublayer.q", "encoder_attn.q_proj"),
                        ("cross_attn.sublayer.out", "encoder_attn.out_proj"),
                        ("cross_attn.norm", "encoder_attn_layer_norm"),
                    ]
                for part in ("weight", "bias"):
                    qkv = tuple(f"{h}self_attn.{n}_proj.{part}" for n in "qkv")
                    table.append((f"{o}self_attn.sublayer.qkv.{part}", qkv))
                    if stack == "decoder":
                        kv = tuple(f"{h}encoder_attn.{n}_proj.{part}" for n in "kv")
                        table.append((f"{o}cross_attn.sublayer.kv.{part}", kv))
                    for ours, theirs in pairs:
                        table.append((f"{o}{ours}.{part}", (f"{h}{theirs}.{part}",)))
        return table

    def weights_in(self, state: Mapping[str, Any], model: Any) -> dict[str, Any]:
        hf = dict(state)
        if not any(k.startswith("model.") for k in hf):  # BartModel: add the prefix back
            hf = {f"model.{k}": v for k, v in hf.items()}
        shared = hf.get("model.shared.weight")
        if shared is None:
            raise ArchspecError("bart weights: model.shared.weight is missing")
        for tied in ("model.encoder.embed_tokens.weight", "model.decoder.embed_tokens.weight"):
            hf.setdefault(tied, shared)
        hf.setdefault("lm_head.weight", shared)
        bias = hf.pop("final_logits_bias", None)
        if bias is not None and bool(bias.abs().max() > 0):
            raise Unsupported(
                "bart weights archspec cannot express",
                ["final_logits_bias is not zero (archspec's output projection has no bias)"],
            )
        return common.weights_in(self.names(model), hf, "bart")

    def weights_out(self, state: Mapping[str, Any], model: Any) -> dict[str, Any]:
        import torch

        out = common.weights_out(self.names(model), state)
        out["final_logits_bias"] = torch.zeros(1, model.vocab_size)
        return out


register(Bart())
