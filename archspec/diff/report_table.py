"""`archspec diff` in a terminal: aligned rich tables, old values red and new ones green.

Colour is used only when the output is a terminal (rich's own detection, which also honours
NO_COLOR and FORCE_COLOR); piped or redirected output is plain text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from archspec.diff.report import DiffReport
from archspec.diff.sections import Section, sections, side_assumption, side_line

if TYPE_CHECKING:
    from rich.console import Console

STYLES = {
    "changed": ("red", "green", "yellow"),
    "added": ("", "green", "green"),
    "removed": ("red", "", "red"),
}
"""Row status -> styles of its A cell, its B cell and its change column."""


PIPE_WIDTH = 120
"""Line width when the output is not a terminal and COLUMNS is unset (rich would pick 80, which
folds the module tree of a file or pager into a column of fragments)."""


def render_table(report: DiffReport, show_all: bool = False, console: Console | None = None) -> str:
    """The report as terminal text: coloured when `console` (default: stdout's) is a terminal,
    plain otherwise; trailing spaces stripped."""
    import os

    from rich.console import Console
    from rich.text import Text

    if console is None:
        console = Console(highlight=False)
        if not console.is_terminal and "COLUMNS" not in os.environ:
            console = Console(highlight=False, width=PIPE_WIDTH)
    with console.capture() as captured:
        console.print(Text("archspec diff", style="bold"))
        for name, side in (("A", report.a), ("B", report.b)):
            console.print(Text(side_line(name, side)))
            note = side_assumption(side)
            if note:
                console.print(Text(f"   {note}", style="dim"))
        for section in sections(report, show_all):
            console.print()
            if section.rows:
                console.print(_rich_table(section))
            else:
                console.print(Text(section.title, style="bold"))
                console.print(Text(f"  {section.empty}", style="dim"))
        console.print()
        style = "bold green" if report.identical else "bold yellow"
        console.print(Text(report.verdict, style=style))
    return "".join(line.rstrip() + "\n" for line in captured.get().splitlines())


def _rich_table(s: Section):
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=s.title,
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    for i, name in enumerate(s.columns):
        table.add_column(
            name, justify="right" if i in s.right else "left", overflow="fold", no_wrap=i in s.code
        )
    for cells, status in zip(s.rows, s.status, strict=True):
        table.add_row(*(Text(c, style=st) for c, st in zip(cells, _styles(s, status), strict=True)))
    return table


def _styles(s: Section, status: str) -> list[str]:
    """Cell styles of one row: A old (red), B new (green), the change column by status,
    unchanged rows dim, the total bold."""
    n = len(s.columns)
    if status == "total":
        return ["bold"] * n
    if status == "same":
        return ["dim"] * n
    a, b, change = STYLES.get(status, ("", "", ""))
    styles = [""] * n
    for i, name in enumerate(s.columns):
        if name == "A":
            styles[i] = a
        elif name == "B":
            styles[i] = b
        elif name in ("change", "relative"):
            styles[i] = change
    return styles
