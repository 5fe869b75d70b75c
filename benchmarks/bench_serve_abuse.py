"""The feed server under the abuse of issue 13, with its default bounds, on loopback.

Run: .venv/bin/python benchmarks/bench_serve_abuse.py
Measures: normal GETs answered 200 while 80 clients keep reconnecting and dripping one byte
every 2 s (before: every normal GET got 503 for 40 s); a burst of 200 simultaneous connections
(before, with a listen backlog of 5: 64-115 unanswered for 20 s).
"""

from __future__ import annotations

import http.client
import logging
import selectors
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from oncall_planner.serve import make_server  # noqa: E402

REQUEST = b"GET /a.ics HTTP/1.1\r\nHost: x\r\n\r\n"


def drip(address: tuple[str, int], stop: threading.Event) -> None:
    """Reconnect and send the request one byte every 2 s, until stopped."""
    while not stop.is_set():
        try:
            with socket.create_connection(address, timeout=10) as sock:
                for byte in REQUEST:
                    sock.send(bytes([byte]))
                    if stop.wait(2):
                        break
        except OSError:
            stop.wait(0.1)


def normal_gets(address: tuple[str, int], seconds: float) -> Counter[str]:
    """One GET every 0.25 s for ``seconds``: how each was answered."""
    codes: Counter[str] = Counter()
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        try:
            conn = http.client.HTTPConnection(*address, timeout=10)
            conn.request("GET", "/a.ics")
            resp = conn.getresponse()
            resp.read()
            codes[str(resp.status)] += 1
            conn.close()
        except OSError as e:
            codes[type(e).__name__] += 1
        time.sleep(0.25)
    return codes


def burst(address: tuple[str, int], count: int = 200) -> tuple[Counter[str], float]:
    """``count`` connections at once: status of each answer, seconds until the last one."""
    sel = selectors.DefaultSelector()
    started = time.monotonic()
    answers = dict.fromkeys(range(count), b"")
    for i in range(count):
        sock = socket.socket()
        sock.setblocking(False)
        sock.connect_ex(address)
        sel.register(sock, selectors.EVENT_WRITE, i)
    done, last = 0, 0.0
    while done < count and time.monotonic() - started < 60:
        for key, events in sel.select(0.5):
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            if events & selectors.EVENT_WRITE:
                sock.sendall(REQUEST.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
                sel.modify(sock, selectors.EVENT_READ, key.data)
                continue
            try:
                chunk = sock.recv(65536)
            except OSError:
                chunk = b""
            answers[key.data] += chunk
            if not chunk:
                sel.unregister(sock)
                sock.close()
                done += 1
                last = time.monotonic() - started
    return Counter(a[9:12].decode() or "none" for a in answers.values()), last


def main() -> None:
    logging.disable(logging.WARNING)
    root = Path(tempfile.mkdtemp())
    (root / "a.ics").write_bytes(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    server = make_server(root)  # the defaults: 64 connections, 5 s header deadline, backlog 128
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    host, port = server.server_address[:2]
    address = (str(host), int(port))
    stop = threading.Event()
    for _ in range(80):
        threading.Thread(target=drip, args=(address, stop), daemon=True).start()
    time.sleep(1)
    print("normal GETs over 20 s beside 80 dripping clients:", dict(normal_gets(address, 20)))
    stop.set()
    time.sleep(6)
    codes, last = burst(address)
    print(f"burst of 200 connections: {dict(codes)}, last answer after {last:.2f} s")
    server.shutdown()
    server.server_close()


if __name__ == "__main__":
    main()
