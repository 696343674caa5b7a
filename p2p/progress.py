"""Progress of long steps, for whoever shows it. A service wraps a long loop in
`steps(items, label)`; that is just `items` unless a front end is showing progress
(the CLI: bars on stderr, `p2p.cli.progress_bars`). Services stay free of click and
terminals, and a step costs nothing when nobody watches."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
Show = Callable[[Iterable[Any], str, int], Iterable[Any]]  # (items, label, count) -> the same items, shown as they pass

_show: ContextVar[Show | None] = ContextVar("p2p_progress", default=None)


def steps(items: Iterable[T], label: str, count: int | None = None) -> Iterable[T]:
    """`items`, reported as they are consumed under `label` (e.g. "writing pages"):
    `count` of them, or len(items)."""
    show = _show.get()
    return items if show is None else show(items, label, len(items) if count is None else count)  # type: ignore[arg-type]


@contextmanager
def shown_by(show: Show) -> Iterator[None]:
    """Report every `steps` inside this block through `show`."""
    token = _show.set(show)
    try:
        yield
    finally:
        _show.reset(token)
