"""Options more than one command takes, each defined once: --set (and diff's --set-a/--set-b),
the decoding flags, --checkpoint, --device and --dpi."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from archspec.decoding.text import DecodeOptions

F = TypeVar("F", bound=Callable[..., Any])

SET_HELP = "Override a recipe setting, value parsed as YAML (repeatable): --set model.heads=16"


def set_option(
    flag: str = "--set", dest: str = "overrides", help: str = SET_HELP
) -> Callable[[F], F]:
    """A repeatable PATH=VALUE override; the command receives a tuple of strings as `dest`."""
    return click.option(flag, dest, multiple=True, metavar="PATH=VALUE", help=help)


def set_ab_options(command: F) -> F:
    """diff's overrides: --set for both sides (as `both`), --set-a and --set-b for one."""
    options = [
        set_option(help=SET_HELP + " (both)", dest="both"),
        set_option("--set-a", "set_a", "Override a setting of A only."),
        set_option("--set-b", "set_b", "Override a setting of B only."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


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

tokenizer_option = click.option(
    "--tokenizer",
    type=click.Path(dir_okay=False),
    help="A tokenizer.json for a Hugging Face model folder that has none (default: the "
    "folder's own).",
)

dpi_option = click.option("--dpi", type=click.IntRange(min=20), default=100, show_default=True)


def decoding_options(command: F) -> F:
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


def options_from(flags: dict[str, Any]) -> DecodeOptions:
    """DecodeOptions from the decoding flags (the others keep their defaults)."""
    from dataclasses import fields

    from archspec.decoding.text import DecodeOptions

    known = {f.name for f in fields(DecodeOptions)}
    given = {k: v for k, v in flags.items() if k in known}
    return DecodeOptions(use_cache=not flags.get("no_cache", False), **given)
