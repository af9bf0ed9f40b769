"""A client made the first time it is needed: a bot without an outside system never imports httpx for it, and one
with it does not start slower (importing httpx and building its TLS contexts takes a second)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class FirstUse(Generic[T]):
    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._made: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        with self._lock:
            if self._made is None:
                self._made = self._make()
            return self._made

    def made(self) -> T | None:
        """The client if it has been made (to close it), else None: nothing is made for asking."""
        return self._made


def made_or(client: T | None, make: Callable[[], T]) -> FirstUse[T]:
    """`client` when one is given (a test's), else one `make` makes on first use."""
    return FirstUse(make if client is None else (lambda: client))
