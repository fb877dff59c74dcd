"""A browserless Streamlit session over the real websocket protocol, for load on a real server.

A session connects to ``/_stcore/stream`` (subprotocol ``streamlit``), asks for a page with a
``BackMsg.rerun_script`` (query string and page name, as a browser's navigation does) and reads
``ForwardMsg``s until the run's ``script_finished``. What the page drew is checked on the way:
an exception element or an error box (``st.error``, the way the app shows its Swedish error
texts) makes the view an error page. Twenty such sessions cost far less than twenty browsers.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

EARLY_FOR_RERUN = 2  # script_finished of a run that st.rerun() cut short; the rerun follows
COMPILE_ERROR = 1


@dataclass
class View:
    """One page view: how long it took from asking to the run's end, and what went wrong if anything."""

    seconds: float
    error: str | None = None
    headings: list[str] = field(default_factory=list)
    deltas: int = 0  # ForwardMsg deltas the run sent (elements, blocks, …)
    bytes: int = 0   # bytes of every ForwardMsg of the run


class Session:
    """One browser tab's worth of a session: ``await open()``, ``await view(page)`` …, ``await close()``."""

    def __init__(self, stream_url: str, query: str = "", timeout: float = 300):
        self.stream_url = stream_url
        self.query = query
        self.timeout = timeout
        self._ws = None

    async def open(self) -> Session:
        import websockets

        self._ws = await websockets.connect(self.stream_url, subprotocols=["streamlit"], max_size=None,
                                            open_timeout=self.timeout, ping_interval=None)
        return self

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
            self._ws = None

    async def view(self, page: str) -> View:
        """Render ``page`` (its URL path; "" for the default page) and wait for the run to end."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        msg.rerun_script.query_string = self.query
        msg.rerun_script.page_name = page
        started = time.perf_counter()
        try:
            await self._ws.send(msg.SerializeToString())
            view = await asyncio.wait_for(self._until_finished(), self.timeout)
        except Exception as exc:  # noqa: BLE001 - a dropped connection or a timeout is the finding
            return View(time.perf_counter() - started, f"{type(exc).__name__}: {exc}")
        view.seconds = time.perf_counter() - started
        return view

    async def _until_finished(self) -> View:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        view = View(0.0)
        while True:
            msg = ForwardMsg()
            data = await self._ws.recv()
            msg.ParseFromString(data)
            view.bytes += len(data)
            kind = msg.WhichOneof("type")
            if kind == "delta":
                view.deltas += 1
                if msg.delta.WhichOneof("type") == "new_element":
                    _inspect(msg.delta.new_element, view)
            elif kind == "page_not_found":
                view.error = view.error or f"page not found: {msg.page_not_found.page_name!r}"
            elif kind == "script_finished" and msg.script_finished != EARLY_FOR_RERUN:
                if msg.script_finished == COMPILE_ERROR:
                    view.error = view.error or "the script did not compile"
                return view


def _inspect(element, view: View) -> None:
    from streamlit.proto.Alert_pb2 import Alert

    kind = element.WhichOneof("type")
    if kind == "exception" and view.error is None:
        view.error = f"{element.exception.type}: {element.exception.message}"[:300]
    elif kind == "alert" and element.alert.format == Alert.ERROR and view.error is None:
        view.error = element.alert.body[:300]
    elif kind == "heading":
        view.headings.append(element.heading.body)


async def load(stream_url: str, page: str, sessions: int, views: int, query: str = "",
               between=None) -> tuple[list[View], list[View]]:
    """``sessions`` sessions at once: each opens and renders ``page`` once (its first view), then,
    after ``between()`` (e.g. a CPU reading), all render it ``views`` times back to back.
    Returns (first views, measured views)."""
    opened = [Session(stream_url, query) for _ in range(sessions)]
    try:
        await asyncio.gather(*(s.open() for s in opened))
        first = await asyncio.gather(*(s.view(page) for s in opened))
        if between is not None:
            between()

        async def repeat(s: Session) -> list[View]:
            return [await s.view(page) for _ in range(views)]

        measured = [v for done in await asyncio.gather(*(repeat(s) for s in opened)) for v in done]
    finally:
        await asyncio.gather(*(s.close() for s in opened), return_exceptions=True)
    return list(first), measured
