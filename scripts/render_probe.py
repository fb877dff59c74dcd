"""Render a page of a running asn-dash server, the way a browser session asks for it, and check it.

    .venv/bin/python scripts/render_probe.py PORT [EXPECTED_TEXT]

Opens Streamlit's websocket (``/_stcore/stream``), asks for one script run, collects the text of
the elements the page sends until the run finishes, and exits 0 when the run finished without
an exception element and EXPECTED_TEXT (default: "Översikt") is among the texts; 1 otherwise.
Used by scripts/fresh-machine-test.sh to prove a fresh install serves a real page.
"""

from __future__ import annotations

import asyncio
import sys

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

TIMEOUT_S = 120


def _texts(msg: ForwardMsg) -> list[str]:
    """The readable strings of one element message (markdown, headings, metrics, alerts …)."""
    element = msg.delta.new_element
    kind = element.WhichOneof("type")
    if kind is None:
        return []
    inner = getattr(element, kind)
    return [str(getattr(inner, f.name)) for f in inner.DESCRIPTOR.fields
            if f.type == f.TYPE_STRING and getattr(inner, f.name)] + [f"<{kind}>"]


async def probe(port: int) -> tuple[bool, list[str]]:
    back = BackMsg()
    back.rerun_script.query_string = ""
    back.rerun_script.page_name = ""
    texts: list[str] = []
    async with websockets.connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],
                                  max_size=None, open_timeout=30) as ws:
        await ws.send(back.SerializeToString())
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await ws.recv())
            if msg.WhichOneof("type") == "delta":
                texts += _texts(msg)
            elif msg.WhichOneof("type") == "script_finished" and msg.script_finished in (0, 1):
                # 0: finished successfully, 1: finished early for a rerun (e.g. a page switch)
                if msg.script_finished == 0:
                    return True, texts


def main() -> int:
    port = int(sys.argv[1])
    expected = sys.argv[2] if len(sys.argv) > 2 else "Översikt"
    try:
        finished, texts = asyncio.run(asyncio.wait_for(probe(port), TIMEOUT_S))
    except (OSError, asyncio.TimeoutError, websockets.WebSocketException) as exc:
        print(f"render probe: no page from port {port}: {exc!r}")
        return 1
    failed = "<exception>" in texts
    found = any(expected in t for t in texts)
    print(f"render probe: {len(texts)} element texts, '{expected}' {'found' if found else 'MISSING'}, "
          f"{'an exception element' if failed else 'no exception'}")
    if failed or not found:
        print("\n".join(t[:200] for t in texts))
    return 0 if finished and found and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
