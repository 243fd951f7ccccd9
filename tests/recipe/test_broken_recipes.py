"""Every kind of broken recipe, through the real CLI in a fresh interpreter.

Each file in broken/ states what a user must see, in its header comments:

    # expect: LINE:COL: dotted.path: message   (the error is in this file)
    # expect[other.yaml]: LINE:COL: ...        (the error is in a file it extends)
    # expect-count: N                          (exactly N errors in this file)

The test runs `archspec validate FILE` and checks exit status 2, no traceback, and that each
expectation appears as `FILE:LINE:COL: ...` on stderr.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

BROKEN = Path(__file__).parent / "broken"
EXPECT = re.compile(r"^# expect(?:\[(?P<file>[^\]]+)\])?: (?P<text>.+)$")


def _shown(path: Path) -> str:
    """How the CLI names a file when run from the checkout root."""
    return path.resolve().relative_to(ROOT).as_posix()


def _expectations(path: Path) -> tuple[list[str], int | None]:
    expected, count = [], None
    for line in path.read_text().splitlines():
        if m := EXPECT.match(line):
            where = BROKEN / m["file"] if m["file"] else path
            expected.append(f"{_shown(where)}:{m['text']}")
        elif line.startswith("# expect-count:"):
            count = int(line.split(":")[1])
    return expected, count


@pytest.mark.parametrize("path", sorted(BROKEN.glob("*.yaml")), ids=lambda p: p.stem)
def test_broken_recipe_is_reported_where_it_is(path: Path) -> None:
    expected, count = _expectations(path)
    assert expected, f"{path.name} must say what it expects (# expect: ...)"

    result = run_cli("validate", _shown(path))

    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    for text in expected:
        assert text in result.stderr, f"missing {text!r} in:\n{result.stderr}"
    if count is not None:
        mine = [ln for ln in result.stderr.splitlines() if ln.startswith(_shown(path) + ":")]
        assert len(mine) == count, result.stderr


def test_missing_file_and_directory_are_named(tmp_path: Path) -> None:
    result = run_cli("validate", str(tmp_path / "nope.yaml"), str(tmp_path))

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{tmp_path / 'nope.yaml'}: no such file" in result.stderr
    assert f"{tmp_path}: is a directory, not a recipe file" in result.stderr
    assert "2 of 2 recipe(s) invalid" in result.stderr


def test_good_and_bad_recipes_together(tmp_path: Path) -> None:
    """One bad recipe does not hide the verdict on the others, and the status is still 2."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("model:\n  kind: decoder\n  heads: 0\n")

    result = run_cli("validate", "recipes/paper/base.yaml", str(bad))

    assert result.returncode == 2
    assert "recipes/paper/base.yaml: ok, encoder-decoder, 63,082,496 parameters" in result.stdout
    assert f"{bad}:3:10: model.heads: must be at least 1, found 0 (an integer)" in result.stderr
