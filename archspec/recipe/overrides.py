"""`--set a.b=value` overrides, applied after `extends:` and before validation.

The value is YAML (`16`, `gelu`, `null`, `{kind: relative, max_distance: 8}`).  A mapping
value deep-merges into what is there, exactly like a child recipe does under `extends:`, so
`--set model.dropout={residual: 0.2}` changes one probability and keeps the others.  A section
whose `kind` changes keeps only the keys the new kind also has; the others are dropped with a
note (`--set model.kind=decoder` keeps d_model, heads, ... and drops the encoder).

The path must name a setting of the kinds currently selected, including settings the recipe
leaves at their default (model.d_k); otherwise the error lists the closest valid paths.
Every location an override creates points at its `--set` text.
"""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import BaseModel

from archspec.recipe.errors import RecipeError, closest
from archspec.recipe.merge import merge
from archspec.recipe.schema import Slot, field_slot, known_paths, lacks, root_slot
from archspec.recipe.source import DocPath, Location, SourceMap, dotted

NOT_SETTABLE = {"extends"}
"""Top-level keys an override may not set (extends is resolved before overrides apply)."""


def parse_override(text: str) -> tuple[DocPath, Any]:
    """'model.heads=16' -> (('model', 'heads'), 16)."""
    label = Location(f"--set {text}")
    name, sep, raw = text.partition("=")
    keys = tuple(k.strip() for k in name.split("."))
    if not sep or not all(keys):
        raise RecipeError.at(label, "expected PATH=VALUE, e.g. --set model.heads=16")
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError as err:
        problem = getattr(err, "problem", None) or str(err)
        raise RecipeError.at(label, f"the value is not valid YAML: {problem}") from None
    return keys, value


def apply_overrides(
    data: dict[str, Any],
    sources: SourceMap,
    overrides: list[str],
    model: type[BaseModel],
    notes: list[str],
) -> tuple[dict[str, Any], SourceMap]:
    """Apply each `--set` in order (a later one sees the kinds an earlier one chose)."""
    for text in overrides:
        path, value = parse_override(text)
        data, sources = apply_override(
            data, sources, path, value, Location(f"--set {text}"), model, notes
        )
    return data, sources


def apply_override(
    data: dict[str, Any],
    sources: SourceMap,
    path: DocPath,
    value: Any,
    label: Location,
    model: type[BaseModel],
    notes: list[str],
) -> tuple[dict[str, Any], SourceMap]:
    """Set one dotted path to a parsed value, as `--set` does; every location it creates
    points at `label` (a `--set` text, or the file line a sweep case sets it on)."""
    path = _check_path(model, data, path, label)
    patch = _patch(root_slot(model), data, path, value)
    patch_sources = SourceMap(label)
    patch_sources.everywhere(label, _set_here(data, sources, patch, path))
    origin, root = sources.origin, sources.values.get(())
    data, sources = merge(data, patch, sources, patch_sources, root_slot(model), notes)
    sources.origin = origin
    if root is not None:
        sources.values[()] = root
    return data, sources


def _check_path(model: type[BaseModel], data: Any, path: DocPath, label: Location) -> DocPath:
    """The path with list indices as ints; an unknown path raises with the closest valid ones."""
    slot: Slot = root_slot(model)
    value: Any = data
    out: list[Any] = []
    for i, key in enumerate(path):
        here = (*out, key)
        if i == 0 and key in NOT_SETTABLE:
            raise RecipeError.at(label, f"{key} cannot be overridden; put it in the recipe file")
        if slot.container is list:
            if not (str(key).isdigit() and isinstance(value, list) and int(key) < len(value)):
                size = len(value) if isinstance(value, list) else 0
                raise RecipeError.at(label, f"{dotted(here)}: no element {key} (list of {size})")
            key = int(key)
            slot, value = slot.item(), value[key]
        elif slot.container is dict:
            slot, value = slot.item(), value.get(key) if isinstance(value, dict) else None
        else:
            picked = slot.pick(value)
            owners = [picked] if picked is not None else list(dict.fromkeys(slot.models.values()))
            owner = next((m for m in owners if key in m.model_fields), None)
            if owner is None:
                raise RecipeError.at(label, _unknown(model, data, slot, picked, tuple(out), key))
            slot = field_slot(owner, str(key))  # a field name: `key in model_fields` held
            value = value.get(key) if isinstance(value, dict) else None
        out.append(key)
    return tuple(out)


def _unknown(model, data, slot: Slot, picked, prefix: DocPath, key: Any) -> str:
    path = dotted((*prefix, key))
    if not slot.models:  # a plain value such as model.heads
        return f"{dotted(prefix)} is a single value, it has no '{key}'"
    if picked is not None and slot.discriminator:
        reason = lacks(slot, picked, key)
        if reason:
            disc = dotted((*prefix, slot.discriminator))
            return f"{path}: {reason}; change {disc} first"
    valid = [dotted(p) for p in known_paths(model, data) if p[0] not in NOT_SETTABLE]
    near = closest(path, valid, n=5, cutoff=0.5)
    if not near:
        siblings = [dotted((*prefix, name)) for name in (picked.model_fields if picked else [])]
        near = siblings or valid[:5]
    return f"{path} is not a recipe setting; closest valid paths: {', '.join(near)}"


def _patch(slot: Slot | None, data: Any, path: DocPath, value: Any) -> Any:
    """The small document an override merges in: {'model': {'heads': 16}} for model.heads=16."""
    if not path:
        return value
    key, rest = path[0], path[1:]
    if isinstance(data, list):  # replace one element (merged, if both are mappings)
        new, i = list(data), int(key)  # resolve_path made list indices ints
        child = _patch(slot.item() if slot else None, data[i], rest, value)
        new[i] = merge(data[i], child, SourceMap(Location("")), SourceMap(Location("")))[0]
        return new
    here = data.get(key) if isinstance(data, dict) else None
    child_slot = slot.child(key, data if isinstance(data, dict) else {}) if slot else None
    out: dict[Any, Any] = {key: _patch(child_slot, here, rest, value)}
    # a section the recipe leaves at its default gets the default's kind spelled out, so that
    # --set model.positional.base=20000 means "sinusoidal, base 20000"
    if rest and child_slot is not None and not isinstance(here, dict | list):
        disc, kind = child_slot.discriminator, child_slot.default_kind()
        if disc and kind is not None and isinstance(out[key], dict):
            out[key] = {disc: kind, **out[key]}
    return out


def _set_here(data: Any, sources: SourceMap, patch: Any, path: DocPath) -> list[DocPath]:
    """The paths whose location becomes the `--set` text: the value set and everything below
    it, and any section the override creates or replaces on the way down."""
    out = []
    for p in _all_paths(patch):
        if p[: len(path)] == path or not sources.has(p) or not _is_mapping_at(data, p):
            out.append(p)
    return out


def _is_mapping_at(data: Any, path: DocPath) -> bool:
    for key in path:
        in_list = isinstance(data, list) and isinstance(key, int) and key < len(data)
        if not (in_list or (isinstance(data, dict) and key in data)):
            return False
        data = data[key]
    return isinstance(data, dict | list)


def _all_paths(value: Any, prefix: DocPath = ()) -> list[DocPath]:
    paths = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            paths += _all_paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            paths += _all_paths(v, (*prefix, i))
    return paths
