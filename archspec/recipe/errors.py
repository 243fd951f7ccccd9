"""The recipe error type and the small phrases every recipe message is built from."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from archspec.errors import ArchspecError
from archspec.recipe.source import Location
from archspec.suggest import closest, did_you_mean

__all__ = ["RecipeError", "closest", "describe", "did_you_mean", "one_of"]


class RecipeError(ArchspecError):
    """One or more problems with a recipe, each a located one-line message.

    The CLI prints `message` (every problem on its own line) and exits with status 2.
    """

    def __init__(self, messages: list[str]) -> None:
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))

    @classmethod
    def at(cls, loc: Location | str, message: str) -> RecipeError:
        """A single problem at one place."""
        return cls([f"{loc}: {message}"])


def one_of(choices: Iterable[Any]) -> str:
    """'a, b, c' for a list of allowed values."""
    return ", ".join(str(c) for c in choices)


def describe(value: Any) -> str:
    """A found value as a user would recognise it, with its YAML type: "'abc' (a string)"."""
    match value:
        case None:
            return "nothing (null)"
        case bool():
            return f"{str(value).lower()} (a boolean)"
        case int():
            return f"{value} (an integer)"
        case float():
            return f"{value} (a number)"
        case str():
            return f"'{value}' (a string)"
        case dict():
            return "a mapping" + _brief(value)
        case list():
            return "a list" + _brief(value)
        case _:
            return f"{value!r} ({type(value).__name__})"


def _brief(value: Any) -> str:
    import yaml

    try:
        text = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    except yaml.YAMLError:  # not plain data (a dict handed to recipe_from_dict)
        text = repr(value)
    return f" {text}" if len(text) <= 40 else f" {text[:37]}..."
