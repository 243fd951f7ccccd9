"""The one strict base class every recipe section derives from."""

from __future__ import annotations

import typing
from contextvars import ContextVar
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, model_validator
from pydantic_core.core_schema import ValidatorFunctionWrapHandler

from archspec.spec.checks import FAILED, Issues, cross_check, run_checks

__all__ = ["Issues", "Spec", "cross_check", "fill"]

_DEPTH: ContextVar[int] = ContextVar("archspec_spec_depth", default=0)
"""How many specs are being validated around the current one (0: it is the outermost)."""


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

    @model_validator(mode="wrap")
    @classmethod
    def _derive_then_check(
        cls, data: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> Any:
        """Fill derived values of every spec as it validates; the outermost spec then runs
        the cross-field checks of its whole tree (archspec.spec.checks) and raises them all."""
        depth = _DEPTH.get()
        token = _DEPTH.set(depth + 1)
        try:
            spec = handler(data)
        finally:
            _DEPTH.reset(token)
        spec._derive()
        if depth == 0:
            failed = (info.context or {}).get(FAILED, ())
            run_checks(spec, failed).raise_if_any(declared=True)
        return spec

    def _derive(self) -> None:
        """Fill derived fields (with `fill`) once the fields are valid; runs before any check,
        never raises (a rule belongs in a `cross_check`)."""


def _wants_tuple(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is tuple or annotation is tuple:
        return True
    return any(_wants_tuple(a) for a in typing.get_args(annotation) if a is not type(None))


def fill(spec: BaseModel, name: str, value: object) -> None:
    """Set a derived field once, right after validation (specs are frozen otherwise)."""
    object.__setattr__(spec, name, value)
