"""`archspec generate RUN`: translate lines, or continue prompts, with a trained model."""

from __future__ import annotations

import json
import sys
from typing import IO, TYPE_CHECKING, Any

import click

from archspec.commands.options import (
    checkpoint_option,
    decoding_options,
    device_option,
    options_from,
    tokenizer_option,
)
from archspec.errors import ArchspecError

if TYPE_CHECKING:
    from archspec.loading import Which


@click.command()
@click.argument("run", type=click.Path())
@click.option(
    "--text",
    "--prompt",
    "texts",
    multiple=True,
    help="A line to translate or a prompt (repeatable).",
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
@tokenizer_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True
)
def generate(
    run: str,
    texts: tuple[str, ...],
    input_file: IO[str] | None,
    checkpoint: Which,
    device: str,
    tokenizer: str | None,
    fmt: str,
    **flags: Any,
) -> None:
    """Translate lines (encoder-decoder) or continue prompts (decoder-only) with the model of
    RUN, a run directory, a .ckpt file or a Hugging Face model folder (read with its own
    tokenizer.json). Translations print one line per input line; continuations print the
    prompt followed by the generated text; jsonl adds the generated token ids.

    Example:

    \b
        archspec generate runs/translate-en-es --text "In the beginning was the word."
        archspec generate runs/shakespeare-char --text "ROMEO:" --max-new-tokens 300 --top-p 0.9
        archspec generate ./tiny-gpt2 --prompt "Hello" --method greedy --max-new-tokens 20
    """
    from archspec.decoding.text import generate_ids
    from archspec.loading import check_loadable, load_run

    check_loadable(run, checkpoint)  # a bad run fails before stdin is read
    lines = read_lines(list(texts), input_file)
    if not any(line.strip() for line in lines):
        raise ArchspecError("--text is empty: give a line to translate or a prompt to continue")
    loaded = load_run(run, checkpoint, device, tokenizer)
    ids = generate_ids(loaded, lines, options_from(flags))
    outputs = [loaded.decode(row) for row in ids]
    translating = loaded.kind == "encoder-decoder"
    for i, (line, out) in enumerate(zip(lines, outputs, strict=True)):
        if fmt == "jsonl":
            record = {"input": line, "output": out, "ids": ids[i]}
            click.echo(json.dumps(record, ensure_ascii=False))
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
