"""Read YAML like `yaml.safe_load`, but remember the file, line and column of every key and value.

PyYAML composes a node tree (every node carries its start mark) before it constructs Python
objects; we walk that tree ourselves, so the plain data and its `SourceMap` come out together.
Differences from `safe_load`, all on purpose: a key repeated in one mapping is an error
(PyYAML silently keeps the last), and a document that is not a mapping is refused by the callers.
This is the one guarded read path for recipes, sweep files and `--set` values, so hostile input
fails fast with a located message: files over MAX_BYTES are refused before parsing, alias
expansion is bounded (MAX_VALUES values in all: a "billion laughs" stops at once), bytes that are
not UTF-8, NUL and other control characters are reported at their line, and `1e-6` is a number
(as in YAML 1.2; PyYAML's 1.1 rules would make it a string).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from archspec.recipe.errors import RecipeError
from archspec.recipe.source import DocPath, Location, SourceMap, display_path, dotted

MERGE_TAG = "tag:yaml.org,2002:merge"
MAX_BYTES = 4 * 1024 * 1024
"""Largest YAML input read (a recipe is a few KB; a sweep file a few tens)."""
MAX_VALUES = 100_000
"""Most values one document may expand to, aliases counted each time they are used."""
MAX_DEPTH = 200
"""Deepest nesting of mappings and lists."""


class GuardedLoader(yaml.SafeLoader):
    """SafeLoader that also reads YAML 1.2 exponent floats (`1e-6`, `3E+4`) as numbers."""


GuardedLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def read_yaml_file(path: Path | str) -> tuple[Any, SourceMap]:
    """Read one YAML file: (data, locations).  Missing, unreadable or empty files are errors."""
    path = Path(path)
    name = display_path(path)
    if not path.exists():
        raise RecipeError.at(name, "no such file")
    if path.is_dir():
        raise RecipeError.at(name, "is a directory, not a recipe file")
    return read_yaml_text(decode(read_bounded(path, name), name), name)


def read_bounded(path: Path, name: str, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a file, refused when it holds more than `limit` (also /dev/zero, a pipe)."""
    try:
        with open(path, "rb") as f:
            raw = f.read(limit + 1)
    except OSError as err:
        raise RecipeError.at(name, f"cannot be read: {err.strerror or err}") from None
    if len(raw) > limit:
        raise RecipeError.at(
            name, f"is larger than {limit // (1024 * 1024)} MB; a recipe or sweep file is text"
        )
    return raw


def decode(raw: bytes, name: str) -> str:
    """UTF-8 text, or an error naming the line and column of the first byte that is not."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        col = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        byte = raw[err.start : err.start + 1].hex()
        raise RecipeError.at(
            Location(name, line, col), f"byte 0x{byte} is not UTF-8 text (save the file as UTF-8)"
        ) from None


def read_yaml_text(text: str, name: str) -> tuple[Any, SourceMap]:
    """Parse YAML text; `name` is what messages call the source (a file path, `--set ...`)."""
    if len(text) > MAX_BYTES:
        raise RecipeError.at(name, f"is larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        loader = GuardedLoader(text)  # the reader checks every character here
    except yaml.reader.ReaderError as err:  # a NUL byte or another control character
        raise RecipeError.at(_position(name, text, err.position), _reader_problem(err)) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise RecipeError.at(Location(name, 1, 1), "the file is empty (expected a recipe)")
        sources = SourceMap(_loc(name, node))
        data = _Walker(loader, name, sources).value(node, ())
    except yaml.MarkedYAMLError as err:
        raise RecipeError.at(_mark(name, err), _yaml_problem(err)) from None
    except yaml.reader.ReaderError as err:  # a NUL byte or another control character
        raise RecipeError.at(_position(name, text, err.position), _reader_problem(err)) from None
    except yaml.YAMLError as err:
        raise RecipeError.at(name, f"not valid YAML: {err}") from None
    except RecursionError:
        raise RecipeError.at(name, f"nested more than {MAX_DEPTH} levels deep") from None
    finally:
        loader.dispose()
    return data, sources


def parse_yaml_value(text: str, name: str) -> Any:
    """One YAML value (a `--set` value), read with the same guards as a file; errors name
    `name` and say the value is not valid YAML."""
    if not text.strip():
        return None
    try:
        return read_yaml_text(text, name)[0]
    except RecipeError as err:
        first = err.messages[0].split(": ", 1)[-1] if ": " in err.messages[0] else ""
        first = first.removeprefix("YAML syntax error: ")
        raise RecipeError.at(name, f"the value is not valid YAML: {first}") from None


def _position(name: str, text: str, index: int) -> Location:
    line = text.count("\n", 0, index) + 1
    return Location(name, line, index - (text.rfind("\n", 0, index) + 1) + 1)


def _reader_problem(err: yaml.reader.ReaderError) -> str:
    char = err.character
    code = ord(char) if isinstance(char, str) else int(char)
    what = "a NUL byte" if code == 0 else f"control character U+{code:04X}"
    return f"{what} is not allowed in YAML text (remove it)"


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
        self.count = 0  # values produced, aliases counted at every use

    def value(self, node: Node, path: DocPath) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise RecipeError.at(
                _loc(self.name, node),
                f"expands to more than {MAX_VALUES:,} values (aliases that repeat aliases?); "
                "a recipe is far smaller",
            )
        if len(path) > MAX_DEPTH:
            raise RecipeError.at(_loc(self.name, node), f"nested more than {MAX_DEPTH} levels")
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
