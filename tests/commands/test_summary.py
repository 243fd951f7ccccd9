"""`archspec summary`: the module tree and the parameters per component, as a user sees them."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import RECIPES, ROOT


def test_summary_prints_tree_components_and_total(cli) -> None:
    result = cli("summary", str(RECIPES / "paper" / "base.yaml"))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "63,082,496" in out  # the total
    assert "6 x EncoderLayer" in out and "6 x DecoderLayer" in out
    assert "cross-attention" in out and "6,303,744" in out  # 6 x 1,050,624
    assert "tied to src_embed.tokens.weight" in out


def test_summary_shows_the_kv_cache_grouped_query_attention_shrinks(cli) -> None:
    recipe = str(RECIPES / "published" / "tinyllama-1.1b.yaml")
    grouped = cli("summary", recipe, "--depth", "1")
    full = cli("summary", recipe, "--depth", "1", "--set", "model.attention.kv_heads=32")
    assert grouped.returncode == 0, grouped.stderr
    # 22 layers x K and V x 4 key/value heads x 64 x 4 bytes = 44 KiB; 32 heads: 8 x as much
    assert "KV cache per generated token (fp32): 44 KiB" in grouped.stdout
    assert "KV cache per generated token (fp32): 352 KiB" in full.stdout


def test_summary_applies_overrides(cli) -> None:
    result = cli("summary", str(RECIPES / "paper" / "base.yaml"), "--set", "model.tying=none")
    assert result.returncode == 0, result.stderr
    assert f"{63_082_496 + 2 * 37000 * 512:,}" in result.stdout


def test_summary_of_a_missing_file_is_a_clean_error(cli) -> None:
    result = cli("summary", "no/such/recipe.yaml")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_importing_the_command_does_not_import_torch() -> None:
    code = "import archspec.commands.summary, sys; print('torch' in sys.modules)"
    out = subprocess.check_output([sys.executable, "-c", code], cwd=ROOT, text=True)
    assert out.strip() == "False"
