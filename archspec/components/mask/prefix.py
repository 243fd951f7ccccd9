"""Prefix-LM (Raffel et al. 2020): bidirectional over a prefix, causal after it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from archspec.components.costs import Dims, Location, Problem
from archspec.components.registry import register
from archspec.spec.base import Spec


class PrefixMask(Spec):
    """Prefix-LM: bidirectional over the first `length` positions, causal after them."""

    kind: Literal["prefix"] = "prefix"
    """Which self-attention mask (the kinds are listed under the stack's mask)."""
    length: int | None = Field(None, ge=1)
    """Prefix length in tokens; null means the data supplies a prefix length per sequence."""


class Prefix:
    def check(self, spec: PrefixMask, dims: Dims, where: Location) -> list[Problem]:
        if spec.length is not None and spec.length >= dims.max_len:
            return [
                (
                    (*where, "length"),
                    f"a prefix of {spec.length} tokens leaves no causal part in sequences of "
                    f"model.max_len {dims.max_len}; use a length below {dims.max_len} (or a "
                    "bidirectional mask)",
                )
            ]
        return []

    def build(self, spec: PrefixMask) -> Any:
        from archspec.nn.mask_policies import Prefix as Policy

        return Policy(spec.length)


register("mask", PrefixMask, Prefix())
