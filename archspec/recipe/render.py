"""Pydantic validation errors -> one located, actionable line each.

    recipes/my.yaml:7:5: model.positional.kind: 'sinusiodal' is not one of sinusoidal,
    learned, relative (did you mean 'sinusoidal'?)

Works for any YAML document validated by any Pydantic model: pass the model, the document's
SourceMap and, when the model validates only part of the document, the `prefix` path where
that part sits (a sweep file validates its own sections this way).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from archspec.recipe.errors import describe, did_you_mean, one_of
from archspec.recipe.schema import CleanLoc, choices, clean_loc, field_slot, lacks
from archspec.recipe.source import DocPath, Location, SourceMap, dotted

EXPECTED = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "a string",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "dict_type": "a mapping",
    "list_type": "a list",
    "tuple_type": "a list",
    "none_required": "nothing (null)",
}
"""Pydantic type-error kinds and what a user should have written instead."""

BOUNDS = {
    "greater_than_equal": ("ge", "at least"),
    "greater_than": ("gt", "greater than"),
    "less_than_equal": ("le", "at most"),
    "less_than": ("lt", "less than"),
}

Problem = tuple[Location, DocPath, str]


def render_validation_error(
    err: ValidationError,
    model: type[BaseModel],
    sources: SourceMap,
    prefix: DocPath = (),
    more: list[ErrorDetails] | None = None,
) -> list[str]:
    """One `file:line:col: dotted.path: message` line per problem, in file order; `more`:
    errors found by another validation of the same document (archspec.recipe.salvage)."""
    found: list[Problem] = []
    for e, loc in _without_union_noise(err.errors(include_url=False), model):
        found += _render(e, loc, sources, prefix)
    for e in more or []:
        found += _render(e, clean_loc(model, e["loc"]), sources, prefix)
    found.sort(key=lambda p: (not p[0].is_file, p[0].file, p[0].line, p[0].col))
    lines = []
    for where, path, message in found:
        line = f"{where}: {dotted(path)}: {message}" if path else f"{where}: {message}"
        if line not in lines:
            lines.append(line)
    return lines


def _without_union_noise(
    details: list[ErrorDetails], model: type[BaseModel]
) -> list[tuple[ErrorDetails, CleanLoc]]:
    """Pydantic tries every alternative of a plain union (`int | VocabPair`) and reports why
    each failed.  Keep what the user meant: the mapping alternative's errors for a mapping,
    else the scalar alternatives' (merged into one 'expected X or Y' when all are type errors).
    """
    errors = [(e, clean_loc(model, e["loc"])) for e in details]
    groups: dict[DocPath, list[tuple[ErrorDetails, CleanLoc]]] = {}
    out: list[tuple[ErrorDetails, CleanLoc]] = []
    for e, loc in errors:
        if loc.union_path is not None:  # loc.smart
            groups.setdefault(loc.union_path, []).append((e, loc))
        else:
            out.append((e, loc))
    for members in groups.values():
        not_mapping = any(
            loc.member_is_model and e["type"] in EXPECTED and loc.path == loc.union_path
            for e, loc in members
        )
        if not not_mapping and any(loc.member_is_model for _, loc in members):
            out += [(e, loc) for e, loc in members if loc.member_is_model]
            continue
        scalar = [(e, loc) for e, loc in members if loc.path == loc.union_path]
        if all(e["type"] in EXPECTED for e, _ in scalar):
            wanted = list(dict.fromkeys(_expected(e, loc) for e, loc in members))
            e, loc = scalar[0]
            merged = ErrorDetails(
                type="union_type",
                loc=e["loc"],
                msg=e["msg"],
                input=e["input"],
                ctx={"wanted": wanted},
            )
            out.append((merged, loc))
        else:
            out += [(e, loc) for e, loc in scalar if e["type"] not in EXPECTED]
    return out


def _expected(e: ErrorDetails, loc: CleanLoc) -> str:
    if loc.member_is_model and loc.slot is not None:
        model = loc.slot.pick({})
        required = [n for n, f in model.model_fields.items() if f.is_required()] if model else []
        if required:
            return f"a mapping with {', '.join(required)}"
    return EXPECTED.get(e["type"], "a valid value")


def _render(e: ErrorDetails, loc: CleanLoc, sources: SourceMap, prefix: DocPath) -> list[Problem]:
    kind, value = e["type"], e.get("input")
    path = (*prefix, *loc.path)
    at = sources.value(path)
    ctx = e.get("ctx") or {}
    slot = loc.slot

    if kind == "cross_field":
        out = []
        for rel, message in ctx.get("issues", []):
            rel = tuple(rel.split(".")) if isinstance(rel, str) else tuple(rel)
            out.append((sources.value((*path, *rel)), (*path, *rel), message))
        return out
    if kind == "extra_forbidden":
        return [(sources.key(path), path, _unknown_key(loc))]
    if kind == "missing":
        doc = slot.field.description if slot is not None and slot.field is not None else None
        hint = f": {_one_line(doc)}" if doc else ""
        parent = path[:-1]  # point at the kind that asks for the setting, if one is written
        where = sources.value((*parent, "kind")) if sources.has((*parent, "kind")) else None
        return [(where or sources.value(parent), path, f"required setting is missing{hint}")]
    if kind == "literal_error":
        allowed = choices(slot.annotation) if slot is not None else []
        return [(at, path, _not_one_of(value, allowed or [ctx.get("expected", "?")]))]
    if kind == "union_tag_invalid" and slot is not None:
        disc = slot.discriminator or "kind"
        tag = value.get(disc) if isinstance(value, dict) else ctx.get("tag")
        where = sources.value((*path, disc))
        return [(where, (*path, disc), _not_one_of(tag, list(slot.models)))]
    if kind == "union_tag_not_found" and slot is not None:
        return [(at, path, _no_kind(slot, value))]
    tagged = slot is not None and slot.discriminator is not None
    if (
        kind in EXPECTED
        and slot is not None
        and tagged
        and isinstance(value, str)
        and value in slot.models
    ):
        hint = f"; write {{{slot.discriminator}: {value}}}"
        return [(at, path, f"expected a mapping, found {describe(value)}{hint}")]
    if kind == "union_type":
        wanted = " or ".join(ctx["wanted"])
        return [(at, path, f"expected {wanted}, found {describe(value)}")]
    if kind in EXPECTED:
        return [(at, path, f"expected {EXPECTED[kind]}, found {describe(value)}")]
    if kind == "finite_number":
        return [(at, path, f"must be a finite number, found {describe(value)}")]
    if kind in BOUNDS:
        name, words = BOUNDS[kind]
        return [(at, path, f"must be {words} {ctx.get(name)}, found {describe(value)}")]
    message = e.get("msg", "invalid value")
    return [(at, path, f"{message[:1].lower()}{message[1:]}, found {describe(value)}")]


def _not_one_of(value: Any, allowed: list[Any]) -> str:
    shown = f"'{value}'" if isinstance(value, str) else describe(value)
    return f"{shown} is not one of {one_of(allowed)}{did_you_mean(value, allowed)}"


def _no_kind(slot, value: Any) -> str:
    disc = slot.discriminator or "kind"
    tags = list(slot.models)
    message = f"needs a '{disc}', one of {one_of(tags)}"
    if isinstance(value, dict) and value:
        fits = [t for t, m in slot.models.items() if set(value) <= set(m.model_fields)]
        if len(fits) == 1:
            message += f" (the keys given fit {disc}: {fits[0]})"
    return message


def _unknown_key(loc: CleanLoc) -> str:
    step = loc.steps[-1]
    key, owner = step.key, step.owner
    if owner is None:
        return "unknown key"
    if step.union is not None:
        reason = lacks(step.union, owner, key)
        if reason:
            return reason
    fields = list(owner.model_fields)
    hint = did_you_mean(key, fields)
    if hint:
        return f"unknown key{hint}"
    deeper = _nested_homes(owner, str(key))
    if deeper:
        return f"unknown key here (did you mean {' or '.join(repr(d) for d in deeper)}?)"
    return f"unknown key; valid keys here: {one_of(fields)}"


def _nested_homes(owner: type[BaseModel], key: str, depth: int = 2) -> list[str]:
    """Where `key` lives one or two levels down: 'layers' -> ['encoder.layers']."""
    homes = []
    for name in owner.model_fields:
        for m in dict.fromkeys(field_slot(owner, name).models.values()):
            if key in m.model_fields:
                homes.append(f"{name}.{key}")
            elif depth > 1:
                homes += [f"{name}.{h}" for h in _nested_homes(m, key, depth - 1)]
    return list(dict.fromkeys(homes))[:3]


def _one_line(text: str) -> str:
    return " ".join(text.split())
