"""Where every value of a recipe came from: file, line and column, kept through merging.

A `SourceMap` maps a path (a tuple of keys and list indices, e.g. ("model", "heads")) to the
`Location` of its key and of its value.  Error messages look locations up by the dotted path
pydantic reports; values set by `--set` point at the `--set` text instead of a file line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

Key = str | int
DocPath = tuple[Key, ...]


@dataclass(frozen=True)
class Location:
    """A place a user can go to: `file:line:col` (1-based), or just a label such as `--set a=1`."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}" if self.line else self.file

    @property
    def is_file(self) -> bool:
        return self.line > 0


def display_path(path: Path | str) -> str:
    """A path as a user would type it: relative to the working directory when inside it."""
    path = Path(path)
    try:
        rel = os.path.relpath(path.resolve(), Path.cwd())
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel


def dotted(path: DocPath) -> str:
    """("model", "positional", "kind") -> "model.positional.kind"; list indices as [i]."""
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


@dataclass
class SourceMap:
    """Locations of the keys and values of one document (or of several merged documents)."""

    origin: Location
    """Where the document as a whole comes from; used when no closer location is known."""
    keys: dict[DocPath, Location] = field(default_factory=dict)
    values: dict[DocPath, Location] = field(default_factory=dict)

    def copy(self) -> SourceMap:
        return SourceMap(self.origin, dict(self.keys), dict(self.values))

    def value(self, path: DocPath) -> Location:
        """The location of the value at `path`, or of the closest ancestor that has one."""
        return self._closest(path, prefer_key=False)

    def key(self, path: DocPath) -> Location:
        """The location of the key at `path` (its value's, or an ancestor's, when unknown)."""
        return self._closest(path, prefer_key=True)

    def has(self, path: DocPath) -> bool:
        return path in self.values or path in self.keys

    def _closest(self, path: DocPath, prefer_key: bool) -> Location:
        first, second = (self.keys, self.values) if prefer_key else (self.values, self.keys)
        while True:
            for table in (first, second):
                if path in table:
                    return table[path]
            if not path:
                return self.origin
            path = path[:-1]

    def drop(self, prefix: DocPath) -> None:
        """Forget every location at or below `prefix` (its value was replaced)."""
        n = len(prefix)
        for table in (self.keys, self.values):
            for path in [p for p in table if p[:n] == prefix]:
                del table[path]

    def take(self, other: SourceMap, prefix: DocPath) -> None:
        """Copy every location at or below `prefix` from `other` (its value was set there)."""
        n = len(prefix)
        for mine, theirs in ((self.keys, other.keys), (self.values, other.values)):
            for path, loc in theirs.items():
                if path[:n] == prefix:
                    mine[path] = loc

    def everywhere(self, loc: Location, paths: list[DocPath]) -> None:
        """Point every given path (key and value) at one location, e.g. a `--set` text."""
        for path in paths:
            self.keys[path] = loc
            self.values[path] = loc
