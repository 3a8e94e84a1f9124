"""A Streamlit session without a browser: the websocket messages a browser tab sends and receives.

The load test (``bench/load.py``) needs many users on a two-core machine; a
Chromium per user spends about 0.5–1.6 CPU seconds drawing each page (measured
with one browser), so twenty of them take both cores and measure the browsers,
not the server. This client speaks Streamlit's own protocol instead — the
protobuf ``BackMsg``/``ForwardMsg`` over ``/_stcore/stream`` that the web
frontend uses — so the server does exactly the work a browser tab asks of it
(script runs with the same widget values, query string and page, every element
sent in full, deferred downloads generated and fetched over HTTP), while the
client's own work is parsing those messages.

What it does not do: draw anything, or keep the frontend's message cache (the
server sends every element in full, which is more work for the server than a
browser's cached session).

Use::

    client = await ProtocolSession.connect("http://127.0.0.1:8501")
    await client.run()                                  # open the landing page
    await client.choose("button_group", "Niveau", "Provincies")
    await client.navigate("regioprofiel")
    png = await client.download("PNG (1×)")
"""

from __future__ import annotations

import asyncio
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackendOperationRequest, BackMsg, DeferredFileRequestPayload
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

RUN_TIMEOUT_S = 60.0


class ProtocolError(RuntimeError):
    """The server answered something a browser would show as an error (an exception, a missing page)."""


@dataclass
class Page:
    """What the browser would show after a run: the elements by delta path, and the page's address."""

    elements: dict[tuple[int, ...], Element] = field(default_factory=dict)
    page_script_hash: str = ""
    query_string: str = ""
    exceptions: list[str] = field(default_factory=list)
    page_not_found: bool = False

    def widgets(self, kind: str) -> list[Any]:
        """The widget protos of one kind (``selectbox``, ``slider``, ``button_group``, ...), in page order."""
        return [getattr(e, kind) for _, e in sorted(self.elements.items()) if e.WhichOneof("type") == kind]


class ProtocolSession:
    """One user's Streamlit session over one websocket."""

    def __init__(self, base_url: str, socket: Any) -> None:
        self.base_url = base_url.rstrip("/")
        self._socket = socket
        self.page = Page()
        self.session_id = ""
        self.pages: dict[str, str] = {}  # url path -> page script hash
        self._widget_values: dict[str, WidgetState] = {}  # this page's widgets as the user left them
        self._idle = asyncio.Event()
        self._idle.set()
        self._runs_finished = 0
        self._responses: dict[str, asyncio.Future[Any]] = {}
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def connect(cls, base_url: str) -> ProtocolSession:
        stream = base_url.rstrip("/").replace("http://", "ws://", 1).replace("https://", "wss://", 1) + "/_stcore/stream"
        # The frontend names the subprotocol "streamlit"; a second entry would carry an XSRF token, used
        # only for signed-in users.
        socket = await websockets.connect(stream, subprotocols=["streamlit"], max_size=None, open_timeout=RUN_TIMEOUT_S)
        return cls(base_url, socket)

    async def close(self) -> None:
        self._reader.cancel()
        await self._socket.close()

    # --- receiving -------------------------------------------------------------------------------------

    async def _read(self) -> None:
        try:
            async for payload in self._socket:
                msg = ForwardMsg()
                msg.ParseFromString(payload)
                self._handle(msg)
        except websockets.ConnectionClosed:
            pass
        finally:
            for future in self._responses.values():
                if not future.done():
                    future.set_exception(ProtocolError("the server closed the connection"))
            self._idle.set()

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session":  # sent at the start of every run
            self.session_id = msg.new_session.initialize.session_id or self.session_id
            self.page = Page(page_script_hash=msg.new_session.page_script_hash, query_string=self.page.query_string)
        elif kind == "navigation":  # st.navigation: the pages and which one runs
            self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
            self.pages.update({"": p.page_script_hash for p in msg.navigation.app_pages if p.is_default})
            self.page.page_script_hash = msg.navigation.page_script_hash or self.page.page_script_hash
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            self.page.elements[tuple(msg.metadata.delta_path)] = element
            if element.WhichOneof("type") == "exception":
                self.page.exceptions.append(f"{element.exception.type}: {element.exception.message}"[:200])
        elif kind == "page_info_changed":  # the app wrote st.query_params: the browser's address changes
            self.page.query_string = msg.page_info_changed.query_string
        elif kind == "page_not_found":
            self.page.page_not_found = True
        elif kind == "session_status_changed":
            if msg.session_status_changed.script_is_running:
                self._idle.clear()
            else:
                self._idle.set()
        elif kind == "script_finished":
            self._runs_finished += 1
        elif kind == "backend_operation_response":
            future = self._responses.pop(msg.backend_operation_response.request_id, None)
            if future is not None and not future.done():
                future.set_result(msg.backend_operation_response)
        elif kind == "ref_hash":  # only sent for hashes the client says it has cached; this one says none
            self.page.exceptions.append("the server sent a cached-message reference to a client without a cache")

    # --- sending ---------------------------------------------------------------------------------------

    async def _rerun(self, state: ClientState) -> None:
        """Send one run request and wait until the script has stopped running (as the browser's spinner)."""
        finished_before = self._runs_finished
        self._idle.clear()
        await self._socket.send(BackMsg(rerun_script=state).SerializeToString())

        async def done() -> None:
            while True:
                await self._idle.wait()
                if self._runs_finished > finished_before or self._reader.done():
                    return
                self._idle.clear()

        await asyncio.wait_for(done(), RUN_TIMEOUT_S)
        if self._reader.done():
            raise ProtocolError("the server closed the connection during a run")
        if self.page.exceptions:
            raise ProtocolError(f"exception on the page: {self.page.exceptions[0]}")
        if self.page.page_not_found:
            raise ProtocolError("page not found")

    async def run(self, path: str = "", query_string: str = "") -> None:
        """Open a page by its address (``""`` is the landing page), as a browser loading a link does."""
        self._widget_values = {}
        self.page.query_string = query_string
        await self._rerun(ClientState(query_string=query_string, page_name=path.strip("/")))

    async def navigate(self, url_path: str) -> None:
        """Go to another page from the sidebar (the page's URL path, e.g. ``regioprofiel``; ``""`` = main)."""
        if url_path not in self.pages:
            raise ProtocolError(f"no page {url_path!r}; pages: {sorted(self.pages)}")
        self._widget_values = {}
        self.page.query_string = ""
        await self._rerun(ClientState(page_script_hash=self.pages[url_path]))

    def widget(self, kind: str, label: str) -> Any:
        """The widget proto of ``kind`` whose label is ``label`` on the current page."""
        for proto in self.page.widgets(kind):
            if proto.label == label:
                return proto
        labels = [p.label for p in self.page.widgets(kind)]
        raise ProtocolError(f"no {kind} labelled {label!r} on the page; there are {labels}")

    def current(self, kind: str, label: str) -> str:
        """The option a select box, segmented control or select slider shows now (as the browser would)."""
        proto = self.widget(kind, label)
        options = [o.content for o in proto.options] if kind == "button_group" else list(proto.options)
        sent = self._widget_values.get(proto.id)
        if kind == "selectbox":
            if proto.set_value or sent is None:  # the page set it, or the user has not
                return proto.raw_value if proto.set_value else (options[proto.default] if 0 <= proto.default < len(options) else "")
            return sent.string_value
        raw = list(proto.raw_values if kind == "button_group" else proto.raw_value)
        if proto.set_value and raw:
            return raw[0]
        if sent is not None and sent.string_array_value.data:
            return sent.string_array_value.data[0]
        if raw:
            return raw[0]
        default = [int(i) for i in proto.default]
        return options[default[0]] if default and 0 <= default[0] < len(options) else ""

    async def choose(self, kind: str, label: str, option: str) -> None:
        """Set a select box, segmented control or select slider to ``option`` (its label as shown)."""
        proto = self.widget(kind, label)
        if option not in list(proto.options if kind != "button_group" else (o.content for o in proto.options)):
            raise ProtocolError(f"{label!r} has no option {option!r}")
        state = WidgetState(id=proto.id)
        if kind == "selectbox":
            state.string_value = option
        else:  # button_group and select_slider send a list of formatted options
            state.string_array_value.data.append(option)
        self._widget_values[proto.id] = state
        client_state = ClientState(query_string=self.page.query_string, page_script_hash=self.page.page_script_hash)
        client_state.widget_states.widgets.extend(self._widget_values.values())
        await self._rerun(client_state)

    async def download(self, label: str) -> bytes:
        """Click a download button whose file is made on click (``data=callable``) and fetch the file."""
        buttons = [b for b in self.page.widgets("download_button") if b.label == label]
        if not buttons:
            raise ProtocolError(f"no download button {label!r} on the page")
        request_id = uuid.uuid4().hex
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._responses[request_id] = future
        request = BackendOperationRequest(
            request_id=request_id, session_id=self.session_id,
            deferred_file=DeferredFileRequestPayload(file_id=buttons[0].deferred_file_id),
        )  # fmt: skip
        await self._socket.send(BackMsg(backend_operation_request=request).SerializeToString())
        response = await asyncio.wait_for(future, RUN_TIMEOUT_S)
        if response.error_msg:
            raise ProtocolError(f"download {label!r} failed: {response.error_msg}")
        url = response.deferred_file.url
        url = url if "://" in url else self.base_url + "/" + url.lstrip("/")

        def fetch() -> bytes:
            with urllib.request.urlopen(url, timeout=RUN_TIMEOUT_S) as answer:  # noqa: S310 - our own server
                return answer.read()

        return await asyncio.to_thread(fetch)
