"""`archspec eval RUN --data FILE`: a trained run's metrics on a file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from archspec.commands.options import (
    checkpoint_option,
    decoding_options,
    device_option,
    options_from,
    tokenizer_option,
)

if TYPE_CHECKING:
    from archspec.loading import Which


@click.command("eval")
@click.argument("run", type=click.Path())
@click.option(
    "--data",
    type=click.Path(dir_okay=False),
    help="File to score, in the format the run trained on  [default: the validation split].",
)
@decoding_options
@click.option("--limit", type=click.IntRange(min=1), help="Score only the first N examples.")
@click.option(
    "--seq-len",
    type=click.IntRange(min=2),
    help="Score text in blocks of N tokens instead of the training length (length "
    "extrapolation; at most model.max_len).",
)
@click.option("--batch-size", type=click.IntRange(min=1), default=32, show_default=True)
@checkpoint_option
@device_option
@tokenizer_option
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def evaluate(
    run: str,
    data: str | None,
    limit: int | None,
    seq_len: int | None,
    checkpoint: Which,
    device: str,
    tokenizer: str | None,
    fmt: str,
    **flags: Any,
) -> None:
    """Score RUN (a run directory, a .ckpt or a Hugging Face model folder, read with its own
    tokenizer.json) on FILE: BLEU and chrF for translation (decoded with the paper's beam
    search unless --method says otherwise), loss and perplexity for every language model,
    accuracy and macro F1 for classifiers. A model folder reads FILE one example a line
    (tab-separated pairs for an encoder-decoder).

    Example:

    \b
        archspec eval runs/translate-en-es --data data/en-es/val.tsv
        archspec eval runs/shakespeare-char --data data/shakespeare/val.txt --format json
        archspec eval runs/positions/rotary --seq-len 256
        archspec eval ./tiny-gpt2 --data notes.txt
    """
    from archspec.evaluation import evaluate as score
    from archspec.evaluation import render_json, render_table
    from archspec.loading import load_run

    loaded = load_run(run, checkpoint, device, tokenizer)
    result = score(loaded, data, options_from(flags), limit=limit, seq_len=seq_len)
    click.echo((render_json if fmt == "json" else render_table)(result), nl=False)
