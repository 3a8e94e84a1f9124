"""A threaded HTTP server on 127.0.0.1, the base of the fake CBS and PDOK servers.

:func:`send_partial` is the shared way to break an answer off in the middle of
its body: with a TCP reset, or by going quiet (a read timeout for the client).
"""

from __future__ import annotations

import http.server
import socket
import struct
import threading
from collections.abc import Callable
from typing import Self


class LoopbackServer:
    """Serves on a free port of 127.0.0.1 in a background thread.

    Subclasses give :meth:`make_handler` (a request-handler factory, usually
    ``functools.partial(Handler, self)``). ``_stopping`` is set on stop, so a
    handler that delays an answer (a timeout fault) can be cut short.
    """

    def __init__(self) -> None:
        self._stopping = threading.Event()
        self._httpd: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def make_handler(self) -> Callable[..., http.server.BaseHTTPRequestHandler]:
        raise NotImplementedError

    def start(self) -> Self:
        """Listen on a free port of 127.0.0.1 and serve in a background thread."""
        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self.make_handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (delayed answers are cut short)."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])


def send_partial(
    handler: http.server.BaseHTTPRequestHandler,
    body: bytes,
    content_type: str,
    stopping: threading.Event,
    *,
    reset: bool = False,
    stall_s: float = 0.0,
) -> None:
    """Answer 200 promising all of ``body``, send half, then reset or stall.

    ``reset``: close with a TCP RST (SO_LINGER 0), so the client sees the
    connection drop mid-body. Otherwise wait ``stall_s`` seconds (cut short when
    ``stopping`` is set) and send the rest, so a client with a shorter read
    timeout gives up mid-body.
    """
    try:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body[: len(body) // 2])
        handler.wfile.flush()
        if reset:
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            handler.connection.close()
        elif not stopping.wait(stall_s):
            handler.wfile.write(body[len(body) // 2 :])
    except OSError:
        pass  # the client gave up first: nothing to do
    handler.close_connection = True
