"""A manual clock and scheduler for the pinned summary's coalescing (services/summary_coalescing.py): a test moves
time on past SUMMARY_UPDATE_SECONDS and the trailing edit is made then, instead of sleeping."""

from __future__ import annotations

from collections.abc import Callable

from redalert_core.services.summary_coalescing import SummaryCoalescer


class ManualTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.jobs: list[tuple[float, Callable[[], None]]] = []

    def __call__(self) -> float:
        return self.now

    def schedule(self, delay: float, job: Callable[[], None]) -> None:
        self.jobs.append((self.now + delay, job))

    def advance(self, seconds: float) -> None:
        """Move time on and run the jobs that fall due, in order."""
        self.now += seconds
        due = sorted(((at, job) for at, job in self.jobs if at <= self.now), key=lambda item: item[0])
        self.jobs = [(at, job) for at, job in self.jobs if at > self.now]
        for _, job in due:
            job()


def coalesce_on_manual_time(response) -> ManualTime:
    """Give a ResponseService's summary coalescer a manual clock; returns it."""
    time = ManualTime()
    response.summaries = SummaryCoalescer(lambda: response.settings.summary_update_seconds, time, time.schedule)
    return time
