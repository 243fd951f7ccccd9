"""Read YAML like `yaml.safe_load`, but remember the file, line and column of every key and value.

PyYAML composes a node tree (every node carries its start mark) before it constructs Python
objects; we walk that tree ourselves, so the plain data and its `SourceMap` come out together.
Two differences from `safe_load`, both on purpose: a key repeated in one mapping is an error
(PyYAML silently keeps the last), and a document that is not a mapping is refused by the callers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from archspec.recipe.errors import RecipeError
from archspec.recipe.source import DocPath, Location, SourceMap, display_path, dotted

MERGE_TAG = "tag:yaml.org,2002:merge"


def read_yaml_file(path: Path | str) -> tuple[Any, SourceMap]:
    """Read one YAML file: (data, locations).  Missing, unreadable or empty files are errors."""
    path = Path(path)
    name = display_path(path)
    if not path.exists():
        raise RecipeError.at(name, "no such file")
    if path.is_dir():
        raise RecipeError.at(name, "is a directory, not a recipe file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise RecipeError.at(name, f"cannot be read: {err}") from None
    return read_yaml_text(text, name)


def read_yaml_text(text: str, name: str) -> tuple[Any, SourceMap]:
    """Parse YAML text; `name` is what messages call the source (a file path, `--set ...`)."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise RecipeError.at(Location(name, 1, 1), "the file is empty (expected a recipe)")
        sources = SourceMap(_loc(name, node))
        data = _Walker(loader, name, sources).value(node, ())
    except yaml.MarkedYAMLError as err:
        raise RecipeError.at(_mark(name, err), _yaml_problem(err)) from None
    except yaml.YAMLError as err:  # unmarked reader errors, e.g. a control character
        raise RecipeError.at(name, f"not valid YAML: {err}") from None
    finally:
        loader.dispose()
    return data, sources


def _loc(name: str, node: Node) -> Location:
    return Location(name, node.start_mark.line + 1, node.start_mark.column + 1)


def _mark(name: str, err: yaml.MarkedYAMLError) -> Location:
    mark = err.problem_mark or err.context_mark
    return Location(name, mark.line + 1, mark.column + 1) if mark else Location(name)


def _yaml_problem(err: yaml.MarkedYAMLError) -> str:
    problem = err.problem or "not valid YAML"
    if "single document" in (err.context or ""):
        return "a recipe is one YAML document, found a second one (a '---' line)"
    context = f" ({err.context})" if err.context else ""
    start, mark = err.context_mark, err.problem_mark
    if context and start is not None and (mark is None or start.line != mark.line):
        context = f" ({err.context} started on line {start.line + 1})"
    return f"YAML syntax error: {problem}{context}"


class _Walker:
    """Builds the plain data from composed nodes, filling the SourceMap as it goes."""

    def __init__(self, loader: yaml.SafeLoader, name: str, sources: SourceMap) -> None:
        self.loader, self.name, self.sources = loader, name, sources
        self.active: set[int] = set()  # nodes being walked: a recursive alias is an error

    def value(self, node: Node, path: DocPath) -> Any:
        self.sources.values[path] = _loc(self.name, node)
        if id(node) in self.active:
            raise RecipeError.at(_loc(self.name, node), "a YAML alias refers to itself")
        if isinstance(node, MappingNode) and node.tag == "tag:yaml.org,2002:map":
            self.active.add(id(node))
            try:
                return self.mapping(node, path)
            finally:
                self.active.discard(id(node))
        if isinstance(node, SequenceNode) and node.tag == "tag:yaml.org,2002:seq":
            self.active.add(id(node))
            try:
                return [self.value(item, (*path, i)) for i, item in enumerate(node.value)]
            finally:
                self.active.discard(id(node))
        # scalars, and the rare explicitly tagged collections (!!set, !!omap): as safe_load does
        return self.loader.construct_object(node, deep=True)

    def mapping(self, node: MappingNode, path: DocPath) -> dict[Any, Any]:
        seen: dict[Any, Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == MERGE_TAG:  # `<<: *anchor` may be overridden by explicit keys
                continue
            key = self.key(key_node)
            if key in seen:
                first = seen[key].start_mark.line + 1
                raise RecipeError.at(
                    _loc(self.name, key_node),
                    f"{dotted((*path, key))}: duplicate key '{key}' (first set on line {first}); "
                    "YAML would silently keep only the last one",
                )
            seen[key] = key_node
        self.loader.flatten_mapping(node)  # resolves `<<` merge keys, explicit keys win
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.key(key_node)
            self.sources.keys[(*path, key)] = _loc(self.name, key_node)
            out[key] = self.value(value_node, (*path, key))
        return out

    def key(self, node: Node) -> Any:
        scalar = isinstance(node, ScalarNode)
        key = self.loader.construct_object(node, deep=True) if scalar else None
        if key is None or not isinstance(key, str | int | bool | float):
            raise RecipeError.at(_loc(self.name, node), "a mapping key must be a plain word")
        return key
