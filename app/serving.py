"""How `convlens serve` runs uvicorn: its options, and an HTTP protocol that bounds slow clients.

uvicorn times out idle keep-alive connections only: a connection that trickles its request head
or body a byte at a time is never closed, and `limit_concurrency` only answers 503 to requests
that complete while too many connections are open. GuardedHttpProtocol adds what is missing:
a deadline to read each request, a cap on the bytes of a request head, and a cap on the
connections still sending their head (the oldest is closed to make room for a new one).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.config import Settings, get_settings

MAX_HEAD_BYTES = 64 * 1024  # request line + headers; the page's requests send < 1 KiB
TIMEOUT_408 = b"HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"
TOO_LARGE_431 = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"connection: close\r\ncontent-length: 0\r\n\r\n"
)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn.run() keyword arguments for the limits in `settings`."""
    return {
        "http": GuardedHttpProtocol,
        "limit_concurrency": settings.max_connections,
        "timeout_keep_alive": settings.keep_alive_timeout,
        "timeout_graceful_shutdown": settings.graceful_shutdown_timeout,
        "backlog": settings.backlog,
    }


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a read deadline per request, a head-size cap and a cap
    on connections still sending their head; limits come from the CONVLENS_* settings."""

    # Connections of this process still sending a request head, oldest first (dicts keep order).
    reading_head: dict[GuardedHttpProtocol, None] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = get_settings()
        self.read_timeout = settings.request_read_timeout
        self.max_reading_head = max(1, settings.max_connections // 2)
        self.deadline: asyncio.TimerHandle | None = None
        self.head_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_request()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self in self.reading_head:  # the head is still incomplete after these bytes
            self.head_bytes += len(data)
            if self.head_bytes > MAX_HEAD_BYTES:
                self._close(TOO_LARGE_431)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self.deadline is None:  # the next request on a kept-alive connection
            self._start_request()

    def on_headers_complete(self) -> None:
        self.reading_head.pop(self, None)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._cancel_deadline()
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        self.reading_head.pop(self, None)
        super().connection_lost(exc)

    def _start_request(self) -> None:
        """Start the clock for a request's head and body; make room among slow heads."""
        self.head_bytes = 0
        self.reading_head[self] = None
        while len(self.reading_head) > self.max_reading_head:
            oldest = next(iter(self.reading_head))
            self.reading_head.pop(oldest)
            oldest._close(TIMEOUT_408)
        self._cancel_deadline()
        self.deadline = self.loop.call_later(self.read_timeout, self._too_slow)

    def _too_slow(self) -> None:
        """The request was not read in time: close, unless it is the server that reads slowly."""
        self.deadline = None
        if self.flow is not None and self.flow.read_paused:  # the app has not read the body yet
            self.deadline = self.loop.call_later(self.read_timeout, self._too_slow)
            return
        self._close(TIMEOUT_408)

    def _close(self, answer: bytes) -> None:
        self._cancel_deadline()
        self.reading_head.pop(self, None)
        if self.transport is None or self.transport.is_closing():
            return
        if self.cycle is None or not self.cycle.response_started:
            self.transport.write(answer)
        self.transport.close()

    def _cancel_deadline(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None
