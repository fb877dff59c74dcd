"""A real HTTP server on 127.0.0.1 standing in for Kolada v3, serving the API's JSON shapes
(values + count + next_url paging) with scripted faults: 429 with Retry-After, 5xx, slow
answers, malformed JSON, hostile bodies (gzip bombs, bodies that never end), and a sloppy mode
that answers every data or KPI question with everything it has."""

from __future__ import annotations

import json
import threading
import time
import zlib
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse


class FakeKolada:
    def __init__(self, values: list[tuple], municipalities: list[dict], kpis: list[dict], kpi_groups: list[dict],
                 municipality_groups: list[dict] = (), max_per_page: int = 5000):
        grouped: dict[tuple, list[dict]] = defaultdict(list)
        for kpi, mun, year, gender, value in values:
            grouped[(kpi, mun, int(year))].append(
                {"gender": gender, "count": 1, "status": "", "value": value, "isdeleted": False})
        self.objects = [{"kpi": k, "municipality": m, "period": y, "values": v} for (k, m, y), v in sorted(grouped.items())]
        self.municipalities, self.kpis = municipalities, kpis
        self.kpi_groups, self.municipality_groups = kpi_groups, list(municipality_groups)
        self.max_per_page = max_per_page
        self.requests: list[str] = []
        self.times: list[float] = []  # time.monotonic() of each request, as it arrived
        self.streamed = 0  # bytes of never-ending bodies written before the client hung up
        # consumed in order: {"status", "headers", "body", "delay"}, or {"stream": first bytes, "chunk": bytes
        # written again and again, "interval": seconds between chunks} for a body that never ends;
        # "path": only for a request whose path contains it
        self.faults: list[dict] = []
        self.sloppy = False  # data and KPI answers ignore the ids and years asked for
        self.stopping = threading.Event()
        self.gate: threading.Event | None = None  # when set: data requests wait until the gate opens
        self.data_requested = threading.Event()  # set by the first data request
        self._server: ThreadingHTTPServer | None = None

    # --- answers ----------------------------------------------------------------------

    def _select(self, path: str, query: dict) -> list[dict]:
        parts = path.strip("/").split("/")[1:]  # drop "v3"
        if parts[:1] == ["kpi"]:
            ids = parts[1].split(",") if len(parts) > 1 else None
            return [k for k in self.kpis if ids is None or self.sloppy or k["id"] in ids]
        if parts[:1] == ["kpi_groups"]:
            title = query.get("title", [""])[0].lower()
            return [g for g in self.kpi_groups if title in g["title"].lower()]
        if parts[:1] == ["municipality"]:
            return self.municipalities
        if parts[:1] == ["municipality_groups"]:
            title = query.get("title", [""])[0].lower()
            return [g for g in self.municipality_groups if title in g["title"].lower()]
        if parts[:1] == ["data"]:
            seg = dict(zip(parts[1::2], parts[2::2]))
            if sum(k in seg for k in ("kpi", "municipality", "year")) < 2:
                raise ValueError("at least two dimensions")
            for k in seg:
                if len(seg[k].split(",")) > 25:
                    raise OverflowError("too many ids")
            if self.sloppy:
                return self.objects
            kpis = set(seg["kpi"].split(",")) if "kpi" in seg else None
            muns = set(seg["municipality"].split(",")) if "municipality" in seg else None
            years = {int(y) for y in seg["year"].split(",")} if "year" in seg else None
            return [o for o in self.objects if (kpis is None or o["kpi"] in kpis)
                    and (muns is None or o["municipality"] in muns) and (years is None or o["period"] in years)]
        raise KeyError(path)

    def _fault(self, path: str) -> dict | None:
        for i, fault in enumerate(self.faults):
            if fault.get("path", "") in path:
                return self.faults.pop(i)
        return None

    def handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: bytes, headers: dict | None = None):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _stream(self, fault: dict):
                """Headers, then a body that never ends: the chunk again and again until the client
                hangs up (or the server stops, or a minute has passed)."""
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                for k, v in fault.get("headers", {}).items():
                    self.send_header(k, v)
                self.end_headers()
                ends = time.monotonic() + 60
                try:
                    self.wfile.write(fault["stream"])
                    while not fake.stopping.is_set() and time.monotonic() < ends:
                        self.wfile.write(fault["chunk"])
                        self.wfile.flush()
                        fake.streamed += len(fault["chunk"])
                        fake.stopping.wait(fault.get("interval", 0))
                except OSError:  # the client hung up: what the test wants
                    pass
                self.close_connection = True

            def do_GET(self):
                fake.requests.append(self.path)
                fake.times.append(time.monotonic())
                if "/data/" in self.path:
                    fake.data_requested.set()
                    if fake.gate is not None:
                        fake.gate.wait(120)
                fault = fake._fault(self.path)
                if fault:
                    time.sleep(fault.get("delay", 0))
                    if "stream" in fault:
                        return self._stream(fault)
                    if "status" in fault:
                        return self._send(fault["status"], fault.get("body", b'{"error": "fault"}'),
                                          fault.get("headers"))
                url = urlparse(self.path)
                query = parse_qs(url.query)
                try:
                    items = fake._select(url.path, query)
                except OverflowError:
                    return self._send(422, b'{"detail": "too many ids"}')
                except (KeyError, ValueError):
                    return self._send(404, b'{"detail": "not found"}')
                per_page = min(int(query.get("per_page", ["5000"])[0]), fake.max_per_page)
                page = int(query.get("page", ["1"])[0])
                chunk = items[(page - 1) * per_page: page * per_page]
                next_url = None
                if page * per_page < len(items):
                    q = {k: v[0] for k, v in query.items()}
                    q["page"] = str(page + 1)
                    next_url = f"http://{self.headers['Host']}{url.path}?{urlencode(q)}"
                body = {"values": chunk, "count": len(chunk), "next_url": next_url, "previous_url": None}
                return self._send(200, json.dumps(body).encode())

        return Handler

    def start(self) -> str:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}/v3"

    def stop(self) -> None:
        self.stopping.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()


def gzip_bomb(inflated: int, prefix: bytes = b'{"values": [') -> bytes:
    """A real gzip body (for ``Content-Encoding: gzip``) of about ``inflated / 1000`` bytes that
    inflates to ``inflated`` bytes: ``prefix`` then spaces. Compressed a megabyte at a time, so
    making it never holds the inflated body."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # gzip framing
    parts, block = [packer.compress(prefix)], b" " * (1 << 20)
    for _ in range(inflated // len(block)):
        parts.append(packer.compress(block))
    parts.append(packer.flush())
    return b"".join(parts)
