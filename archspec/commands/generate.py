"""`archspec generate RUN`: translate lines, or continue prompts, with a trained model."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from archspec.commands.options import (
    checkpoint_option,
    decoding_options,
    device_option,
    options_from,
)
from archspec.errors import ArchspecError

if TYPE_CHECKING:
    from archspec.loading import Which


@click.command()
@click.argument("run", type=click.Path())
@click.option(
    "--text", "texts", multiple=True, help="A line to translate or a prompt (repeatable)."
)
@click.option(
    "--input",
    "input_file",
    type=click.File("r", encoding="utf-8"),
    help="A file of lines ('-' for stdin); without --text or --input, stdin is read.",
)
@decoding_options
@click.option("--max-new-tokens", type=click.IntRange(min=1), default=200, show_default=True)
@click.option("--temperature", type=click.FloatRange(min=0), default=0.8, show_default=True)
@click.option("--top-k", type=click.IntRange(min=1), default=40, show_default=True)
@click.option("--top-p", type=click.FloatRange(min=0, max=1, min_open=True), default=None)
@click.option("--seed", type=int, default=0, show_default=True, help="Seeds sampling.")
@click.option("--batch-size", type=click.IntRange(min=1), default=32, show_default=True)
@checkpoint_option
@device_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True
)
def generate(
    run: str,
    texts: tuple[str, ...],
    input_file: IO[str] | None,
    checkpoint: Which,
    device: str,
    fmt: str,
    **flags: Any,
) -> None:
    """Translate lines (encoder-decoder) or continue prompts (decoder-only) with the model of
    RUN, a run directory or a .ckpt file. Translations print one line per input line;
    continuations print the prompt followed by the generated text.

    Example:

    \b
        archspec generate runs/translate-en-es --text "In the beginning was the word."
        archspec generate runs/shakespeare-char --text "ROMEO:" --max-new-tokens 300 --top-p 0.9
    """
    from archspec.decoding.text import generate as decode
    from archspec.loading import find_checkpoint, load_run

    find_checkpoint(Path(run), checkpoint)  # a bad run fails before stdin is read
    lines = read_lines(list(texts), input_file)
    if not any(line.strip() for line in lines):
        raise ArchspecError("--text is empty: give a line to translate or a prompt to continue")
    loaded = load_run(run, checkpoint, device)
    outputs = decode(loaded, lines, options_from(flags))
    translating = loaded.kind == "encoder-decoder"
    for i, (line, out) in enumerate(zip(lines, outputs, strict=True)):
        if fmt == "jsonl":
            click.echo(json.dumps({"input": line, "output": out}, ensure_ascii=False))
        elif translating:
            click.echo(out)
        else:
            click.echo(("\n" if i else "") + line + out)


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
    lines = [line.rstrip("\r\n") for line in stream]
    if not any(line.strip() for line in lines):
        name = getattr(stream, "name", "the input")
        raise ArchspecError(f"{name}: no text to decode (the input is empty)")
    return lines
