"""SweepFile -> Plan: every variant's recipe, validated, before anything trains.

For each case (in file order), each grid point (the last axis varies fastest), each random
sample and each seed, the variant's recipe is

    base -> case changes -> grid values -> random values -> trainer.seed
         -> shrink (widths divided, then shrink.set) -> the command line's recipe --sets

applied with the same machinery as `--set` (so kinds switch the same way), each change
remembering the sweep-file line it came from.  Every variant is validated; all problems of all
variants are reported together, each naming its variant, and identical problems once.
"""

from __future__ import annotations

import itertools
import math
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from archspec.recipe.errors import RecipeError
from archspec.recipe.loader import validate_document
from archspec.recipe.overrides import apply_override, parse_override
from archspec.recipe.source import Location, SourceMap
from archspec.spec import Recipe
from archspec.spec.model import ModelCommon
from archspec.sweep.load import SweepFile
from archspec.sweep.metrics import check_metrics
from archspec.sweep.spec import IntSampler, LogUniformSampler, Sampler, UniformSampler

WIDTHS = ("d_model", "d_ff", "d_k", "d_v")
"""The model settings `shrink.factor` divides."""


@dataclass
class Change:
    """One setting a variant changes, and where the sweep says so."""

    path: str
    value: Any
    where: Location
    axis: str
    """case, grid, random, seed, shrink or set (the command line)."""


@dataclass
class Variant:
    """One recipe the sweep trains."""

    name: str
    case: str | None
    changes: list[Change]
    recipe: Recipe
    full: Recipe
    """The same variant without `shrink` (its full-size parameter count is the one a
    reference compares with)."""
    reference: dict[str, float] = field(default_factory=dict)
    axes: dict[str, Any] = field(default_factory=dict)
    """Grid and random settings of this variant (dotted path -> value)."""

    def value(self, leaf: str) -> Any:
        """The variant's value at a dotted path of its resolved recipe (None when absent)."""
        return lookup(self.recipe.model_dump(mode="json"), leaf)


@dataclass
class Plan:
    """The expanded sweep."""

    sweep: SweepFile
    base: Recipe
    """The base with the variant-wide changes (shrink, command line): what blank cells mean."""
    variants: list[Variant]
    varied: list[str]
    """Dotted leaf paths some axis changes, in the order the sweep file first names them."""
    counts: dict[str, int]
    """cases, grid points, random samples, seeds."""

    @property
    def name(self) -> str:
        return self.sweep.name


def lookup(data: Any, dotted: str) -> Any:
    for key in dotted.split("."):
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def expand(sweep: SweepFile) -> Plan:
    """Every variant of the sweep, validated; RecipeError lists every problem of every one."""
    spec = sweep.spec
    cases = _cases(sweep)
    grid = _grid(sweep)
    samples = _samples(sweep)
    seeds = spec.seed_list or list(range(spec.n_seeds))
    explicit_seeds = spec.seed_list is not None
    short = short_names(list(spec.grid))
    base_seed = lookup(sweep.base, "trainer.seed") or 0

    variants: list[Variant] = []
    problems: dict[str, list[str]] = {}
    for (case, case_changes, reference), point, (sample_name, sample), seed in itertools.product(
        cases, grid, samples, seeds
    ):
        parts = [case] if case is not None else []
        parts += [f"{short[c.path]}={_fmt(c.value)}" for c in point]
        parts += [sample_name] if sample_name else []
        changes = [*case_changes, *point, *sample]
        if spec.n_seeds > 1 or explicit_seeds:
            value = seed if explicit_seeds else base_seed + seed
            changes.append(Change("trainer.seed", value, sweep.sources.value(("seeds",)), "seed"))
            if spec.n_seeds > 1:
                parts.append(f"seed={value}")
        name = _unique("+".join(parts) or "base", {v.name for v in variants})
        try:
            recipe, full = _build(sweep, changes)
        except RecipeError as err:
            for message in err.messages:
                problems.setdefault(message, []).append(name)
            continue
        axes = {c.path: c.value for c in [*point, *sample]}
        variants.append(Variant(name, case, changes, recipe, full, dict(reference), axes))
    total = len(cases) * len(grid) * len(samples) * len(seeds)
    if not problems:
        problems.update(check_metrics(spec.metrics, sweep.sources, variants))
    if problems:
        bad = len({n for names in problems.values() for n in names})
        lines = [f"{message} [{_who(names, total)}]" for message, names in problems.items()]
        lines.append(f"{bad} of {total} variants are invalid; nothing was trained")
        raise RecipeError(lines)
    base = _build(sweep, [])[0]
    counts = {"cases": len(cases), "grid": len(grid), "random": len(samples), "seeds": len(seeds)}
    return Plan(sweep, base, variants, _varied(variants), counts)


def _build(sweep: SweepFile, changes: list[Change]) -> tuple[Recipe, Recipe]:
    """(recipe, the recipe without shrink) of one variant."""
    notes: list[str] = []
    data, sources = sweep.base, sweep.base_sources.copy()
    data, sources = _apply(data, sources, changes, notes)
    cli = [_cli_change(text) for text in sweep.recipe_sets]
    full_data, full_sources = _apply(data, sources, cli, notes)
    full = validate_document(Recipe, full_data, full_sources)
    shrink = sweep.spec.shrink
    if shrink.factor > 1:
        data, sources = _apply(data, sources, _divide(sweep, data), notes)
        extra = [
            Change(p, v, sweep.sources.value(("shrink", "set", p)), "shrink")
            for p, v in shrink.set.items()
        ]
        data, sources = _apply(data, sources, [*extra, *cli], notes)
        recipe = validate_document(Recipe, data, sources)
    else:
        recipe, sources = full, full_sources
    _check_files(recipe, sources, sweep.recipe_dir)
    sweep.notes.extend(n for n in notes if n not in sweep.notes)
    return recipe, full


def _check_files(recipe: Recipe, sources: SourceMap, recipe_dir: Path) -> None:
    """Data files must exist (in the working directory or beside the base recipe), so that a
    typo fails the dry run rather than the variant."""
    source = recipe.data.source if recipe.data is not None else None
    problems = []
    for key in ("path", "val_path", "test_path"):
        value = getattr(source, key, None)
        if value is None or Path(value).exists() or (recipe_dir / value).exists():
            continue
        where = sources.value(("data", "source", key))
        problems.append(f"{where}: data.source.{key}: no such file '{value}'")
    if problems:
        raise RecipeError(problems)


def _apply(
    data: dict[str, Any], sources: SourceMap, changes: list[Change], notes: list[str]
) -> tuple[dict[str, Any], SourceMap]:
    for change in changes:
        keys = tuple(k.strip() for k in change.path.split("."))
        data, sources = apply_override(
            data, sources, keys, change.value, change.where, Recipe, notes
        )
    return data, sources


def _cli_change(text: str) -> Change:
    path, value = parse_override(text)
    return Change(".".join(map(str, path)), value, Location(f"--set {text}"), "set")


def _divide(sweep: SweepFile, data: dict[str, Any]) -> list[Change]:
    """The width changes `shrink.factor` makes to one variant's recipe document."""
    factor = sweep.spec.shrink.factor
    where = sweep.sources.value(("shrink", "factor"))
    model = data["model"] if isinstance(data.get("model"), dict) else {}
    out = []
    problems = []
    for key in WIDTHS:
        value = model.get(key, ModelCommon.model_fields[key].default)
        if value is None or not isinstance(value, int):
            continue
        if value % factor:
            problems.append(
                f"{where}: shrink.factor: {factor} does not divide model.{key} {value}; "
                "choose a factor that divides every width"
            )
            continue
        out.append(Change(f"model.{key}", value // factor, where, "shrink"))
    if problems:
        raise RecipeError(problems)
    return out


def _cases(sweep: SweepFile) -> list[tuple[str | None, list[Change], dict[str, float]]]:
    spec = sweep.spec
    if spec.cases is None:
        return [(None, [], {})]
    out: list[tuple[str | None, list[Change], dict[str, float]]] = []
    for name, case in spec.cases.items():
        changes = [
            Change(p, v, sweep.sources.value(("cases", name, "set", p)), "case")
            for p, v in case.set.items()
        ]
        out.append((name, changes, dict(case.reference)))
    return out


def _grid(sweep: SweepFile) -> list[list[Change]]:
    axes = [
        [Change(p, v, sweep.sources.value(("grid", p, i)), "grid") for i, v in enumerate(values)]
        for p, values in sweep.spec.grid.items()
    ]
    return [list(point) for point in itertools.product(*axes)]


def _samples(sweep: SweepFile) -> list[tuple[str, list[Change]]]:
    """The random search's draws: one random.Random(seed) draws every setting of sample 0,
    then of sample 1, ... in the order `space` lists them."""
    spec = sweep.spec.random
    if spec is None:
        return [("", [])]
    rng = random.Random(spec.seed)
    width = len(str(spec.samples - 1))
    out = []
    for i in range(spec.samples):
        changes = [
            Change(p, draw(s, rng), sweep.sources.value(("random", "space", p)), "random")
            for p, s in spec.space.items()
        ]
        out.append((f"r{i:0{width}d}", changes))
    return out


def draw(sampler: Sampler, rng: random.Random) -> Any:
    """One value from a sampler."""
    match sampler:
        case UniformSampler(low=low, high=high):
            return rng.uniform(low, high)
        case LogUniformSampler(low=low, high=high):
            return math.exp(rng.uniform(math.log(low), math.log(high)))
        case IntSampler(low=low, high=high, step=step):
            return low + step * rng.randrange((high - low) // step + 1)
        case _:
            return rng.choice(sampler.values)


def short_names(paths: list[str]) -> dict[str, str]:
    """The shortest dotted suffix that tells each grid path apart: d_ff, encoder.layers."""
    out = {}
    for path in paths:
        keys = path.split(".")
        for n in range(1, len(keys) + 1):
            suffix = ".".join(keys[-n:])
            if sum(1 for p in paths if p == suffix or p.endswith("." + suffix)) == 1:
                out[path] = suffix
                break
        else:
            out[path] = path
    return out


def _fmt(value: Any) -> str:
    """A value as it reads in a variant (and folder) name."""
    if isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, float):
        text = f"{value:g}"
    elif isinstance(value, dict | list):
        text = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    else:
        text = str(value)
    return re.sub(r"[^A-Za-z0-9._=-]+", "_", text).strip("_") or "_"


def _unique(name: str, taken: set[str]) -> str:
    out, n = name, 1
    while out in taken:
        n += 1
        out = f"{name}~{n}"
    return out


def _who(names: list[str], total: int) -> str:
    if len(names) == total and total > 1:
        return f"every variant ({total})"
    shown = ", ".join(names[:4])
    more = f" and {len(names) - 4} more" if len(names) > 4 else ""
    return f"variant{'s' if len(names) > 1 else ''} {shown}{more}"


def _varied(variants: list[Variant]) -> list[str]:
    """Leaf paths the axes change (a mapping value counts by its leaves)."""
    out: list[str] = []
    for v in variants:
        for c in v.changes:
            if c.axis in ("case", "grid", "random", "seed"):
                for leaf in _leaves(c.path, c.value):
                    if leaf not in out:
                        out.append(leaf)
    return out


def _leaves(path: str, value: Any) -> list[str]:
    if isinstance(value, dict) and value:
        return [leaf for k, v in value.items() for leaf in _leaves(f"{path}.{k}", v)]
    return [path]
