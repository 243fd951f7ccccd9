"""Did-you-mean: the closest valid names to a mistyped one, for every kind of message
(recipe keys and kinds, data columns, metric names). No archspec imports, so any layer may
use it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any


def closest(word: str, choices: Iterable[Any], n: int = 1, cutoff: float = 0.6) -> list[str]:
    """The choices that look most like `word` (typos, swapped letters), best first."""
    options = [str(c) for c in choices]
    found = difflib.get_close_matches(str(word), options, n=n, cutoff=cutoff)
    if not found:  # 'kind: Relative', 'Sinusoidal' - a different case is still a typo
        lowered = {o.lower(): o for o in options}
        found = [lowered[m] for m in difflib.get_close_matches(str(word).lower(), lowered, n=n)]
    return found


def did_you_mean(word: Any, choices: Iterable[Any]) -> str:
    """' (did you mean 'x'?)' or '' when nothing is close."""
    found = closest(str(word), choices)
    return f" (did you mean '{found[0]}'?)" if found else ""
