"""`archspec summary RECIPE`: the module tree with parameters per module and per component."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from archspec.commands.options import set_option

if TYPE_CHECKING:
    from rich.tree import Tree
    from torch import nn

    from archspec.spec import Recipe


@click.command()
@click.argument("recipe", type=click.Path(dir_okay=False))
@set_option()
@click.option("--depth", default=6, show_default=True, help="Levels of the module tree to show.")
def summary(recipe: str, overrides: tuple[str, ...], depth: int) -> None:
    """Build the model on the meta device (nothing allocated) and print its module tree, the
    parameters of every module and component, and the total.

    Example:

        archspec summary recipes/paper/base.yaml --set model.positional.kind=learned
    """
    import torch
    from rich.console import Console

    from archspec.analysis.memory import checkpointing_line
    from archspec.build import build_model
    from archspec.commands.recipes import load_noting
    from archspec.limits import check_fits
    from archspec.spec.vocab import assumption_note

    spec = load_noting(recipe, overrides)
    check_fits(spec, "meta", f"{recipe}: summary")
    with torch.device("meta"):
        model = build_model(spec)
    console = Console()
    console.print(module_tree(model, depth))
    console.print(component_table(model, spec))
    for line in cache_lines(spec):
        console.print(line)
    checkpointing = checkpointing_line(spec)
    if checkpointing:
        console.print(checkpointing)
    note = assumption_note(spec)  # vocab_size: auto counted without a trained tokenizer
    if note:
        console.print(note)


def module_tree(model: nn.Module, depth: int) -> Tree:
    """A rich Tree: one node per module with the parameters it holds (a tied parameter counts
    where it first appears); identical repeated layers fold into one `0-5 6 x` node."""
    from rich.markup import escape
    from rich.tree import Tree
    from torch import nn

    canonical = {id(p): n for n, p in model.named_parameters()}  # first name of each parameter
    seen: dict[int, str] = {}  # module id -> path where it first appeared

    def own(module: nn.Module, path: str) -> int:
        named = module.named_parameters(prefix=path)
        return sum(p.numel() for n, p in named if canonical[id(p)] == n)

    def label(name: str, module: nn.Module, path: str, rest: list[tuple[nn.Module, str]]) -> str:
        named = list(module.named_parameters(prefix=path))
        count = own(module, path)
        text = f"[bold]{escape(name)}[/] {type(module).__name__}  [cyan]{count:,}[/]"
        if rest:  # a module shared by the layers (T5's bias table) counts in the first only
            each = own(*rest[-1])
            total = count + sum(own(m, p) for m, p in rest)
            text = f"[bold]{escape(name)}[/] {len(rest) + 1} x {type(module).__name__}  "
            text += f"[cyan]{total:,}[/] ({each:,} each"
            text += f", {count - each:,} shared in the first)" if count != each else ")"
        tied = sorted({canonical[id(p)] for n, p in named if canonical[id(p)] != n})
        return text + (f"  [dim](tied to {', '.join(tied)})[/]" if tied else "")

    def add(node: Tree, module: nn.Module, prefix: str, level: int) -> None:
        children = list(module.named_children())
        i = 0
        while i < len(children) and level < depth:
            name, child = children[i]
            path = f"{prefix}.{name}" if prefix else name
            if id(child) in seen:
                node.add(f"[bold]{name}[/]  [dim](the module {seen[id(child)]})[/]")
                i += 1
                continue
            seen[id(child)] = path
            run = 1  # fold identical siblings (the layers of a ModuleList)
            while (
                isinstance(module, nn.ModuleList)
                and i + run < len(children)
                and repr(children[i + run][1]) == repr(child)
            ):
                run += 1
            shown = f"{name}-{children[i + run - 1][0]}" if run > 1 else name
            rest = [(c, f"{prefix}.{n}" if prefix else n) for n, c in children[i + 1 : i + run]]
            add(node.add(label(shown, child, path, rest)), child, path, level + 1)
            i += run

    root = Tree(label("model", model, "", []))
    add(root, model, "", 0)
    return root


def component_table(model: nn.Module, spec: Recipe) -> Any:
    """A rich Table of parameters per component (archspec.analysis.params.COMPONENTS), the
    built model's count beside the spec's prediction."""
    from rich.table import Table

    from archspec.analysis.params import COMPONENTS, parameter_breakdown
    from archspec.build import parameter_components

    built, predicted = parameter_components(model), parameter_breakdown(spec)
    total = sum(built.values())
    table = Table(title="Parameters per component")
    table.add_column("component")
    table.add_column("parameters", justify="right")
    table.add_column("share", justify="right")
    for comp in COMPONENTS:
        n = built.get(comp, 0)
        if n or predicted[comp]:
            mark = "" if n == predicted[comp] else f"  [red](spec predicts {predicted[comp]:,})[/]"
            table.add_row(comp, f"{n:,}{mark}", f"{100 * n / total:.1f}%")
    table.add_section()
    table.add_row("[bold]total[/]", f"[bold]{total:,}[/]", "100.0%")
    return table


def cache_lines(spec: Recipe) -> list[str]:
    """The decoding cache a model keeps (fp32), per generated token and, with cross-attention,
    per source token: what grouped-query attention shrinks."""
    from archspec.analysis.memory import cross_kv_bytes_per_source_token, kv_cache_bytes_per_token
    from archspec.diff.numbers import nbytes

    out = []
    per_token = kv_cache_bytes_per_token(spec)
    if per_token is not None:
        out.append(f"KV cache per generated token (fp32): {nbytes(per_token)}")
    cross = cross_kv_bytes_per_source_token(spec)
    if cross is not None:
        out.append(f"cross-attention K/V per source token (fp32): {nbytes(cross)}")
    return out
