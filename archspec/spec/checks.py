"""Cross-field checks: rules over several fields of a spec, each declared once, over its inputs.

    class TrainerSpec(Spec):
        @cross_check("strategy", "accelerator")
        def _strategy_needs_gpus(self, issues: Issues) -> None:
            if self.strategy in ("fsdp", "deepspeed") and self.accelerator == "cpu":
                issues.add("strategy", f"{self.strategy} needs GPUs; on CPU use ddp")

Pydantic runs a model's after-validators only when every field of that model (and of the
models inside it) validated, so an error in `model.d_ff` used to hide the heads/d_model rule
until it was fixed.  Here a check names the fields it reads (dotted, relative to its spec);
the outermost spec of a validation runs every check of its tree once, after all fields and
derived values are in place (`run_checks`).  When the recipe loader had to drop fields that
failed (archspec.recipe.salvage), it passes their paths as `failed` and a check reading one of
them is skipped, while every other check still runs and reports: all errors in one go.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic_core import PydanticCustomError

Loc = tuple[str | int, ...]

FAILED = "archspec.failed"
"""Validation-context key: paths (relative to the validated model) whose values failed and
were left out, so that checks reading them are skipped."""

_INPUTS = "__cross_check_inputs__"

F = TypeVar("F", bound=Callable[..., None])


class Issues:
    """Collects cross-field problems so that all of them are reported together.

    Each issue is (relative location, message).  `raise_if_any` turns them into one
    pydantic error of type ``cross_field`` whose context lists every issue; the recipe
    error renderer expands it back into one located message per issue.
    """

    def __init__(self) -> None:
        self.items: list[tuple[Loc, str]] = []

    def add(self, loc: Loc | str, message: str) -> None:
        if isinstance(loc, str):
            loc = tuple(loc.split("."))
        self.items.append((loc, message))

    def raise_if_any(self, declared: bool = False) -> None:
        """Raise every issue as one error; `declared`: they come from `run_checks` (which
        skipped the checks of failed values), not from a spec's own after-validator."""
        if self.items:
            raise PydanticCustomError(
                "cross_field",
                "; ".join(f"{'.'.join(map(str, loc))}: {msg}" for loc, msg in self.items),
                {"issues": self.items, "declared": declared},
            )


def cross_check(*inputs: str) -> Callable[[F], F]:
    """Declare a spec method `(self, issues) -> None` as a check reading the dotted `inputs`
    (relative to the spec: "heads", "data.source.kind").  List every field the check reads,
    derived ones included: a check is skipped when one of them failed validation."""
    paths = tuple(tuple(i.split(".")) for i in inputs)

    def mark(fn: F) -> F:
        setattr(fn, _INPUTS, paths)
        return fn

    return mark


_DECLARED: dict[type, list[tuple[Callable[[Any, Issues], None], tuple[Loc, ...]]]] = {}


def declared_checks(cls: type) -> list[tuple[Callable[[Any, Issues], None], tuple[Loc, ...]]]:
    """(check, inputs) of a spec class, base classes' first, in declaration order (a subclass
    method of the same name replaces its base's)."""
    if cls not in _DECLARED:
        found: dict[str, tuple[Callable[[Any, Issues], None], tuple[Loc, ...]]] = {}
        for klass in reversed(cls.__mro__):
            for name, attr in vars(klass).items():
                inputs = getattr(attr, _INPUTS, None)
                if inputs is not None:
                    found[name] = (attr, inputs)
                elif name in found and callable(attr):
                    del found[name]  # overridden by a method that is not a check
        _DECLARED[cls] = list(found.values())
    return _DECLARED[cls]


def run_checks(spec: BaseModel, failed: Collection[Loc] = ()) -> Issues:
    """Every declared check of `spec` and of the specs inside it (inner ones first), skipping
    those that read a path in `failed`; issue locations are relative to `spec`."""
    issues = Issues()
    _walk(spec, (), tuple(failed), issues)
    return issues


def _walk(value: Any, at: Loc, failed: tuple[Loc, ...], issues: Issues) -> None:
    if isinstance(value, BaseModel):
        cls = type(value)
        names = _FIELDS.get(cls) or _FIELDS.setdefault(cls, tuple(cls.model_fields))
        for name in names:
            item = getattr(value, name)
            if isinstance(item, _NESTED):
                _walk(item, (*at, name), failed, issues)
        for check, inputs in declared_checks(type(value)):
            if failed and any(overlaps((*at, *i), f) for i in inputs for f in failed):
                continue  # it would read a value that failed (a default stands there now)
            found = Issues()
            check(value, found)
            for loc, message in found.items:
                issues.add((*at, *loc), message)
        return
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        if isinstance(item, _NESTED):
            _walk(item, (*at, key), failed, issues)


_FIELDS: dict[type, tuple[str, ...]] = {}

_NESTED = (BaseModel, list, tuple, dict)
"""Values that may hold specs (everything else is a leaf)."""


def overlaps(a: Loc, b: Loc) -> bool:
    """One path is the other or lies inside it."""
    n = min(len(a), len(b))
    return a[:n] == b[:n]
