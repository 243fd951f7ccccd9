"""The example plugin (examples/plugin/) installed into a scratch directory, never into the
environment's site-packages: every command runs in a subprocess with PYTHONPATH pointing at
it, so the shipped schema and this process's registry never see the plugin's kinds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "examples" / "plugin"
RECIPE = PLUGIN / "recipes" / "tiny-scalenorm.yaml"
SWEEP = PLUGIN / "recipes" / "norms.yaml"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding the installed plugin (offline: no index, no build isolation)."""
    target = tmp_path_factory.mktemp("plugin-site")
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index"]
    pip += ["--no-build-isolation", "--target", str(target), str(PLUGIN)]
    done = subprocess.run(pip, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert list(target.glob("archspec_example_plugin-*.dist-info/entry_points.txt"))
    return target


def _env(site: Path) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), str(ROOT)]))


def archspec(site: Path, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "archspec", *args]
    return subprocess.run(cmd, cwd=cwd, env=_env(site), capture_output=True, text=True)


def python(site: Path, code: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-c", code]
    return subprocess.run(cmd, cwd=ROOT, env=_env(site), capture_output=True, text=True)


def test_plugin_recipe_validates_with_the_count_written_out(site: Path) -> None:
    # d 32, 2 layers, d_ff 64, vocab 32 tied, pre-norm: tokens 32*32, one position gain,
    # per layer qkv 32*96+96, out 32*32+32, w_in 32*64+64, w_out 64*32+32, two ScaleNorm
    # gains; one final ScaleNorm gain
    layer = (32 * 96 + 96) + (32 * 32 + 32) + (32 * 64 + 64) + (64 * 32 + 32) + 2
    expected = 32 * 32 + 1 + 2 * layer + 1
    done = archspec(site, "validate", str(RECIPE))
    assert done.returncode == 0, done.stderr
    assert f"ok, decoder, {expected:,} parameters" in done.stdout


def test_a_typo_gets_did_you_mean_among_the_plugin_kinds(site: Path) -> None:
    done = archspec(site, "validate", str(RECIPE), "--set", "model.norm.kind=scalenrom")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert (
        "model.norm.kind: 'scalenrom' is not one of layernorm, rmsnorm, scalenorm "
        "(did you mean 'scalenorm'?)"
    ) in done.stderr
    typo = "model.positional.kind=scaled-sinusiodal"
    done = archspec(site, "validate", str(RECIPE), "--set", typo)
    assert done.returncode == 2
    assert (
        "is not one of sinusoidal, learned, relative, rotary, alibi, t5, none, scaled-sinusoidal "
        "(did you mean 'scaled-sinusoidal'?)"
    ) in done.stderr


def test_without_the_plugin_its_kinds_do_not_exist() -> None:
    cmd = [sys.executable, "-m", "archspec", "validate", str(RECIPE)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2
    assert "'scalenorm' is not one of layernorm, rmsnorm" in done.stderr


def test_the_plugin_modules_compute_their_formulas(site: Path) -> None:
    code = """
import math, torch
from archspec import build_model, load_recipe
torch.manual_seed(0)
model = build_model(load_recipe("examples/plugin/recipes/tiny-scalenorm.yaml"))
norm = model.decoder.layers[0].self_attn.norm
x = torch.randn(2, 5, 32)
expected = math.sqrt(32) * x / x.norm(dim=-1, keepdim=True)   # g = sqrt(d) initially
assert torch.allclose(norm(x), expected, atol=1e-6)
pos = model.embed.positions(6)
p, i = torch.arange(6.0)[:, None], torch.arange(0, 32, 2.0)
angle = p / 10000 ** (i / 32)
table = torch.stack([angle.sin(), angle.cos()], dim=-1).flatten(1)   # sin, cos interleaved
assert torch.allclose(pos, 0.5 * table, atol=1e-6)                  # scale 0.5 in the recipe
print("ok")
"""
    done = python(site, code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_summary_counts_the_built_model(site: Path) -> None:
    done = archspec(site, "summary", str(RECIPE))
    assert done.returncode == 0, done.stderr
    assert "17,862" in done.stdout


def test_diff_reports_the_plugin_norm_against_rmsnorm(site: Path) -> None:
    done = archspec(
        site, "diff", str(RECIPE), str(RECIPE), "--set-b", "model.norm.kind=rmsnorm",
        "--format", "json",
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # the architectures differ
    norms = json.loads(done.stdout)["parameters"]["norms"]
    # 5 norms (2 per layer, 1 final): one scalar each, then a D-vector each
    assert (norms["a"], norms["b"]) == (5, 5 * 32)


def test_sweep_dry_run_lists_the_plugin_variant(site: Path) -> None:
    done = archspec(site, "sweep", str(SWEEP), "--dry-run")
    assert done.returncode == 0, done.stderr
    for case in ("layernorm", "rmsnorm", "scalenorm"):
        assert case in done.stdout


def test_five_training_steps_write_a_run(site: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    done = archspec(site, "train", str(RECIPE), "--run-dir", str(run), "--max-steps", "5")
    assert done.returncode == 0, done.stderr[-2000:]
    assert (run / "recipe.yaml").is_file()
    assert list(run.rglob("*.ckpt"))


def test_schema_out_holds_the_plugin_kinds_and_the_shipped_one_does_not(site: Path) -> None:
    done = archspec(site, "schema", "--out", "-")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert '"scalenorm"' in text and '"scaled-sinusoidal"' in text
    json.loads(text)
    shipped = (ROOT / "schemas" / "recipe.schema.json").read_text()
    assert '"scalenorm"' not in shipped
