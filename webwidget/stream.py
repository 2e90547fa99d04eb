"""Server-Sent Events of one web-chat conversation: subscribe to the ticket's live key first, then send the
lines after the client's cursor from the database (so nothing published meanwhile is missed), then relay live
events until the stream's time is up (the browser's EventSource reconnects with Last-Event-ID = the last line's id).

Two forms of the same stream: a plain generator for WSGI servers (runserver, gunicorn threads, the test server)
and an async generator for ASGI servers (uvicorn), where an open stream costs no thread. A comment line every
`heartbeat` seconds keeps proxies from closing an idle stream and lets the server notice a gone client."""

import json
import time
from collections.abc import AsyncIterator, Callable, Iterator

from asgiref.sync import sync_to_async

from answerpal import live

RETRY_MILLISECONDS = 2000


def sse_event(event: str, data: dict, event_id: int | None = None) -> bytes:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def _relayed(event: dict) -> bytes:
    kind = event.get("type", "message")
    if kind == "message":
        return sse_event("message", event["line"], event["line"]["messageID"])
    return sse_event(kind, {key: value for key, value in event.items() if key != "type"})


def _opening(snapshot: list[dict]) -> list[bytes]:
    return [
        f"retry: {RETRY_MILLISECONDS}\n\n".encode(),
        *(sse_event("message", line, line["messageID"]) for line in snapshot),
        sse_event("ready", {"lines": len(snapshot)}),
    ]


def stream_sync(*, key: str, snapshot: Callable[[], list[dict]], seconds: float, heartbeat: float) -> Iterator[bytes]:
    with live.subscribe(key) as events:
        yield from _opening(snapshot())
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            event = events.get(timeout=min(heartbeat, left))
            yield b": ping\n\n" if event is None else _relayed(event)


async def stream_async(
    *, key: str, snapshot: Callable[[], list[dict]], seconds: float, heartbeat: float
) -> AsyncIterator[bytes]:
    async with live.async_subscribe(key) as events:
        for chunk in _opening(await sync_to_async(snapshot)()):
            yield chunk
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            event = await events.get(timeout=min(heartbeat, left))
            yield b": ping\n\n" if event is None else _relayed(event)
