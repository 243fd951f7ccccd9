"""The one strict base class every recipe section derives from."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic_core import PydanticCustomError


class Spec(BaseModel):
    """Plain, frozen, strict data: unknown keys are errors, docstrings become field help."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        validate_default=True,
    )


class Issues:
    """Collects cross-field problems so that all of them are reported together.

    Each issue is (relative location, message).  `raise_if_any` turns them into one
    pydantic error of type ``cross_field`` whose context lists every issue; the recipe
    error renderer expands it back into one located message per issue.
    """

    def __init__(self) -> None:
        self.items: list[tuple[tuple[str | int, ...], str]] = []

    def add(self, loc: tuple[str | int, ...] | str, message: str) -> None:
        if isinstance(loc, str):
            loc = tuple(loc.split("."))
        self.items.append((loc, message))

    def raise_if_any(self) -> None:
        if self.items:
            raise PydanticCustomError(
                "cross_field",
                "; ".join(f"{'.'.join(map(str, loc))}: {msg}" for loc, msg in self.items),
                {"issues": self.items},
            )


def fill(spec: BaseModel, name: str, value: object) -> None:
    """Set a derived field once, right after validation (specs are frozen otherwise)."""
    object.__setattr__(spec, name, value)
