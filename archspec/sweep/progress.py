"""The sweep's progress, one line per event: which variants run, how many are done and left.

Lines rather than a live panel, because an in-process variant prints Lightning's own progress
bar in between; each line stands alone in a log file too.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class Progress:
    """Counts variants as they start and end and prints a status line each time."""

    def __init__(self, name: str, total: int, done: int, echo: Callable[[str], None]) -> None:
        self.name, self.total, self.echo = name, total, echo
        self.skipped = done
        self.ended_ok = 0
        self.failed = 0
        self.stopped = 0
        self.running: list[str] = []
        self.t0 = time.perf_counter()
        if done:
            self.echo(f"[{name}] {done} of {total} variants already finished: skipped")

    @property
    def done(self) -> int:
        return self.skipped + self.ended_ok + self.failed

    def _line(self, what: str) -> None:
        left = self.total - self.done - len(self.running)
        state = f"{self.done}/{self.total} done"
        if self.failed:
            state += f", {self.failed} failed"
        running = f" · running {', '.join(self.running)}" if self.running else ""
        elapsed = _duration(time.perf_counter() - self.t0)
        self.echo(f"[{self.name}] {what} · {state}{running} · {left} left · {elapsed}")

    def started(self, name: str, action: str, running: list[str]) -> None:
        self.running = list(running)
        verb = {"resume": "resuming", "restart": "restarting"}.get(action, "starting")
        self._line(f"{verb} {name}")

    def ended(self, name: str, status: str, error: str | None) -> None:
        if name in self.running:
            self.running.remove(name)
        if status == "finished":
            self.ended_ok += 1
        elif status == "failed":
            self.failed += 1
        else:
            self.stopped += 1
        reason = f": {error.splitlines()[0]}" if error else ""
        self._line(f"{name} {status}{reason}")

    def done_message(self, interrupted: bool) -> str:
        elapsed = _duration(time.perf_counter() - self.t0)
        if interrupted:
            left = self.total - self.done
            return (
                f"[{self.name}] stopped after {elapsed}: {self.done}/{self.total} done, {left} "
                "to go; run the same command again to continue"
            )
        failed = f", {self.failed} failed" if self.failed else ""
        return f"[{self.name}] all {self.total} variants done in {elapsed}{failed}"

    def finish(self, interrupted: bool) -> None:
        self.echo(self.done_message(interrupted))


def _duration(seconds: float) -> str:
    minutes, sec = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{sec:02d}s" if minutes else f"{sec}s"
