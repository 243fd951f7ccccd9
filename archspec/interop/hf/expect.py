"""Checking, on export, that a recipe uses only what a Hugging Face class can express."""

from __future__ import annotations

from typing import Any

from archspec.interop.hf.family import Unsupported


class Expect:
    """Collects every recipe part a family's HF class cannot express; `done` raises them all."""

    def __init__(self, family: str) -> None:
        self.family = family
        self.items: list[str] = []

    def equal(self, path: str, value: Any, *wanted: Any) -> None:
        """`path` (a dotted recipe path) must have one of the `wanted` values."""
        if value not in wanted:
            choices = " or ".join(repr(w) for w in wanted)
            self.items.append(f"model.{path}: {value!r} ({self.family} has {choices})")

    def fail(self, item: str) -> None:
        self.items.append(item)

    def done(self) -> None:
        if self.items:
            raise Unsupported(
                f"this recipe has parts that Hugging Face's {self.family} class cannot express",
                self.items,
            )
