"""Where a reply's text goes while it is generated: a caller (the web-chat pipeline, ai.live) opens
`reply_stream(sink)` around a provider call, and providers hand each piece of the draft to `reply_delta`.

A context variable, so providers keep their signatures and a call without a listener costs nothing; the
pieces joined are the draft's text (the stored answer stays the authority: listeners replace what they
showed with it)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_sink: ContextVar[Callable[[str], None] | None] = ContextVar("reply_delta_sink", default=None)


@contextmanager
def reply_stream(sink: Callable[[str], None]) -> Iterator[None]:
    """Within the block, every reply delta of this thread or task is passed to `sink(text)`."""
    token = _sink.set(sink)
    try:
        yield
    finally:
        _sink.reset(token)


def reply_delta(text: str) -> None:
    """A provider's next piece of reply text; dropped when nobody listens."""
    sink = _sink.get()
    if sink is not None and text:
        sink(text)
