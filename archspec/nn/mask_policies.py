"""What a stack's self-attention mask is, as an object the stack asks once per forward.

One class per mask kind (built by archspec/components/mask/). A policy answers two questions:
`causal_after(prefix_len)` (None: bidirectional; 0: causal; a prefix length: prefix-LM), which
archspec.nn.masks turns into tensors together with the policy's sliding `window`, and
`can_cache(prefill, prefix_len)`, whether decoding with a key/value cache after a first step
of `prefill` positions gives a full forward's outputs (past positions must never see later
ones).
"""

from __future__ import annotations

from typing import Protocol

from torch import Tensor

from archspec.errors import ArchspecError


class MaskPolicy(Protocol):
    kind: str
    """The recipe's name of this mask (error messages, and `Stack.mask_kind`)."""
    prefix_len: int | None
    """The fixed prefix length of a prefix-LM mask, else None."""
    needs_runtime_prefix: bool
    """Every forward must supply prefix_len (a prefix mask without a length)."""
    window: int | None
    """A sliding window W: query i sees keys i - W < j <= i only (None: no window)."""

    def causal_after(self, prefix_len: int | Tensor | None) -> int | Tensor | None: ...
    def can_cache(self, prefill: int, prefix_len: int | Tensor | None) -> bool: ...


def _no_prefix(kind: str, prefix_len: int | Tensor | None) -> None:
    if prefix_len is not None:
        raise ArchspecError(
            f"prefix_len was given but this stack's mask is {kind}; "
            "set the recipe's mask to {kind: prefix} to use a prefix-LM mask"
        )


class Bidirectional:
    kind = "bidirectional"
    prefix_len = None
    needs_runtime_prefix = False
    window = None

    def causal_after(self, prefix_len: int | Tensor | None) -> int | Tensor | None:
        _no_prefix(self.kind, prefix_len)
        return None

    def can_cache(self, prefill: int, prefix_len: int | Tensor | None) -> bool:
        return False


class Causal:
    """Look-ahead mask, optionally narrowed to a sliding window of `window` keys."""

    kind = "causal"
    prefix_len = None
    needs_runtime_prefix = False

    def __init__(self, window: int | None = None) -> None:
        self.window = window

    def causal_after(self, prefix_len: int | Tensor | None) -> int | Tensor | None:
        _no_prefix(self.kind, prefix_len)
        return 0

    def can_cache(self, prefill: int, prefix_len: int | Tensor | None) -> bool:
        return True


class Prefix:
    """Bidirectional over the first `length` positions, causal after (None: per forward)."""

    kind = "prefix"
    window = None

    def __init__(self, length: int | None) -> None:
        self.prefix_len = length
        self.needs_runtime_prefix = length is None

    def causal_after(self, prefix_len: int | Tensor | None) -> int | Tensor | None:
        prefix = self.prefix_len if prefix_len is None else prefix_len
        if prefix is None:
            raise ArchspecError(
                "the recipe's mask is {kind: prefix} without a length, so every batch must "
                "supply prefix_len (an int, or one length per sequence)"
            )
        return prefix

    def can_cache(self, prefill: int, prefix_len: int | Tensor | None) -> bool:
        prefix = self.prefix_len if prefix_len is None else prefix_len
        if prefix is None:
            return False
        longest = prefix if isinstance(prefix, int) else int(prefix.max())
        return longest <= prefill
