"""A threaded HTTP server on 127.0.0.1, the base of the fake CBS and PDOK servers."""

from __future__ import annotations

import http.server
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
