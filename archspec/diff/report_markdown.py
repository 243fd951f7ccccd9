"""`archspec diff --format markdown`: GitHub-flavoured markdown for papers and pull requests."""

from __future__ import annotations

from archspec.diff.report import DiffReport
from archspec.diff.sections import Section, sections, side_assumption, side_line


def render_markdown(report: DiffReport, show_all: bool = False) -> str:
    """The whole report as markdown text (ends with a newline)."""
    lines = [f"### archspec diff: `{report.a.label}` → `{report.b.label}`", ""]
    for name, side in (("A", report.a), ("B", report.b)):
        lines.append(f"- {_escape(side_line(name, side))}")
        note = side_assumption(side)
        if note:
            lines.append(f"  - {_escape(note)}")
    lines += ["", f"**{report.verdict}**"]
    for section in sections(report, show_all):
        lines += ["", f"#### {section.title}", ""]
        lines += _table(section) if section.rows else [f"_{section.empty}_"]
    return "\n".join(lines) + "\n"


def _table(s: Section) -> list[str]:
    def cell(i: int, text: str) -> str:
        if i in s.code:
            return f"`{text}`"
        return _escape(text)

    def row(texts: list[str]) -> str:
        return "| " + " | ".join(texts) + " |"

    def body(cells: list[str], bold: bool) -> str:
        texts = [cell(i, c) for i, c in enumerate(cells)]
        return row([f"**{t}**" for t in texts] if bold else texts)

    rule = row(["---:" if i in s.right else "---" for i in range(len(s.columns))])
    out = [row([_escape(c) for c in s.columns]), rule]
    out += [body(cells, status == "total") for cells, status in zip(s.rows, s.status, strict=True)]
    return out


def _escape(text: str) -> str:
    """Keep a cell in its column: pipes escaped, newlines as spaces."""
    return text.replace("|", "\\|").replace("\n", " ")
