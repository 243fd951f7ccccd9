"""benchmarks/e2e.py's pieces: the probe records every optimizer step of the process it runs,
and the summary turns wall clock and step times into the four reported figures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks import e2e, e2e_lengths

ROOT = Path(__file__).resolve().parents[2]


def test_probe_records_each_optimizer_step_of_a_script(tmp_path: Path) -> None:
    script = tmp_path / "loop.py"
    script.write_text(
        "import sys, torch\n"
        "p = torch.nn.Parameter(torch.zeros(2))\n"
        "opt = torch.optim.SGD([p], lr=0.1)\n"
        "for _ in range(int(sys.argv[1])):\n"
        "    p.sum().backward(); opt.step(); opt.zero_grad()\n"
    )
    out = tmp_path / "steps.json"
    subprocess.run([sys.executable, e2e.PROBE, str(out), str(script), "3"], check=True, cwd=ROOT)
    steps = json.loads(out.read_text())["steps"]
    assert len(steps) == 3 and steps == sorted(steps)


def test_summary_reads_start_up_steady_state_and_the_tail() -> None:
    steps = [10.0 + 0.5 * i for i in range(30)]  # the first step at 10 s, then one per 0.5 s
    steps[20:] = [s + 3.0 for s in steps[20:]]  # a validation pause the median ignores
    run = {"start": 7.0, "end": steps[-1] + 2.5, "steps": steps}
    got = e2e.summary(run, tokens_per_step=1000)
    assert got["steady tokens/s"] == 2000
    assert got["time to first step (s)"] == 3.0
    assert got["time after last step (s)"] == 2.5
    assert got["whole process (s)"] == steps[-1] + 2.5 - 7.0


def test_length_table_gives_ratios_against_the_peer() -> None:
    per = {"step_ms": 10.0, "saved_mb": 1.0}
    results = {
        128: {"nanoGPT-style": per, "archspec sinusoidal": per, "archspec relative": {
            "step_ms": 15.0, "saved_mb": 2.0}},
    }  # fmt: skip
    text = "\n".join(e2e_lengths.markdown(results))
    assert "| archspec relative | 15 ms (1.50x) |" in text
    assert "Relative over sinusoidal step time: T=128 1.50x." in text


def test_phases_count_each_phase_less_the_phases_inside_it() -> None:
    run = {
        "start": 0.0, "end": 20.0, "steps": [5.0, 6.0, 7.0, 10.0],
        "phases": [["data", 1, 2], ["fit", 3, 16], ["validation", 11, 13],
                   ["checkpoint", 13.5, 14], ["sample", 16.5, 17.5]],
    }  # fmt: skip
    got = e2e.phases(run)
    assert got["before"] == {
        "data": 1.0, "Trainer.fit (the rest)": 2.0, "rest (imports, start-up)": 2.0
    }  # fmt: skip
    assert got["after"] == {
        "Trainer.fit (the rest)": 3.5, "validation": 2.0, "checkpoint": 0.5, "sample": 1.0,
        "rest (shut-down)": 3.0,
    }  # fmt: skip


def test_step_table_splits_each_step_into_its_parts_and_the_rest() -> None:
    from benchmarks.e2e_steps import Clock

    clock = Clock()
    parts = {"forward": 0.010, "backward": 0.020, "optimizer": 0.001}
    clock.steps = [(0.05 * i, dict(parts)) for i in range(20)]  # one step every 50 ms
    table = "\n".join(clock.table())
    assert "step (wall)     50.00" in table
    assert "forward         10.00" in table and "clip             0.00" in table
    assert "rest            19.00" in table  # 50 - 10 - 20 - 1


def test_end_process_runs_atexit_handlers_and_keeps_the_status(tmp_path: Path) -> None:
    marker = tmp_path / "atexit.txt"
    script = (
        "import atexit, pathlib, sys\n"
        "from archspec.train.launch import end_process\n"
        f"atexit.register(lambda: pathlib.Path({str(marker)!r}).write_text('ran'))\n"
        "print('buffered', end='')\n"
        "end_process(3)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 3 and done.stdout == "buffered"
    assert marker.read_text() == "ran"
