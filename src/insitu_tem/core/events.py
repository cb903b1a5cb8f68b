"""A tiny Qt-free event hub: named events, plain callbacks.

``events.connect("probe", callback)`` calls ``callback(*payload)`` every time
``events.emit("probe", *payload)`` runs; ``connect("*", callback)`` receives
``callback(name, *payload)`` for every event. Callbacks run synchronously on the
emitting thread, in connection order (the GUI bridges them to Qt signals).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator

ANY = "*"


class EventHub:
    """Named events with callbacks; see the module docstring."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = tuple(names)
        self._callbacks: dict[str, list[Callable[..., Any]]] = {
            name: [] for name in (*self.names, ANY)
        }
        self._blocked = 0

    def _check(self, name: str) -> None:
        if name not in self._callbacks:
            raise ValueError(
                f"unknown event {name!r}; events are {', '.join(self.names)} or {ANY!r}"
            )

    def connect(self, name: str, callback: Callable[..., Any]) -> Callable[..., Any]:
        """Call ``callback`` on every ``name`` event; returns ``callback`` (usable as a
        decorator)."""
        self._check(name)
        self._callbacks[name].append(callback)
        return callback

    def disconnect(self, name: str, callback: Callable[..., Any]) -> None:
        """Stop calling ``callback`` for ``name`` (no error when it was not connected)."""
        self._check(name)
        if callback in self._callbacks[name]:
            self._callbacks[name].remove(callback)

    def emit(self, name: str, *payload: Any) -> None:
        """Call every callback of ``name``, then every ``"*"`` callback with the name first."""
        self._check(name)
        if self._blocked:
            return
        for callback in list(self._callbacks[name]):
            callback(*payload)
        for callback in list(self._callbacks[ANY]):
            callback(name, *payload)

    @contextmanager
    def blocked(self) -> Iterator[None]:
        """Emit nothing inside the ``with`` block (bulk loads)."""
        self._blocked += 1
        try:
            yield
        finally:
            self._blocked -= 1
