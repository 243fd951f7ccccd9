"""`archspec generate RUN`: translate lines, or continue prompts, with a trained model."""

from __future__ import annotations

import click

checkpoint_option = click.option(
    "--checkpoint",
    type=click.Choice(["best", "last"]),
    default="best",
    show_default=True,
    help="Which checkpoint of a run directory: best (by the run's metric) or last.",
)

device_option = click.option(
    "--device",
    default="cpu",
    show_default=True,
    help="Where the model runs: auto (a GPU when there is one), cpu, cuda, cuda:N or mps.",
)


def decoding_options(command):
    """The decoding flags `generate`, `eval` and `attention` share."""
    options = [
        click.option(
            "--method",
            type=click.Choice(["auto", "greedy", "beam", "sample"]),
            default="auto",
            show_default=True,
            help="auto: beam search for encoder-decoder models, sampling for decoder-only ones.",
        ),
        click.option("--beam-size", type=click.IntRange(min=1), default=4, show_default=True),
        click.option(
            "--alpha",
            type=float,
            default=0.6,
            show_default=True,
            help="Length penalty ((5 + |Y|) / 6)^alpha of beam search.",
        ),
        click.option(
            "--max-extra",
            type=click.IntRange(min=0),
            default=50,
            show_default=True,
            help="Translations stop at input length + this many tokens.",
        ),
        click.option(
            "--no-cache",
            is_flag=True,
            help="Recompute every step instead of using the key/value cache (for comparison).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def options_from(flags: dict):
    """DecodeOptions from the decoding flags (the others keep their defaults)."""
    from dataclasses import fields

    from archspec.decoding.text import DecodeOptions

    known = {f.name for f in fields(DecodeOptions)}
    given = {k: v for k, v in flags.items() if k in known}
    return DecodeOptions(use_cache=not flags.get("no_cache", False), **given)


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
def generate(run, texts, input_file, checkpoint, device, fmt, **flags):
    """Translate lines (encoder-decoder) or continue prompts (decoder-only) with the model of
    RUN, a run directory or a .ckpt file. Translations print one line per input line;
    continuations print the prompt followed by the generated text.

    Example:

    \b
        archspec generate runs/translate-en-es --text "In the beginning was the word."
        archspec generate runs/shakespeare-char --text "ROMEO:" --max-new-tokens 300 --top-p 0.9
    """
    from archspec.decoding.cli import run_generate

    run_generate(run, list(texts), input_file, options_from(flags), checkpoint, fmt, device)
