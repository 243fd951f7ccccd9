"""The collector's start-up thresholds: deferred full collections, then frozen and restored."""

from __future__ import annotations

import gc

import pytest

from archspec import collector


@pytest.fixture
def thresholds():
    before = gc.get_threshold()
    yield before
    gc.unfreeze()
    gc.set_threshold(*before)
    collector._usual = None


def test_full_collections_wait_until_training_settles(thresholds):
    collector.defer_full_collections()
    collector.defer_full_collections()  # the probe and the console script may both call it
    assert gc.get_threshold() == (thresholds[0], thresholds[1], 1000)
    alive = [[] for _ in range(10)]  # containers the collector tracks
    collector.settle()
    assert gc.get_threshold() == thresholds
    assert gc.get_freeze_count() >= len(alive)


def test_settle_changes_nothing_where_nothing_was_deferred(thresholds):
    collector.settle()
    assert gc.get_threshold() == thresholds
    assert gc.get_freeze_count() == 0
