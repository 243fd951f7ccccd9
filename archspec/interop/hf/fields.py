"""Reading a config.json so that no field is dropped silently.

A family reads each field it maps through a `Fields` reader; `finish()` then raises
Unsupported naming every field the family neither read nor listed as ignored. Fields that
never change the computation (bookkeeping, generation defaults, token ids) are ignored for
every family (IGNORED); a family adds its own (e.g. GPT-2's summary_* head settings), as a
mapping from the field to the one-line reason it does not change the network's output.
Every family, decoder, encoder or encoder-decoder, reads through this one class.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from archspec.errors import ArchspecError
from archspec.interop.hf.family import Unsupported

IGNORED: frozenset[str] = frozenset(
    {
        # bookkeeping written by save_pretrained
        "_name_or_path",
        "name_or_path",
        "architectures",
        "model_type",
        "transformers_version",
        "torch_dtype",
        "dtype",
        "_attn_implementation_autoset",
        # initialisation only (the weights are loaded)
        "initializer_range",
        "initializer_factor",
        # outputs requested, caching, return types: the logits are the same
        "use_cache",
        "output_past",  # use_cache's name before transformers 3
        "output_attentions",
        "output_hidden_states",
        "return_dict",
        "torchscript",
        "use_return_dict",
        # token ids and labels: tokenizer and generation settings, not the network
        "bos_token_id",
        "eos_token_id",
        "pad_token_id",
        "sep_token_id",
        "decoder_start_token_id",
        "id2label",
        "label2id",
        "num_labels",
        "problem_type",
        "tokenizer_class",
        "prefix",
        "task_specific_params",
        "finetuning_task",
        # generation defaults (transformers moves them to generation_config.json)
        "max_length",
        "min_length",
        "do_sample",
        "early_stopping",
        "num_beams",
        "num_beam_groups",
        "temperature",
        "top_k",
        "top_p",
        "typical_p",
        "repetition_penalty",
        "length_penalty",
        "no_repeat_ngram_size",
        "bad_words_ids",
        "num_return_sequences",
        "diversity_penalty",
        "forced_bos_token_id",
        "forced_eos_token_id",
        "remove_invalid_values",
        "exponential_decay_length_penalty",
        "suppress_tokens",
        "begin_suppress_tokens",
        "encoder_no_repeat_ngram_size",
        "output_scores",
        "return_dict_in_generate",
        # numerics-free implementation switches
        "gradient_checkpointing",  # recomputes activations in the backward pass: same values
        "chunk_size_feed_forward",
        "tf_legacy_loss",
        "use_bfloat16",
        "pretraining_tp",
    }
)
"""Fields no family maps because they do not change the network's output."""

DEFAULT_OFF: Mapping[str, Any] = {
    "is_encoder_decoder": False,
    "add_cross_attention": False,
    "tie_encoder_decoder": False,
    "cross_attention_hidden_size": None,
    "pruned_heads": {},
    "quantization_config": None,
}
"""Fields that are accepted only at these values (anything else changes the network)."""


class Fields:
    """A config.json being read: `get` marks a field read; `finish` reports the unread.

    A field present as null reads as its default, as HF's config classes fill it in."""

    def __init__(self, config: Mapping[str, Any], family: str) -> None:
        self.config = dict(config)
        self.family = family
        self.read: set[str] = set()
        self.problems: list[str] = []

    def get(self, name: str, default: Any = None) -> Any:
        self.read.add(name)
        value = self.config.get(name)
        return default if value is None else value

    def has(self, name: str) -> bool:
        return name in self.config

    def need(self, name: str) -> Any:
        """A field that has no default: an error when absent."""
        if self.config.get(name) is None:
            raise ArchspecError(f"{self.family} config.json: the field {name!r} is missing")
        return self.get(name)

    def only(self, name: str, allowed: Iterable[Any], default: Any = None, why: str = "") -> Any:
        """The field's value, which must be one of `allowed` (a problem is noted otherwise);
        `why` is added to the note (e.g. ": an encoder")."""
        value = self.get(name, default)
        allowed = list(allowed)
        if value not in allowed:
            shown = ", ".join(map(repr, allowed))
            self.problems.append(f"{name}={value!r} (archspec reads only {shown}{why})")
        return value

    def same(self, names: tuple[str, str], default: Any) -> Any:
        """Two fields archspec has one value for (e.g. encoder and decoder heads)."""
        a, b = (self.get(n, default) for n in names)
        if a != b:
            self.problems.append(
                f"{names[0]}={a!r} != {names[1]}={b!r} (archspec has one value for both stacks)"
            )
        return a

    def aliases(self, names: Mapping[str, str]) -> None:
        """Read alias fields (HF's attribute_map: alias -> the field it sets) as the field
        they name; an alias that disagrees with its field is a problem."""
        for alias, name in names.items():
            if alias not in self.config:
                continue
            self.read.add(alias)
            value = self.config[alias]
            if self.config.get(name) is None:
                self.config[name] = value
            elif self.config[name] != value:
                self.problems.append(
                    f"{alias}={value!r} != {name}={self.config[name]!r} (one field, two values)"
                )

    def unsupported(self, message: str) -> None:
        self.problems.append(message)

    def finish(self, ignored: Iterable[str] = ()) -> None:
        """Raise Unsupported naming every problem and every unread field not ignored
        (`ignored`: field names, or a mapping from each to why it is ignored)."""
        skip = IGNORED | set(ignored)
        for name, value in DEFAULT_OFF.items():
            if name not in self.read and self.config.get(name, value) not in (value, None, {}):
                self.problems.append(f"{name}={self.config[name]!r}")
            self.read.add(name)
        unread = sorted(n for n in self.config if n not in self.read and n not in skip)
        items = self.problems + [f"{n} (no recipe equivalent)" for n in unread]
        if items:
            raise Unsupported(
                f"this {self.family} config.json has fields that change the computation "
                "and that archspec cannot express",
                items,
            )


def rope_of(fields: Fields) -> dict[str, Any]:
    """Rotary settings from rope_theta/rope_scaling (transformers < 5) or rope_parameters
    (transformers 5): {"base": ..., "scaling": ..., "fraction": ...} as far as given."""
    out: dict[str, Any] = {}
    params = fields.get("rope_parameters") or {}
    scaling = fields.get("rope_scaling") or {}
    theta = params.get("rope_theta", fields.get("rope_theta", 10000.0))
    out["base"] = float(theta)
    merged = {**scaling, **params}
    kind = merged.get("rope_type", merged.get("type", "default"))
    if kind == "linear":
        out["scaling"] = float(merged["factor"])
    elif kind != "default":
        fields.unsupported(f"rope_scaling type {kind!r} (archspec has linear scaling only)")
    if "partial_rotary_factor" in merged:
        out["fraction"] = float(merged["partial_rotary_factor"])
    return out


def rope_out(positional: Any) -> dict[str, Any]:
    """The rope_parameters/rope_theta/rope_scaling fields of a rotary spec (both spellings, so
    old and new transformers read them)."""
    params: dict[str, Any] = {"rope_theta": positional.base, "rope_type": "default"}
    out: dict[str, Any] = {"rope_theta": positional.base}
    if positional.scaling != 1.0:
        params.update(rope_type="linear", factor=positional.scaling)
        out["rope_scaling"] = {"rope_type": "linear", "factor": positional.scaling}
    if positional.fraction != 1.0:
        params["partial_rotary_factor"] = positional.fraction
    out["rope_parameters"] = params
    return out
