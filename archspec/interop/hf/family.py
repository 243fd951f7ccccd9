"""What a Hugging Face model family must provide to be imported into and exported from archspec.

A family converts in both directions, from one description of the correspondence:

    to_recipe(config)        HF config.json (a dict) -> the `model:` section of a recipe (a dict,
                             validated by the caller). A config field that changes the
                             computation and has no recipe equivalent raises Unsupported naming it.
    from_recipe(model)       a validated model spec -> the HF config.json dict (model_type,
                             architectures, sizes...). Parts the HF class cannot express raise
                             Unsupported listing every one of them.
    weights_in(state, model) HF state dict (names as the HF class's state_dict()) -> archspec's
                             state dict for build_model(model); shapes are checked by the caller.
    weights_out(state, model)
                             the reverse: archspec state dict -> the HF class's names.

Families register themselves with `register(family)`; `family_for(model_type)` finds one.
This module imports no torch (state dicts are passed in; families import torch lazily).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from archspec.errors import ArchspecError


class Unsupported(ArchspecError):
    """A config field (import) or recipe part (export) with no equivalent on the other side."""

    def __init__(self, what: str, items: list[str]) -> None:
        self.items = items
        listed = "\n".join(f"  - {item}" for item in items)
        super().__init__(f"{what}:\n{listed}")


class Family(Protocol):
    """One Hugging Face model family (see the module docstring)."""

    model_types: tuple[str, ...]
    """The config.json `model_type` values this family reads (e.g. ("llama", "mistral"))."""
    model_kind: str
    """The archspec model kind its HF class is: decoder, encoder or encoder-decoder."""

    def to_recipe(self, config: Mapping[str, Any]) -> dict[str, Any]: ...
    def from_recipe(self, model: Any) -> dict[str, Any]: ...
    def weights_in(self, state: Mapping[str, Any], model: Any) -> dict[str, Any]: ...
    def weights_out(self, state: Mapping[str, Any], model: Any) -> dict[str, Any]: ...


@dataclass
class _Registry:
    by_type: dict[str, Family] = field(default_factory=dict)


_registry = _Registry()


def register(family: Family) -> None:
    """Make a family available under each of its model_types."""
    for model_type in family.model_types:
        _registry.by_type[model_type] = family


def family_for(model_type: str) -> Family:
    """The family that reads `model_type`, or an error listing the supported types."""
    _load_builtin()
    try:
        return _registry.by_type[model_type]
    except KeyError:
        known = ", ".join(sorted(_registry.by_type)) or "none"
        raise ArchspecError(
            f"model_type {model_type!r} is not supported for import/export (supported: {known})"
        ) from None


def supported_types() -> tuple[str, ...]:
    """Every model_type some family reads."""
    _load_builtin()
    return tuple(sorted(_registry.by_type))


BUILTIN_FAMILIES: tuple[str, ...] = (
    "gpt2",
    "gpt_neox",
    "llama",
    "bert",
    "roberta",
    "distilbert",
    "bart",
    "t5",
)
"""Modules of archspec.interop.hf that register a family when imported."""


def _load_builtin() -> None:
    import importlib

    for name in BUILTIN_FAMILIES:
        importlib.import_module(f"archspec.interop.hf.{name}")
