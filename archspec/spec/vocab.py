"""`model.vocab_size`: a number, or `auto` (the default for recipes with data), sized from the
tokenizer trained on the training split and rounded up to a multiple of 64 (so the embedding and
output matrices keep shapes that matrix kernels handle fast).

Without data (validate, diff, summary, counting from Python) an `auto` size is not known yet;
those count with an assumed size (`ASSUMED`, by tokenizer kind) held as an `AssumedVocab`: an
int that remembers it is an assumption, serializes back to `auto` and is said so in outputs.
Training replaces it with the real size (`sized_to_tokenizer`). A fixed size that leaves most
of the table unused draws a warning (`unused_vocabulary_warning`). Imports no torch.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema, WrapValidator
from pydantic_core import PydanticCustomError

from archspec.spec.parts import VocabPair

MULTIPLE = 64
"""auto sizes are rounded up to a multiple of this."""

ASSUMED = {"char": 128, "word": 32000, "bpe": 8192, None: 32000}
"""The size counted for `auto` before a tokenizer exists, by data.tokenizer.kind; a BPE also
trains to this many tokens."""

CEILING = 1 << 30
"""The cap a char or word tokenizer trains under when the vocabulary is auto (no cap)."""


class AssumedVocab(int):
    """A vocabulary size assumed for `vocab_size: auto` (behaves as the int it holds)."""

    def __repr__(self) -> str:
        return f"AssumedVocab({int(self)})"


def _check(value: Any, also: str = "") -> Any:
    """A clear message for a string that is not a number or 'auto', or a number below 2."""
    if isinstance(value, str) and value != "auto" and not value.strip().isdigit():
        hint = " (did you mean 'auto'?)" if value.lower().startswith("a") else ""
        raise PydanticCustomError("vocab_size", f"expected a whole number or 'auto'{also}{hint}")
    number = isinstance(value, int | str) and not isinstance(value, bool) and value != "auto"
    if number and int(value) < 2:
        raise PydanticCustomError("vocab_size", f"must be at least 2 (or 'auto'{also})")
    return value


def _parse(value: Any) -> Any:
    """'auto' -> an assumed size."""
    value = _check(value)
    return AssumedVocab(ASSUMED[None]) if value == "auto" else value


def _parse_pair(value: Any) -> Any:
    return value if isinstance(value, dict) else _check(value, " or a mapping {source, target}")


def _keep_assumed(value: Any, handler: Any) -> Any:
    """Validation turns an int subclass into an int; an assumed size stays assumed."""
    return value if isinstance(value, AssumedVocab) else handler(value)


def _dump(value: Any) -> Any:
    return "auto" if isinstance(value, AssumedVocab) else value


VocabSize = Annotated[
    int,
    Field(ge=2),
    WrapValidator(_keep_assumed),
    BeforeValidator(_parse),
    PlainSerializer(_dump),
    WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 2}, {"const": "auto"}]}),
]
"""The field type of a single vocabulary size: an int once validated ('auto' becomes an
AssumedVocab), the number or 'auto' in YAML and in the JSON Schema."""

VocabSizeOrPair = Annotated[VocabSize | VocabPair, BeforeValidator(_parse_pair)]
"""An encoder-decoder's: one size (or auto) for both sides, or {source: N, target: M}."""


def rounded(n: int) -> int:
    """n rounded up to a multiple of MULTIPLE."""
    return -(-n // MULTIPLE) * MULTIPLE


def is_auto(model: Any) -> bool:
    return isinstance(model.vocab_size, AssumedVocab)


def assume_for_data(model: Any, data: Any) -> None:
    """With a data section, an unset vocab_size means auto; an auto size's assumption follows
    the tokenizer kind (or the synthetic task's symbols). Called by Recipe validation."""
    if "vocab_size" not in model.model_fields_set and isinstance(model.vocab_size, int):
        object.__setattr__(model, "vocab_size", AssumedVocab(ASSUMED[None]))
    if not is_auto(model):
        return
    symbols = getattr(data.source, "symbols", None)
    kind = getattr(data.tokenizer, "kind", None)
    size = rounded(symbols + 5) if symbols is not None else ASSUMED.get(kind, ASSUMED[None])
    object.__setattr__(model, "vocab_size", AssumedVocab(size))


def assumption_note(recipe: Any) -> str | None:
    """What a count without data assumed, e.g. for `archspec validate`."""
    model = recipe.model
    if not is_auto(model):
        return None
    return (
        f"vocab_size auto counted as {int(model.vocab_size):,}; training sizes it from the "
        f"tokenizer, rounded up to a multiple of {MULTIPLE}"
    )


def _with_vocab(recipe: Any, size: int) -> Any:
    model = recipe.model.model_copy(update={"vocab_size": size})
    return recipe.model_copy(update={"model": model})


def tokenizer_ceiling(recipe: Any) -> Any:
    """The recipe the data side trains its tokenizer from: auto means no cap for char and word
    tokenizers (a BPE trains to the assumed size)."""
    if not is_auto(recipe.model):
        return recipe
    kind = getattr(getattr(recipe.data, "tokenizer", None), "kind", None)
    return recipe if kind == "bpe" else _with_vocab(recipe, AssumedVocab(CEILING))


def sized_to_tokenizer(recipe: Any, tokenizer_size: int) -> Any:
    """The recipe with an auto vocab_size replaced by the tokenizer's size, rounded up."""
    if not is_auto(recipe.model):
        return recipe
    return _with_vocab(recipe, rounded(tokenizer_size))


def unused_vocabulary_warning(recipe: Any, datamodule: Any) -> str | None:
    """A warning when a fixed vocab_size is more than twice what auto would choose (so most
    of the embedding table is never used)."""
    size = recipe.model.vocab_size
    if isinstance(size, AssumedVocab) or not isinstance(size, int) or datamodule is None:
        return None
    used = datamodule.source_vocab_size
    if size <= 2 * rounded(used):
        return None  # auto would save less than half of the table
    unused = (size - used) * recipe.model.d_model
    kind = getattr(getattr(recipe.data, "tokenizer", None), "kind", None)
    tokenizer = f"{kind} tokenizer" if kind else "tokenizer"
    return (
        f"model.vocab_size is {size:,} but the {tokenizer} has {used:,} tokens: "
        f"{size - used:,} rows of each embedding table ({unused:,} parameters per table) are "
        f"never used and every step computes their logits; set model.vocab_size: auto "
        f"(here {rounded(used):,})"
    )
