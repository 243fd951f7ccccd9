"""An installed package adds an objective, a data source, a tokenizer and a schedule through
the `archspec.components` entry point, exactly as the built-ins register.

The "package" is a module plus its dist-info folder in a scratch directory on PYTHONPATH
(what pip would write), and every command runs in a subprocess, so this process's registry
and the shipped schema never see its kinds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.train.conftest import DATA

ROOT = Path(__file__).resolve().parents[2]

PLUGIN = """
from typing import Literal

from archspec.components.objective.causal_lm import CausalLM, CausalLMObjective
from archspec.components.registry import register
from archspec.components.schedule.base import ScheduleImpl
from archspec.components.source.text import Text, TextSource
from archspec.components.tokenizer.char import Char, CharTokenizer
from archspec.spec.base import Spec


class LinearDecay(Spec):
    kind: Literal["linear-decay"] = "linear-decay"
    lr: float = 1e-3


class LinearDecayImpl(ScheduleImpl):
    def lr(self, spec, step, d_model, total_steps):
        return spec.lr * max(0.0, 1.0 - step / total_steps)


class ShoutedText(TextSource):  # the text, upper-cased
    kind: Literal["shouted"] = "shouted"


class ShoutedImpl(Text):
    read_by = ("causal-lm",)

    def rows(self, source, path):
        return [r.__class__(r.first.upper(), r.second, r.where) for r in super().rows(source, path)]


class PlainLM(CausalLMObjective):  # next-token prediction that reads only shouted text
    kind: Literal["plain-lm"] = "plain-lm"


class PlainLMImpl(CausalLM):
    default_for = ()
    source_kinds = ("shouted",)


class Chars(CharTokenizer):
    kind: Literal["chars"] = "chars"


register("schedule", LinearDecay, LinearDecayImpl(), origin="demo")
register("source", ShoutedText, ShoutedImpl(), origin="demo")
register("objective", PlainLM, PlainLMImpl(), origin="demo")
register("tokenizer", Chars, Char(), origin="demo")
"""

RECIPE = {
    "model": {"kind": "decoder", "d_model": 32, "heads": 2, "d_ff": 64, "max_len": 64},
    "data": {
        "source": {"kind": "shouted", "path": str(DATA / "shakespeare/val.txt")},
        "seq_len": 32,
        "batching": {"kind": "examples", "size": 8},
    },
    "schedule": {"kind": "linear-decay", "lr": 3e-3},
    "trainer": {"accelerator": "cpu", "max_steps": 5, "val_every": 5, "val_batches": 2},
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("plugin-site")
    (site / "demo_components.py").write_text(PLUGIN)
    info = site / "demo_components-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-components\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[archspec.components]\ndemo = demo_components\n")
    return site


def _run(site: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), str(ROOT)]))
    cmd = [sys.executable, "-m", "archspec", *args]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def _recipe(tmp_path: Path, **sections) -> Path:
    path = tmp_path / "plugin.yaml"
    path.write_text(json.dumps({**RECIPE, **sections}))  # JSON is YAML
    return path


@pytest.mark.parametrize(
    "sections",
    [
        {},
        {"objective": {"kind": "plain-lm"}},
        {"data": {**RECIPE["data"], "tokenizer": {"kind": "chars"}}},
    ],
    ids=["source-read-by-causal-lm", "plugin-objective", "plugin-tokenizer"],
)
def test_plugin_kinds_validate(site: Path, tmp_path: Path, sections: dict) -> None:
    done = _run(site, "validate", str(_recipe(tmp_path, **sections)))
    assert done.returncode == 0, done.stderr
    assert ": ok, decoder" in done.stdout


def test_a_plugin_objectives_contract_is_checked(site: Path, tmp_path: Path) -> None:
    data = {**RECIPE["data"], "source": {"kind": "text", "path": "x.txt"}}
    done = _run(site, "validate", str(_recipe(tmp_path, objective={"kind": "plain-lm"}, data=data)))
    assert done.returncode == 2
    assert "data.source.kind: objective 'plain-lm' reads shouted data, not 'text'" in done.stderr


def test_a_typo_suggests_the_plugin_kind(site: Path, tmp_path: Path) -> None:
    done = _run(site, "validate", str(_recipe(tmp_path, schedule={"kind": "linear-decai"})))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "(did you mean 'linear-decay'?)" in done.stderr


def test_a_plugin_source_and_schedule_train(site: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    done = _run(site, "train", str(_recipe(tmp_path)), "--run-dir", str(run))
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads((run / "summary.json").read_text())
    assert summary["steps"] == 5
    vocab = json.loads((run / "tokenizer.json").read_text())["model"]["vocab"]
    assert "A" in vocab and "a" not in vocab  # the plugin's reader upper-cased the text
