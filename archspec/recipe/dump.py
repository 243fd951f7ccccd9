"""Recipe -> YAML text: the fully resolved recipe, every default spelled out.

`kind` comes first in every mapping (it says how to read the rest), `extends` never appears
(it has been resolved), and the text loads back to an equal Recipe.
"""

from __future__ import annotations

from typing import Any

import yaml

from archspec.spec import Recipe


def dump_recipe(recipe: Recipe) -> str:
    """The resolved recipe as YAML, in the models' field order with `kind` first."""
    data = recipe.model_dump(mode="json", exclude={"extends"})
    return yaml.safe_dump(kind_first(data), sort_keys=False, allow_unicode=True, width=100)


def kind_first(value: Any) -> Any:
    """Move `kind` to the front of every mapping, recursively."""
    if isinstance(value, dict):
        ordered = {"kind": value["kind"]} if "kind" in value else {}
        ordered.update((k, kind_first(v)) for k, v in value.items() if k != "kind")
        return ordered
    if isinstance(value, list):
        return [kind_first(v) for v in value]
    return value
