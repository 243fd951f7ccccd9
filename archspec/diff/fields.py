"""Field-by-field difference of two resolved recipes, as dotted paths.

Both recipes are compared in their dump form (`archspec show`): `extends:` resolved, overrides
applied, every default spelled out, derived values (model.d_k, model.d_v) filled in.  Mappings
are walked key by key; lists and scalars are compared whole (as `extends:` replaces them).
A path present on one side only (a different `kind` brings different keys) is "added" or
"removed".  Fields under `model.` are the architecture; everything else (training sections,
the description) is listed apart and never makes two architectures differ.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from archspec.recipe.dump import kind_first
from archspec.spec import Recipe

Status = Literal["same", "changed", "added", "removed"]
ARCHITECTURE = "model"
"""The top-level section that is the architecture."""


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()
"""The value of a field on the side that does not have it."""


@dataclass(frozen=True)
class FieldChange:
    """One leaf of the resolved recipes: its dotted path and the value on each side."""

    path: str
    a: Any
    b: Any

    @property
    def status(self) -> Status:
        if self.a is ABSENT:
            return "added"
        if self.b is ABSENT:
            return "removed"
        return "same" if _equal(self.a, self.b) else "changed"

    @property
    def architecture(self) -> bool:
        return self.path.split(".", 1)[0] == ARCHITECTURE


def _equal(a: Any, b: Any) -> bool:
    """Equal as the recipe means them: 1 and 1.0 are equal, True and 1 are not."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def recipe_fields(recipe: Recipe) -> dict[str, Any]:
    """The resolved recipe as plain data in dump order (what `archspec show` prints)."""
    return kind_first(recipe.model_dump(mode="json", exclude={"extends"}))


def field_changes(a: dict[str, Any], b: dict[str, Any]) -> list[FieldChange]:
    """Every leaf of either document, in document order (A's keys, then keys only B has)."""
    out: list[FieldChange] = []
    _walk(a, b, "", out)
    return out


def _walk(a: Any, b: Any, prefix: str, out: list[FieldChange]) -> None:
    if isinstance(a, dict) and isinstance(b, dict) and (a or b):
        for key in [*a, *(k for k in b if k not in a)]:
            path = f"{prefix}.{key}" if prefix else str(key)
            _walk(a.get(key, ABSENT), b.get(key, ABSENT), path, out)
    elif isinstance(a, dict) and a and b is ABSENT:
        for key, value in a.items():
            _walk(value, ABSENT, f"{prefix}.{key}", out)
    elif isinstance(b, dict) and b and a is ABSENT:
        for key, value in b.items():
            _walk(ABSENT, value, f"{prefix}.{key}", out)
    else:  # a leaf on at least one side (a mapping against a scalar is compared whole)
        out.append(FieldChange(prefix, a, b))


def split(changes: list[FieldChange]) -> tuple[list[FieldChange], list[FieldChange]]:
    """(architecture fields, training and other fields)."""
    arch = [c for c in changes if c.architecture]
    return arch, [c for c in changes if not c.architecture]


def format_value(value: Any) -> str:
    """A field value as a recipe would spell it: null, true, 0.1, [0.9, 0.98], text; '—' absent."""
    if value is ABSENT:
        return "—"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
