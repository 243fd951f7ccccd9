"""Regenerate the README's command transcripts from real runs, so they cannot drift.

    python docs/transcripts.py                 # every block whose run directories exist
    python docs/transcripts.py generate eval   # just these blocks
    python docs/transcripts.py --check         # exit 1 if a block (that can run) is stale

A transcript is a block between `<!-- transcript:NAME -->` and `<!-- transcript:end -->`
holding a ```text fence of `$ command` lines, each followed by what the command printed. The
commands run from the repository root as `python -m archspec ...`. Blocks that read a trained
run need it first, trained as the README says:

    archspec train recipes/quickstart/shakespeare-char.yaml --run-dir runs/shakespeare-char
    archspec train recipes/examples/translate-en-es.yaml --run-dir runs/translate-en-es

`quickstart` is the end of the first command's own output, rendered again from the run
directory it wrote (summary.json, metrics.csv, baselines.json).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
QUICKSTART = "runs/shakespeare-char"
TRANSLATE = "runs/translate-en-es"


@dataclass
class Block:
    commands: list[str]
    """Shell-like command lines, each starting with `archspec`."""
    needs: list[str] = field(default_factory=list)
    """Run directories that must exist (relative to the repository root)."""


BLOCKS: dict[str, Block] = {
    "validate-errors": Block(["archspec validate docs/examples/my.yaml"]),
    "quickstart": Block([], needs=[QUICKSTART]),
    "generate": Block(
        [
            f'archspec generate {QUICKSTART} --text "ROMEO:" --max-new-tokens 200',
            f"archspec generate {TRANSLATE} --input docs/examples/lines.txt",
        ],
        needs=[QUICKSTART, TRANSLATE],
    ),
    "eval": Block([f"archspec eval {TRANSLATE} --data data/en-es/val.tsv"], needs=[TRANSLATE]),
    "eval-json": Block(
        [f"archspec eval {QUICKSTART} --data data/shakespeare/val.txt --format json"],
        needs=[QUICKSTART],
    ),
    "attention-cross": Block(
        [
            f'archspec attention {TRANSLATE} --text "And God said, Let there be light." '
            "--kind cross --layers 2 --out docs/images/attention-cross.png"
        ],
        needs=[TRANSLATE],
    ),
    "attention-self": Block(
        [
            f'archspec attention {QUICKSTART} --text "ROMEO: Good morrow, cousin." '
            "--layers 0,3 --out docs/images/attention-self.png"
        ],
        needs=[QUICKSTART],
    ),
    "positions": Block(
        [
            "archspec positions recipes/paper/base.yaml --max-positions 100 "
            "--out docs/images/positions-sinusoidal.png",
            f"archspec positions {QUICKSTART} --out docs/images/positions-learned.png",
        ],
        needs=[QUICKSTART],
    ),
}

MARKER = re.compile(
    r"(<!-- transcript:(?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- transcript:end -->)", re.S
)


def run(command: str) -> str:
    """`$ command` and what it printed (stdout, then stderr), as a user's terminal shows."""
    args = shlex.split(command)
    assert args[0] == "archspec", command
    done = subprocess.run(
        [sys.executable, "-m", "archspec", *args[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    output = (done.stdout + done.stderr).rstrip()
    return f"$ {command}\n{output}" if output else f"$ {command}"


def quickstart() -> str:
    """The report `archspec train` printed at the end of the quickstart run."""
    import json

    from archspec.train.report import report_lines
    from archspec.train.run import RunResult

    run_dir = Path(QUICKSTART)
    summary = json.loads((run_dir / "summary.json").read_text())
    return "\n".join(report_lines(RunResult(run_dir, summary))).strip()


def render(name: str) -> str | None:
    """The block's new text, or None when a run it needs is missing."""
    block = BLOCKS[name]
    if any(not (ROOT / need).is_dir() for need in block.needs):
        return None
    text = quickstart() if name == "quickstart" else "\n\n".join(map(run, block.commands))
    return f"```text\n{text}\n```\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help=f"blocks to regenerate: {', '.join(BLOCKS)}")
    parser.add_argument("--check", action="store_true", help="report stale blocks, change none")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BLOCKS]
    if unknown:
        parser.error(f"unknown block(s) {unknown}; known: {', '.join(BLOCKS)}")
    chosen = set(args.names or BLOCKS)
    os.chdir(ROOT)  # run directories and commands are relative to the repository root
    text = README.read_text()
    stale: list[str] = []

    def replace(match: re.Match) -> str:
        name = match["name"]
        if name not in chosen:
            return match[0]
        new = render(name)
        if new is None:
            print(f"skipped {name}: needs {', '.join(BLOCKS[name].needs)}", file=sys.stderr)
            return match[0]
        if new != match["body"]:
            stale.append(name)
        return match[1] + new + match[4]

    updated = MARKER.sub(replace, text)
    if args.check:
        for name in stale:
            print(f"stale: {name} (run python docs/transcripts.py {name})", file=sys.stderr)
        return 1 if stale else 0
    if updated != text:
        README.write_text(updated)
    print(f"regenerated {', '.join(stale) or 'nothing (all current)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
