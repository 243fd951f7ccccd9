"""The one strict base class every recipe section derives from."""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError


class Spec(BaseModel):
    """Plain, frozen, strict data: unknown keys are errors, docstrings become field help.

    Strict: a quoted number, `true` or `32.0` where an integer belongs is an error, and so is
    a string where a number belongs; every float is finite (`.inf` and `.nan` are refused).
    The coercions YAML needs are kept: an integer is a valid float, a list is a valid tuple.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        validate_default=True,
        strict=True,
        allow_inf_nan=False,
    )

    @model_validator(mode="before")
    @classmethod
    def _lists_as_tuples(cls, data: Any) -> Any:
        """YAML has no tuples: a list where a tuple belongs is taken as that tuple."""
        if not isinstance(data, dict):
            return data
        fixed = {
            name: tuple(value)
            for name, value in data.items()
            if isinstance(value, list)
            and name in cls.model_fields
            and _wants_tuple(cls.model_fields[name].annotation)
        }
        return {**data, **fixed} if fixed else data


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


def _wants_tuple(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is tuple or annotation is tuple:
        return True
    return any(_wants_tuple(a) for a in typing.get_args(annotation) if a is not type(None))


def fill(spec: BaseModel, name: str, value: object) -> None:
    """Set a derived field once, right after validation (specs are frozen otherwise)."""
    object.__setattr__(spec, name, value)
