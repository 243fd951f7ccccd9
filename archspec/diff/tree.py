"""Structural difference of two module trees, from their parameter manifests.

A module is the dotted prefix of its parameters (`encoder.layers.3.self_attn.sublayer.qkv`
holds `weight` and `bias`).  Each module present in one tree only is "added" or "removed"; a
module whose parameters or shapes differ is "changed".  Whole layers that one stack has and the
other lacks become one row (`encoder.layers.{6..7}` added), and rows that repeat across the
layers of a stack fold into one (`encoder.layers.{0..5}.ffn.sublayer.w_in`), so a diff of two
6-layer models reads in a dozen lines rather than hundreds.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from math import prod
from typing import Literal

from archspec.analysis.structure import Manifest, Shape

Change = Literal["added", "removed", "changed"]
LAYER = re.compile(r"^(?P<stack>.+?\.layers)\.(?P<index>\d+)(?:\.(?P<rest>.+))?$")


@dataclass(frozen=True)
class ModuleChange:
    """One row of the structural diff: a module (or a run of folded layers) that differs."""

    path: str
    """Dotted module path; `{0..5}` where rows of several layers fold into one."""
    change: Change
    a: dict[str, Shape] = field(default_factory=dict)
    """Parameter name -> shape on side A (empty when added, or for a whole-layer row)."""
    b: dict[str, Shape] = field(default_factory=dict)
    """Parameter name -> shape on side B (empty when removed, or for a whole-layer row)."""
    layers: int = 0
    """For a whole-layer row: how many layers it stands for (0 otherwise)."""
    params_a: int = 0
    """Parameters this row stands for on side A (all its folded layers)."""
    params_b: int = 0
    """Parameters this row stands for on side B."""


def modules(manifest: Manifest) -> dict[str, dict[str, Shape]]:
    """Module path -> {parameter name: shape}, in manifest order."""
    out: dict[str, dict[str, Shape]] = {}
    for name, shape in manifest.items():
        module, _, param = name.rpartition(".")
        out.setdefault(module, {})[param] = shape
    return out


def fold_indices(indices: list[int]) -> str:
    """[0, 1, 2, 5] -> '{0..2,5}'; [4] -> '4'."""
    if len(indices) == 1:
        return str(indices[0])
    runs: list[str] = []
    values = sorted(set(indices))
    start = prev = values[0]
    for i in [*values[1:], None]:
        if i is not None and i == prev + 1:
            prev = i
            continue
        runs.append(str(start) if start == prev else f"{start}..{prev}")
        if i is not None:
            start = prev = i
    return "{" + ",".join(runs) + "}"


def _count(params: dict[str, Shape]) -> int:
    return sum(prod(s) for s in params.values())


def _layer_sets(mods: dict[str, dict[str, Shape]]) -> dict[str, set[int]]:
    """Stack path (`encoder.layers`) -> the layer indices it has."""
    out: dict[str, set[int]] = {}
    for path in mods:
        if found := LAYER.match(path):
            out.setdefault(found["stack"], set()).add(int(found["index"]))
    return out


def _union_order(a: list[str], b: list[str]) -> list[str]:
    """Both lists merged, each keeping its order (B's insertions placed where B has them)."""
    out: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        out.extend(a[i1:i2])
        if tag != "equal":
            out.extend(x for x in b[j1:j2] if x not in a)
    return list(dict.fromkeys(out))


def structure_diff(a: Manifest, b: Manifest) -> list[ModuleChange]:
    """Every module that differs between two manifests, repeated layers folded, in tree order."""
    mods_a, mods_b = modules(a), modules(b)
    layers_a, layers_b = _layer_sets(mods_a), _layer_sets(mods_b)
    groups: dict[tuple, list[int | None]] = {}  # row key -> layer indices, first-seen order
    counts: dict[tuple, int] = {}  # whole-layer row key -> parameters
    for path in _union_order(list(mods_a), list(mods_b)):
        pa, pb = mods_a.get(path), mods_b.get(path)
        found = LAYER.match(path)
        if found:
            stack, index = found["stack"], int(found["index"])
            if index not in layers_a.get(stack, set()) or index not in layers_b.get(stack, set()):
                change = "added" if index not in layers_a.get(stack, set()) else "removed"
                key: tuple = ("layers", stack, change)
                indices = groups.setdefault(key, [])
                if index not in indices:
                    indices.append(index)
                counts[key] = counts.get(key, 0) + _count(pa or pb or {})
                continue
        if pa == pb:
            continue
        change = "added" if pa is None else "removed" if pb is None else "changed"
        pattern = path
        if found:  # the layer index becomes a slot that fold_indices fills
            pattern = f"{found['stack']}.{{}}" + (f".{found['rest']}" if found["rest"] else "")
        key = ("module", pattern, change, _frozen(pa), _frozen(pb))
        groups.setdefault(key, []).append(int(found["index"]) if found else None)
    return [_row(key, indices, counts.get(key, 0)) for key, indices in groups.items()]


def _row(key: tuple, indices: list[int | None], count: int) -> ModuleChange:
    if key[0] == "layers":
        _, stack, change = key
        path = f"{stack}.{fold_indices([i for i in indices if i is not None])}"
        added = change == "added"
        return ModuleChange(
            path,
            change,
            layers=len(indices),
            params_a=0 if added else count,
            params_b=count if added else 0,
        )
    _, pattern, change, fa, fb = key
    pa, pb = dict(fa or ()), dict(fb or ())
    shown = [i for i in indices if i is not None]
    path = pattern.format(fold_indices(shown)) if shown else pattern
    n = len(indices)
    return ModuleChange(path, change, pa, pb, 0, n * _count(pa), n * _count(pb))


def _frozen(params: dict[str, Shape] | None) -> tuple | None:
    return None if params is None else tuple(params.items())
