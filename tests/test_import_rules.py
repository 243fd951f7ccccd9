"""The import rules of ../shared/STYLE.md, checked on the source of every archspec module.

Each module is parsed with `ast` and every import is found: at module level, inside a
function (a lazy import, still an edge), or under `if TYPE_CHECKING:` (for annotations only).
RULES says, per part of the package, which imports it must not make and at which of those
levels. To add a rule, add a row; to add a part of the package, give it the rows it needs.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "archspec"

ALL = frozenset({"module", "function", "typing"})
EAGER = frozenset({"module"})
"""Levels: `module` runs on import; `function` runs when called; `typing` never runs."""

TORCH = ("torch", "lightning", "pytorch_lightning", "torchmetrics")
MODEL_CODE = ("archspec.nn", "archspec.build", "archspec.train", "archspec.fast")
NEEDS_TORCH = (
    *TORCH,
    *MODEL_CODE,
    "archspec.data",
    "archspec.decoding",
    "archspec.evaluation",
    "archspec.loading",
    "archspec.pictures",
)
"""Imports that (may) load torch: a module that must stay instant imports none eagerly."""


@dataclass(frozen=True)
class Rule:
    scope: str
    """The modules the rule binds: a dotted name and everything under it."""
    forbidden: tuple[str, ...]
    """Imported names (a dotted name and everything under it) the scope must not import."""
    levels: frozenset[str]
    """At which levels an import counts (see ALL)."""
    why: str
    exempt: tuple[str, ...] = ()
    """Modules of the scope the rule does not bind (and everything under them)."""


RULES = [
    Rule(
        "archspec.spec",
        (*TORCH, *MODEL_CODE, "archspec.recipe", "archspec.data", "archspec.sweep"),
        ALL,
        "spec/ is torch-free data: validate, diff and the JSON Schema see only it",
    ),
    Rule(
        "archspec.nn",
        ("pydantic", "archspec.spec", "archspec.recipe", "archspec.components", "archspec.build"),
        ALL,
        "nn/ holds plain nn.Modules that never see a recipe; only build.py knows both sides",
    ),
    Rule(
        "archspec.recipe",
        (*TORCH, *MODEL_CODE, "archspec.sweep", "archspec.data"),
        ALL,
        "recipe/ turns text into a Recipe; sweeps and training build on it, not under it",
    ),
    Rule(
        "archspec.analysis",
        (*TORCH, *MODEL_CODE),
        ALL,
        "the counts of validate, summary and diff come from the spec alone, without torch",
    ),
    Rule(
        "archspec.data",
        ("archspec.recipe",),
        ALL,
        "data/ reads files named by an already validated spec; it has no recipe to report on",
    ),
    Rule(
        "archspec.loading",
        ("archspec.train",),
        ALL,
        "loading a trained run for use needs the objective's module, not the training machinery",
    ),
    Rule(
        "archspec.build",
        ("lightning", "archspec.train", "archspec.recipe", "archspec.data"),
        ALL,
        "build.py turns a spec into modules; training and recipe files come later",
    ),
    Rule(
        "archspec.components",
        (*TORCH, *MODEL_CODE),
        EAGER,
        "registering a component imports no torch: its hooks import torch when called",
    ),
    Rule(
        "archspec",
        ("click",),
        ALL,
        "library packages do not import click: archspec/commands/ is the click layer",
        exempt=("archspec.cli", "archspec.commands"),
    ),
    Rule(
        "archspec",
        ("archspec.cli", "archspec.commands", "archspec.__main__"),
        ALL,
        "the library never calls back into the command line",
        exempt=("archspec.cli", "archspec.commands", "archspec.__main__"),
    ),
    Rule(
        "archspec.commands",
        NEEDS_TORCH,
        EAGER,
        "`archspec --help` imports every command module: each imports torch only when run",
    ),
    Rule(
        "archspec.cli",
        (*NEEDS_TORCH, "archspec.commands"),
        EAGER,
        "the click group loads a command's module only when that command is asked for",
    ),
]


@dataclass(frozen=True)
class Import:
    module: str
    """The module that imports."""
    name: str
    """The module imported (absolute)."""
    level: str
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path) -> list[Import]:
    """Every import in the file at `path`, with the level it happens at."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[Import] = []

    def absolute(node: ast.ImportFrom) -> list[str]:
        if not node.level:
            base = node.module or ""
        else:
            parts = package.split(".")
            base = ".".join(parts[: len(parts) - node.level + 1] + [node.module or ""]).strip(".")
        # `from archspec import train` imports archspec.train: count both spellings
        return [base, *(f"{base}.{alias.name}" for alias in node.names)]

    def visit(node: ast.AST, level: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = level
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                inner = "function" if level == "module" else level
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                for stmt in child.body:
                    visit(ast.Module(body=[stmt], type_ignores=[]), "typing")
                for stmt in child.orelse:
                    visit(ast.Module(body=[stmt], type_ignores=[]), level)
                continue
            if isinstance(child, ast.Import):
                found.extend(Import(module, a.name, inner, child.lineno) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                found.extend(Import(module, n, inner, child.lineno) for n in absolute(child))
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)), "module")
    return found


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


MODULES = sorted(PACKAGE.rglob("*.py"))


def violations(rule: Rule) -> list[str]:
    out = []
    for path in MODULES:
        name = module_name(path)
        if not _under(name, rule.scope) or any(_under(name, e) for e in rule.exempt):
            continue
        seen: set[int] = set()  # one report per import statement
        for imp in imports_of(path):
            bad = imp.level in rule.levels and any(_under(imp.name, f) for f in rule.forbidden)
            if bad and imp.line not in seen:
                seen.add(imp.line)
                where = path.relative_to(PACKAGE.parent)
                out.append(f"{where}:{imp.line}: imports {imp.name} ({imp.level} level)")
    return out


@pytest.mark.parametrize(
    "rule",
    RULES,
    ids=[f"{r.scope} no {r.forbidden[0]}{' eagerly' if r.levels == EAGER else ''}" for r in RULES],
)
def test_import_rule_holds(rule: Rule) -> None:
    found = violations(rule)
    assert not found, f"{rule.scope}: {rule.why}\n" + "\n".join(found)


def test_every_rule_binds_some_module() -> None:
    """A rule whose scope names no module (a package renamed) would pass forever."""
    names = [module_name(p) for p in MODULES]
    assert not [r.scope for r in RULES if not any(_under(n, r.scope) for n in names)]


def test_the_checker_sees_every_kind_of_import(tmp_path, monkeypatch) -> None:
    """The parser finds module-level, function-level, relative and TYPE_CHECKING imports."""
    package = tmp_path / "archspec"
    (package / "spec").mkdir(parents=True)
    source = (
        "from typing import TYPE_CHECKING\n"
        "import torch.nn\n"
        "from ..train import run\n"
        "if TYPE_CHECKING:\n"
        "    from lightning import Trainer\n"
        "def f():\n"
        "    from archspec import build\n"
        "class C:\n"
        "    def g(self):\n"
        "        import click\n"
    )
    (package / "spec" / "x.py").write_text(source)
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", package)
    found = {(i.name, i.level) for i in imports_of(package / "spec" / "x.py")}
    assert {
        ("torch.nn", "module"),
        ("archspec.train.run", "module"),
        ("lightning", "typing"),
        ("archspec.build", "function"),
        ("click", "function"),
    } <= found
    monkeypatch.setattr(sys.modules[__name__], "MODULES", [package / "spec" / "x.py"])
    assert len(violations(RULES[0])) == 4  # torch.nn, train, lightning, build
