"""The `archspec prepare` progress bar: megabytes of text done, tokens per second, time left."""

from __future__ import annotations

import time
from types import TracebackType
from typing import Any


class PrepareBar:
    """A rich progress bar fed by `writer.prepare_folder`'s progress callback."""

    def __init__(self, console: Any = None) -> None:
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(
            TextColumn("{task.description:<16}"),
            BarColumn(),
            TextColumn("{task.fields[mb]}"),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self.tasks: dict[str, Any] = {}
        self.started: dict[str, tuple[float, int]] = {}

    def __enter__(self) -> PrepareBar:
        self.progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.progress.stop()

    def __call__(self, phase: str, done: int, total: int, tokens: int) -> None:
        if phase not in self.tasks:
            self.tasks[phase] = self.progress.add_task(phase, total=max(total, 1), mb="", rate="")
            self.started[phase] = (time.perf_counter(), tokens)
        start, tokens0 = self.started[phase]
        seconds = max(time.perf_counter() - start, 1e-9)
        rate = f"{(tokens - tokens0) / seconds / 1e6:.2f} M tokens/s" if tokens else ""
        digits = 0 if total >= 10e6 else 1
        mb = f"{done / 1e6:,.{digits}f} / {total / 1e6:,.{digits}f} MB"
        self.progress.update(self.tasks[phase], completed=done, mb=mb, rate=rate)
