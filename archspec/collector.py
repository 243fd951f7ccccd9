"""Python's garbage collector around start-up: full collections deferred while torch and
Lightning are imported, the imported objects frozen out of every later collection.

Importing torch, Lightning and torchmetrics creates a few million objects that live as long
as the process. With CPython's default thresholds (700, 10, 10) the collector runs about six
full collections over them while they are imported, each traversing everything imported so
far: 0.75-0.95 s of the quickstart's time to its first step on the 2-core machine
(benchmarks/results/e2e-profile.md). Young generations are still collected throughout, so
garbage cycles made during start-up are freed as usual; only the traversals of the long-lived
heap wait, and `settle` moves that heap into the permanent generation, which no collection
visits again.
"""

from __future__ import annotations

import gc

FULL_AFTER = 1000
"""Generation-1 collections between two full ones while the process starts (CPython's 10):
about 7 million allocations at the default generation-0 threshold."""


_usual: tuple[int, int, int] | None = None
"""The thresholds before `defer_full_collections`; None when it was not called."""


def defer_full_collections() -> None:
    """Called once by the `archspec` process itself, before any command imports torch."""
    global _usual
    if _usual is None:  # a second call changes nothing
        _usual = gc.get_threshold()
        gc.set_threshold(_usual[0], _usual[1], FULL_AFTER)


def settle() -> None:
    """Start-up is over (training is about to begin): freeze every object alive now out of
    the collector's sight and restore the usual thresholds. Nothing happens in a process that
    did not defer (tests and other callers of archspec's functions keep their collector).

    The few hundred objects of garbage cycles that start-up leaves are frozen with the rest
    rather than found by a full collection first (0.22 s to free a few kB, measured after
    importing Lightning)."""
    global _usual
    if _usual is None:
        return
    gc.freeze()
    gc.set_threshold(*_usual)
    _usual = None
