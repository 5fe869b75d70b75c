"""The subscription server under hostile clients, on loopback, bounded in count and time.

Each case is a reproducer from issue 13: malformed request lines got no response and an
``AttributeError: path`` traceback; 80 clients dripping a byte every 2 s held every slot; a burst
of 200 connections overflowed a listen backlog of 5.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import selectors
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from oncall_planner.serve import MAX_HEAD_BYTES, FeedServer, make_server

FEED = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nEND:VCALENDAR\r\n"
# The first bytes of a TLS 1.2 ClientHello: what an https:// URL sends to a plain-HTTP port.
TLS_HELLO = bytes.fromhex("160301020001000200fc0303") + bytes(range(32)) + b"\x00\x02\x13\x01"


@pytest.fixture
def feeds(tmp_path: Path) -> Path:
    root = tmp_path / "feeds"
    root.mkdir()
    (root / "backend.ics").write_bytes(FEED)
    return root


def _running(server: FeedServer) -> Iterator[FeedServer]:
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _address(srv: FeedServer) -> tuple[str, int]:
    host, port = srv.server_address[:2]
    return str(host), int(port)


def _get(srv: FeedServer, path: str = "/backend.ics") -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(*_address(srv), timeout=5)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def _raw(srv: FeedServer, data: bytes, timeout: float = 5.0) -> bytes:
    """Send ``data`` (from a thread: the server may answer before it has read it all) and
    return everything the server sends until it closes."""
    sock = socket.create_connection(_address(srv), timeout=timeout)

    def send() -> None:
        # The server may answer and close before reading it all.
        with contextlib.suppress(OSError):
            sock.sendall(data)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except OSError:
        pass
    finally:
        sender.join(timeout=timeout)
        sock.close()
    return received


MALFORMED = {
    "unknown version word": b"GET / FOO\r\n\r\n",
    "bare method": b"GET\r\n\r\n",
    "HTTP/9.9": b"GET /backend.ics HTTP/9.9\r\nHost: x\r\n\r\n",
    "TLS ClientHello": TLS_HELLO,
    "1 MB URL": b"GET /" + b"a" * 1_000_000 + b".ics HTTP/1.1\r\nHost: x\r\n\r\n",
    "four words": b"GET /backend.ics HTTP/1.1 extra\r\n\r\n",
    "non-ASCII path": "GET /bäckend.ics HTTP/1.1\r\n\r\n".encode(),
    "binary": b"\x00\xff\x00\xff\r\n\r\n",
    "header without colon": b"GET /backend.ics HTTP/1.1\r\nHost\r\n\r\n",
}


@pytest.mark.parametrize("data", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_request_gets_400_and_no_traceback(
    feeds: Path, data: bytes, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG, logger="oncall_planner.serve")
    for srv in _running(make_server(feeds, header_timeout=2.0)):
        started = time.monotonic()
        answer = _raw(srv, data)
        assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n"), answer[:200]
        assert b"Connection: close" in answer
        assert time.monotonic() - started < 2.0  # answered at once, not at the deadline
        assert _get(srv)[0] == 200  # and the server still serves
    assert not [r for r in caplog.records if r.exc_info]
    assert "Traceback" not in capsys.readouterr().err
    assert any(" 400 " in r.getMessage() for r in caplog.records)


def test_head_just_under_the_limit_is_served(feeds: Path) -> None:
    for srv in _running(make_server(feeds)):
        padding = "x" * (MAX_HEAD_BYTES - 200)
        conn = http.client.HTTPConnection(*_address(srv), timeout=5)
        conn.request("GET", "/backend.ics", headers={"X-Padding": padding})
        resp = conn.getresponse()
        assert (resp.status, resp.read()) == (200, FEED)
        conn.close()


def test_a_refused_request_line_does_not_log_its_token(
    feeds: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="oncall_planner.serve")
    for srv in _running(make_server(feeds)):
        assert _raw(srv, b"GET /people/a.ics?token=SECRETSECRET HTTP/9.9\r\n\r\n").startswith(
            b"HTTP/1.1 400 "
        )
    assert "SECRETSECRET" not in caplog.text


def _drip(srv: FeedServer, answers: list[bytes], stop: threading.Event) -> None:
    """Send a valid request head one byte every 0.2 s; keep what the server answers."""
    data = b"GET /backend.ics HTTP/1.1\r\nHost: x\r\n\r\n"
    sock = socket.create_connection(_address(srv), timeout=5)
    sock.setblocking(False)
    received = b""
    try:
        for byte in data:
            if stop.is_set():
                break
            try:
                sock.send(bytes([byte]))
            except OSError:
                break  # the server closed: a 408 (or 503) is waiting to be read
            try:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                received += chunk
            except BlockingIOError:
                pass
            except OSError:
                break
            stop.wait(0.2)
        sock.settimeout(3)
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except OSError:
            pass
    finally:
        sock.close()
        answers.append(received)


def test_dripping_clients_lose_their_slots_at_the_header_deadline(feeds: Path) -> None:
    # 4 slots, a 1 s deadline; 4 clients each send one byte every 0.2 s (a 39-byte request
    # would take 8 s). An idle timer reset per byte would let them hold every slot for 8 s.
    stop = threading.Event()
    answers: list[bytes] = []
    for srv in _running(make_server(feeds, max_connections=4, header_timeout=1.0)):
        drippers = [threading.Thread(target=_drip, args=(srv, answers, stop)) for _ in range(4)]
        started = time.monotonic()
        for t in drippers:
            t.start()
        time.sleep(0.3)
        status, headers, _ = _get(srv)
        assert status == 503 and headers["retry-after"] == "5"  # full: refused at once
        for t in drippers:
            t.join(timeout=6)
        elapsed = time.monotonic() - started
        stop.set()
        assert len(answers) == 4
        assert all(a.startswith(b"HTTP/1.1 408 Request Timeout\r\n") for a in answers), answers
        assert elapsed < 4.0  # each was cut off at about 1 s, not after its 8 s of dripping
        assert _get(srv)[:3:2] == (200, FEED)  # the slots are free again


def test_silent_connection_is_closed_at_the_deadline(feeds: Path) -> None:
    for srv in _running(make_server(feeds, header_timeout=0.5)):
        started = time.monotonic()
        with socket.create_connection(_address(srv), timeout=5) as sock:
            answer = sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 408 ")
        assert time.monotonic() - started < 3.0


def test_idle_keep_alive_connection_closes_quietly(feeds: Path) -> None:
    for srv in _running(make_server(feeds, max_connections=1, idle_timeout=0.5)):
        conn = http.client.HTTPConnection(*_address(srv), timeout=5)
        conn.request("GET", "/backend.ics")
        assert conn.getresponse().read() == FEED
        time.sleep(1.2)  # past idle_timeout: the server closed the connection, freeing the slot
        assert _get(srv)[0] == 200
        conn.close()


def test_connection_limit_gives_503_with_retry_after(feeds: Path) -> None:
    for srv in _running(make_server(feeds, max_connections=2, header_timeout=3.0)):
        held = [socket.create_connection(_address(srv), timeout=5) for _ in range(2)]
        time.sleep(0.2)  # both accepted and holding a slot, waiting for their request line
        started = time.monotonic()
        answer = _raw(srv, b"GET /backend.ics HTTP/1.1\r\nHost: x\r\n\r\n")
        assert time.monotonic() - started < 2.0  # at once, not a silent hang
        assert answer.startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
        assert b"\r\nRetry-After: 5\r\n" in answer
        for sock in held:
            sock.close()


def test_a_burst_of_200_connections_is_answered(feeds: Path) -> None:
    # With socketserver's listen backlog of 5, 64-115 of 200 simultaneous clients waited 20 s
    # in SYN retries. Non-blocking sockets: 200 clients without 200 threads.
    count = 200
    for srv in _running(make_server(feeds, max_connections=count + 8)):
        assert srv.request_queue_size >= 128
        request = b"GET /backend.ics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        sel = selectors.DefaultSelector()
        answers: dict[int, bytes] = {}
        for i in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            sock.connect_ex(_address(srv))
            sel.register(sock, selectors.EVENT_WRITE, i)
            answers[i] = b""
        deadline = time.monotonic() + 10
        done = 0
        while done < count and time.monotonic() < deadline:
            for key, events in sel.select(timeout=0.5):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                if events & selectors.EVENT_WRITE:
                    sock.sendall(request)
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
        for key in list(sel.get_map().values()):
            key.fileobj.close()  # type: ignore[union-attr]
        served = [a for a in answers.values() if a.startswith(b"HTTP/1.1 200 OK") and FEED in a]
        assert len(served) == count


def test_bounds_are_checked(feeds: Path) -> None:
    with pytest.raises(ValueError, match="header_timeout must be a positive number, got 0"):
        make_server(feeds, header_timeout=0)
    with pytest.raises(ValueError, match="max_connections"):
        make_server(feeds, max_connections=-1)
