"""--help, validate, show and schema run without importing torch or lightning."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

RUN = """
import sys
from archspec.cli import main
try:
    main({args!r})
except SystemExit as exit:
    code = exit.code
heavy = sorted(m for m in ('torch', 'lightning', 'pytorch_lightning') if m in sys.modules)
print('RESULT', code, heavy, file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["validate", "--help"],
        ["validate", "recipes/paper/big.yaml", "recipes/examples/gpt-small.yaml"],
        ["validate", "tests/recipe/broken/three-mistakes.yaml"],
        ["show", "recipes/paper/big.yaml", "--set", "model.heads=4"],
        ["schema", "--check"],
    ],
    ids=lambda a: " ".join(a),
)
def test_command_does_not_import_torch(args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", RUN.format(args=args)], cwd=ROOT, capture_output=True, text=True
    )
    result = done.stderr.strip().splitlines()[-1]
    assert result.startswith("RESULT "), done.stderr
    assert result.endswith(" []"), result
    expected = 2 if "broken" in " ".join(args) else 0
    assert result == f"RESULT {expected} []"
