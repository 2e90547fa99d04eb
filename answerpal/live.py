"""Live events for browsers (kernel pub/sub): any app publishes a small JSON event on a key (for example
`webchat.ticket.42`) and every stream subscribed to that key, in any web process, receives it.

With LIVE_REDIS_URL (default: REDIS_URL) the events travel through Redis pub/sub, so a Celery worker's
AI answer reaches the web process that holds the visitor's stream; without it they stay in this process (the
embedded default: one web process, tasks run in process). Delivery is at most once and only to subscribers
connected at the time: a stream that subscribes first and then reads the database misses nothing, and a client
that reconnects catches up from the database. `publish` sends at once (not after commit): callers that announce
stored rows publish from an after-commit handler (answerpal.events does that for its subscribers).

Subscriptions come in two kinds: `subscribe` (a blocking `get(timeout)`, for WSGI threads) and `async_subscribe`
(an awaitable `get(timeout)`, for ASGI), both used as context managers."""

import asyncio
import json
import logging
import queue
import threading
import time
from functools import cache

from django.conf import settings

logger = logging.getLogger(__name__)

_local_lock = threading.Lock()
_local_subscribers: dict[str, set] = {}


def _redis_url() -> str:
    return getattr(settings, "LIVE_REDIS_URL", "") or ""


def _channel_name(key: str) -> str:
    return f"{settings.LIVE_KEY_PREFIX}{key}"


@cache
def _redis_publisher(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)


def publish(key: str, event: dict) -> None:
    """Sends `event` (JSON-serialisable) to the current subscribers of `key`; never raises for a broker fault
    (a lost live event is caught up by the client from the database)."""
    url = _redis_url()
    if url:
        try:
            _redis_publisher(url).publish(_channel_name(key), json.dumps(event))
        except Exception:  # the broker is down: the widget falls back to reading the conversation
            logger.warning("Live event on %s not published (Redis unavailable)", key, exc_info=True)
        return
    with _local_lock:
        subscribers = list(_local_subscribers.get(key, ()))
    for subscriber in subscribers:
        subscriber.deliver(event)


def _local_add(key: str, subscriber) -> None:
    with _local_lock:
        _local_subscribers.setdefault(key, set()).add(subscriber)


def _local_remove(key: str, subscriber) -> None:
    with _local_lock:
        subscribers = _local_subscribers.get(key)
        if subscribers is not None:
            subscribers.discard(subscriber)
            if not subscribers:
                del _local_subscribers[key]


class Subscription:
    """Blocking subscription to one key (for a WSGI thread); `get(timeout)` answers an event or None."""

    def __init__(self, key: str):
        self.key = key
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._pubsub = None

    def __enter__(self):
        url = _redis_url()
        if url:
            import redis

            self._client = redis.Redis.from_url(url, socket_connect_timeout=5)
            self._pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            self._pubsub.subscribe(_channel_name(self.key))
        else:
            _local_add(self.key, self)
        return self

    def deliver(self, event: dict) -> None:
        self._queue.put(event)

    def get(self, timeout: float) -> dict | None:
        if self._pubsub is None:
            try:
                return self._queue.get(timeout=timeout)
            except queue.Empty:
                return None
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            message = self._pubsub.get_message(timeout=left)
            if message and message.get("type") == "message":
                return json.loads(message["data"])
        return None

    def __exit__(self, *exc):
        if self._pubsub is None:
            _local_remove(self.key, self)
        else:
            self._pubsub.close()
            self._client.close()


class AsyncSubscription:
    """Subscription to one key inside an event loop (for ASGI); `await get(timeout)` answers an event or None."""

    def __init__(self, key: str):
        self.key = key
        self._pubsub = None

    async def __aenter__(self):
        url = _redis_url()
        if url:
            import redis.asyncio

            self._client = redis.asyncio.Redis.from_url(url, socket_connect_timeout=5)
            self._pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            await self._pubsub.subscribe(_channel_name(self.key))
        else:
            self._loop = asyncio.get_running_loop()
            self._queue: asyncio.Queue = asyncio.Queue()
            _local_add(self.key, self)
        return self

    def deliver(self, event: dict) -> None:
        """Called from any thread (the publishing request or task)."""
        self._loop.call_soon_threadsafe(self._queue.put_nowait, event)

    async def get(self, timeout: float) -> dict | None:
        if self._pubsub is None:
            try:
                return await asyncio.wait_for(self._queue.get(), timeout)
            except TimeoutError:
                return None
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            message = await self._pubsub.get_message(timeout=left)
            if message and message.get("type") == "message":
                return json.loads(message["data"])
        return None

    async def __aexit__(self, *exc):
        if self._pubsub is None:
            _local_remove(self.key, self)
        else:
            await self._pubsub.aclose()
            await self._client.aclose()


def subscribe(key: str) -> Subscription:
    """`with subscribe(key) as events: events.get(timeout)`."""
    return Subscription(key)


def async_subscribe(key: str) -> AsyncSubscription:
    """`async with async_subscribe(key) as events: await events.get(timeout)`."""
    return AsyncSubscription(key)


def ticket_key(ticket_id: int) -> str:
    """The live key of one ticket's conversation (web chat streams subscribe to it)."""
    return f"ticket.{ticket_id}"
