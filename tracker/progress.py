"""Progress bars for long `tracker` work: count, rate, time left, and a summary at the end."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

# (stage, done so far, total of the stage)
OnProgress = Callable[[str, int, int], None]


class RateColumn(ProgressColumn):
    """Items per second."""

    def render(self, task: Task) -> Text:
        """The task's speed, e.g. '154/s'."""
        return Text(f"{task.speed:,.0f}/s" if task.speed else "–/s", style="progress.data.speed")


def bar(console: Console | None = None) -> Progress:
    """A rich progress display with the columns every `tracker` bar shows."""
    return Progress(TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(),
                    RateColumn(), TextColumn("left"), TimeRemainingColumn(),
                    TextColumn("elapsed"), TimeElapsedColumn(), console=console)


@contextmanager
def staged_progress(console: Console | None = None) -> Iterator[OnProgress]:
    """A callback drawing one bar per stage; prints each stage's count and rate at the end."""
    progress = bar(console)
    tasks: dict[str, tuple[TaskID, float]] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = (progress.add_task(stage, total=total), time.monotonic())
        progress.update(tasks[stage][0], completed=done, total=total)

    with progress:
        yield update
    out = console or progress.console
    for stage, (task_id, started) in tasks.items():
        task = progress.tasks[task_id]
        seconds = (task.finished_time or task.elapsed or (time.monotonic() - started)) or 0.0
        rate = f", {task.completed / seconds:,.0f}/s" if seconds >= 0.5 else ""
        out.print(f"{stage}: {task.completed:,.0f} of {task.total or 0:,.0f} in {seconds:.1f} s{rate}")
