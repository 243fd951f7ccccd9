"""What `archspec generate` does once its flags are parsed: read lines, decode, print."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO

import click

from archspec.decoding.text import DecodeOptions
from archspec.errors import ArchspecError


def read_lines(texts: list[str], input_file: IO[str] | None) -> list[str]:
    """--text values, else the lines of --input (or of stdin when it is not a terminal)."""
    if texts:
        return texts
    stream = input_file
    if stream is None:
        if sys.stdin.isatty():
            raise ArchspecError(
                "nothing to decode: give --text TEXT, --input FILE, or pipe lines in"
            )
        stream = sys.stdin
    lines: list[str] = []
    try:
        for line in stream:
            lines.append(line.rstrip("\r\n"))
    except UnicodeDecodeError as err:
        name = getattr(stream, "name", "the input")
        raise ArchspecError(
            f"{name}:{len(lines) + 1}: not UTF-8 text (byte 0x{err.object[err.start]:02x}); "
            "save the file as UTF-8"
        ) from None
    if not any(line.strip() for line in lines):
        name = getattr(stream, "name", "the input")
        raise ArchspecError(f"{name}: no text to decode (the input is empty)")
    return lines


def run_generate(
    path: str,
    texts: list[str],
    input_file: IO[str] | None,
    options: DecodeOptions,
    checkpoint: str,
    fmt: str,
    device: str = "cpu",
) -> None:
    """Load the run, decode every line, print the results in input order."""
    from archspec.decoding.text import generate
    from archspec.loading import find_checkpoint, load_run

    find_checkpoint(Path(path), checkpoint)  # a bad run fails before stdin is read
    lines = read_lines(texts, input_file)
    if not any(line.strip() for line in lines):
        raise ArchspecError("--text is empty: give a line to translate or a prompt to continue")
    run = load_run(path, checkpoint, device)  # type: ignore[arg-type]
    outputs = generate(run, lines, options)
    translating = run.kind == "encoder-decoder"
    for i, (line, out) in enumerate(zip(lines, outputs, strict=True)):
        if fmt == "jsonl":
            click.echo(json.dumps({"input": line, "output": out}, ensure_ascii=False))
        elif translating:
            click.echo(out)
        else:
            click.echo(("\n" if i else "") + line + out)
