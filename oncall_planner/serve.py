"""A small read-only HTTP server for calendar subscriptions to the exported feeds.

``oncall-planner serve DIR`` serves what ``oncall-planner ical PLAN -o DIR`` wrote::

    /<schedule>.ics                      a schedule's feed (every layer)
    /people/<member-id>.ics?token=SECRET  a person's feed (token required with --tokens)

Calendar clients poll a feed every few hours, so the server answers conditional requests:
every response carries a strong ``ETag`` (SHA-256 of the bytes), and a matching
``If-None-Match`` gets ``304 Not Modified`` without a body. Only GET and HEAD are allowed (405
otherwise); there is no directory listing, and a path is only ever matched against the two
patterns above, so ``..``, encoded slashes or symlinks cannot reach outside DIR.

Per-person tokens: a tokens file maps member ids to random secrets (``new_tokens`` makes them);
with it, ``/people/<id>.ics`` answers only when ``?token=`` matches that person's secret
(compared with :func:`hmac.compare_digest`), and 404 otherwise, so a URL cannot be guessed
from a colleague's and a wrong token does not even reveal that the feed exists. Rotate a token
by changing it in the file; the server reads the file at start. Serve over HTTPS through a
reverse proxy: tokens in plain HTTP are readable on the network.

The server is bounded, so that hostile or broken clients cannot starve the calendars:

- at most ``max_connections`` connections are handled at once; one more gets ``503`` with
  ``Retry-After`` at once, never a silent wait;
- a request's line and headers must arrive complete within ``header_timeout`` seconds of the
  connection (or of its first byte on a kept-alive connection): a whole-request deadline, not an
  idle timer, so a client dripping one byte every 2 s loses its slot (``408``) as fast as one
  that sends nothing;
- a kept-alive connection waits ``idle_timeout`` seconds for its next request;
- a request line that is not ``METHOD /path HTTP/1.x`` (a TLS handshake, ``HTTP/9.9``, a bare
  ``GET``, a head longer than ``MAX_HEAD_BYTES``) gets ``400`` and the connection closes; the log
  gets one line, never a traceback;
- the listen backlog (``backlog``, 128) absorbs bursts of connections that arrive together;
- feeds larger than ``MAX_FEED_BYTES`` are not served.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import io
import json
import logging
import re
import secrets
import socket
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from oncall_planner._yaml import read_yaml
from oncall_planner.errors import InputError
from oncall_planner.rules import rule

__all__ = [
    "MAX_FEED_BYTES",
    "MAX_HEAD_BYTES",
    "FeedServer",
    "load_tokens",
    "make_server",
    "new_tokens",
    "tokens_json",
]

log = logging.getLogger("oncall_planner.serve")

MAX_FEED_BYTES = 32 * 1024 * 1024
_SCHEDULE_PATH = re.compile(r"^/([A-Za-z0-9][A-Za-z0-9._-]{0,127})\.ics$")
_PERSON_PATH = re.compile(r"^/people/([A-Za-z0-9][A-Za-z0-9._-]{0,127})\.ics$")
_CONTENT_TYPE = "text/calendar; charset=utf-8"
#: Longest request line plus headers accepted. A calendar's GET is a few hundred bytes; a token
#: URL about 120. Anything near this is not a calendar client (a 1 MB URL gets 400).
MAX_HEAD_BYTES = 16 * 1024
_HEAD_END = re.compile(rb"\r?\n\r?\n")
# What a request may start with: an upper-case method (at most 16 letters) and a space. A TLS
# ClientHello starts with byte 0x16 and fails this on its first byte, so it gets its 400 at once.
_REQUEST_START = re.compile(rb"[A-Z]{1,16}(?: |$)")
_HEADER_FIELD = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+:")
_REQUEST_LINE = re.compile(r"([A-Z]{1,16}) (/[!-~]*) (HTTP/1\.[01])")


def new_tokens(member_ids: Iterable[str]) -> dict[str, str]:
    """A fresh random token (256 bits, URL-safe) for each member id, sorted by id."""
    return {m: secrets.token_urlsafe(32) for m in sorted(set(member_ids))}


def load_tokens(path: str | Path) -> dict[str, str]:
    """Read a tokens file: a YAML or JSON mapping ``member-id: token``.

    Raises:
        InputError: The file is missing, not a mapping of strings, or a token is shorter than
            16 characters (too easy to guess); each finding has the file and line.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(
            [rule("L007").finding(f"cannot read tokens file: {e}", file=str(p))]
        ) from e
    # The same safe reader as schedules: located syntax errors, duplicate ids reported.
    located = read_yaml(text, file=str(p))
    if located.problems:
        raise InputError(located.problems)
    data, source = located.data, located.source
    if not isinstance(data, dict):
        raise InputError(
            [
                source.finding(
                    "L004",
                    (),
                    "a tokens file maps member ids to token strings",
                    hint='e.g. {"alice": "3q2+7w…"}; make one with oncall_planner.serve.new_tokens',
                )
            ]
        )
    findings = [
        source.finding(
            "L004", (k,), f"a tokens file maps member ids to token strings, got {k!r}: {v!r}"
        )
        for k, v in data.items()
        if not isinstance(k, str) or not isinstance(v, str)
    ]
    findings += [
        source.finding(
            "L004",
            (k,),
            "the token is shorter than 16 characters",
            hint="use secrets.token_urlsafe(32)",
        )
        for k, v in data.items()
        if isinstance(v, str) and len(v) < 16
    ]
    if findings:
        raise InputError(findings)
    return dict(sorted(data.items()))


class _Cache:
    """Feed bytes, ETags and mtimes by path; re-read on a new mtime or size (bounded)."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._items: OrderedDict[Path, tuple[tuple[int, int], bytes, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, path: Path) -> tuple[bytes, str, float] | None:
        """The file's bytes, strong ETag and mtime (seconds), or None if it cannot be served."""
        try:
            st = path.stat()
        except OSError:
            return None
        if st.st_size > MAX_FEED_BYTES:
            return None
        key = (st.st_mtime_ns, st.st_size)
        with self._lock:
            hit = self._items.get(path)
            if hit is not None and hit[0] == key:
                self._items.move_to_end(path)
                return hit[1], hit[2], st.st_mtime
        try:
            data = path.read_bytes()
        except OSError:
            return None
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        with self._lock:
            self._items[path] = (key, data, etag)
            self._items.move_to_end(path)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return data, etag, st.st_mtime


class FeedServer(ThreadingHTTPServer):
    """Serves the feeds of one folder (see the module docstring for the URLs).

    Attributes:
        root: The folder the ``ical`` command wrote.
        tokens: Member id → secret; empty when person feeds are public.
    """

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        root: str | Path,
        address: tuple[str, int] = ("127.0.0.1", 8080),
        *,
        tokens: Mapping[str, str] | None = None,
        max_connections: int = 64,
        header_timeout: float = 5.0,
        idle_timeout: float = 5.0,
        send_timeout: float = 60.0,
        backlog: int = 128,
    ) -> None:
        self.root = Path(root).resolve()
        self.tokens = dict(tokens or {})
        self.cache = _Cache()
        self.header_timeout = header_timeout
        self.idle_timeout = idle_timeout
        self.send_timeout = send_timeout
        self.max_connections = max_connections
        # socketserver's default of 5 dropped the SYNs of a 200-connection burst: 64-115 clients
        # waited 20 s in SYN retries. The kernel caps it at net.core.somaxconn.
        self.request_queue_size = backlog
        self._slots = threading.BoundedSemaphore(max_connections)
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        """``http://host:port`` of the bound socket."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def process_request(self, request: Any, client_address: Any) -> None:
        """Refuse (503) when ``max_connections`` requests are already being handled."""
        if not self._slots.acquire(blocking=False):
            log.warning("%s 503 busy: %d connections open", client_address[0], self.max_connections)
            try:
                request.settimeout(1.0)
                _drain(request)
                request.sendall(_raw_response(HTTPStatus.SERVICE_UNAVAILABLE, {"Retry-After": "5"}))
            except OSError:
                pass  # the client left already
            finally:
                self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()  # no thread started (e.g. out of threads): free the slot
            raise

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One log line per failed connection, not socketserver's traceback on stderr."""
        error = sys.exc_info()[1]
        log.warning("%s connection error: %s", client_address[0], type(error).__name__)
        log.debug("connection error", exc_info=True)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def feed_path(self, path: str, query: str) -> Path | None:
        """The file a request path names, or None (unknown, wrong token, or outside root)."""
        m = _SCHEDULE_PATH.match(path)
        if m:
            target = self.root / f"{m[1]}.ics"
        else:
            m = _PERSON_PATH.match(path)
            if not m:
                return None
            if self.tokens and not self._token_ok(m[1], query):
                return None
            target = self.root / "people" / f"{m[1]}.ics"
        try:
            resolved = target.resolve(strict=True)
        except OSError:
            return None
        # The patterns admit no "/" or "..", but a symlink inside root could still point out.
        if not resolved.is_relative_to(self.root) or not resolved.is_file():
            return None
        return resolved

    def _token_ok(self, member: str, query: str) -> bool:
        given = parse_qs(query).get("token", [""])[0]
        expected = self.tokens.get(member, "")
        # Compare even for unknown members, so timing does not tell who has a feed.
        ok = hmac.compare_digest(given.encode("utf-8"), (expected or "-" * 43).encode("utf-8"))
        return ok and bool(expected)


class _Handler(BaseHTTPRequestHandler):
    server: FeedServer
    protocol_version = "HTTP/1.1"
    server_version = "oncall-planner"
    sys_version = ""
    timeout = None  # handle_one_request sets a deadline per request instead

    def setup(self) -> None:
        super().setup()
        self._pending = b""  # bytes after the last request head (a pipelined request)
        self._served = 0

    def handle_one_request(self) -> None:
        """Read one request head against the deadline, parse it strictly, answer it.

        ``BaseHTTPRequestHandler`` reads with ``readline`` under an idle timeout that every byte
        renews, and answers a malformed request line as HTTP/0.9 (no status line) before
        logging ``self.path``, which was never set: no response and an ``AttributeError``.
        """
        self.close_connection = True
        try:
            head = self._read_head()
        except TimeoutError:
            self._refuse(
                HTTPStatus.REQUEST_TIMEOUT,
                f"the request line and headers must arrive within {self.server.header_timeout:g} s",
            )
            return
        except _BadRequest as e:
            self._refuse(HTTPStatus.BAD_REQUEST, str(e))
            return
        except OSError:
            return  # reset by the client
        if head is None:
            return
        try:
            self._parse(head)
        except _BadRequest as e:
            self._refuse(HTTPStatus.BAD_REQUEST, str(e))
            return
        self._served += 1
        self.connection.settimeout(self.server.send_timeout)
        try:
            getattr(self, "do_" + self.command)()
            self.wfile.flush()
        except OSError:
            self.close_connection = True  # the client stopped reading or went away

    def _read_head(self) -> bytes | None:
        """The next request line and headers, or None when the client closed the connection.

        Raises:
            TimeoutError: The head was not complete by the deadline.
            _BadRequest: The bytes cannot be an HTTP request, or are too many.
        """
        sock = self.connection
        buf = self._pending.lstrip(b"\r\n")
        self._pending = b""
        now = time.monotonic()
        # A new connection gets header_timeout from accept; a kept-alive one waits idle_timeout
        # for its next request, then header_timeout from that request's first byte.
        deadline = now + self.server.header_timeout if buf or not self._served else None
        idle_until = now + self.server.idle_timeout
        scanned = 0
        while True:
            if buf:
                end = _HEAD_END.search(buf, max(0, scanned - 3))
                if end is not None and end.end() <= MAX_HEAD_BYTES:
                    self._pending = buf[end.end() :]
                    return buf[: end.end()]
                if not _REQUEST_START.match(buf[:17]):
                    raise _BadRequest("not an HTTP request (this server speaks plain HTTP/1.1)")
                if len(buf) > MAX_HEAD_BYTES:
                    raise _BadRequest(
                        f"request line and headers longer than {MAX_HEAD_BYTES} bytes"
                    )
                scanned = len(buf)
                if deadline is None:
                    deadline = time.monotonic() + self.server.header_timeout
            remaining = (deadline if deadline is not None else idle_until) - time.monotonic()
            if remaining <= 0:
                if deadline is None:
                    return None  # an idle keep-alive connection: close quietly
                raise TimeoutError
            sock.settimeout(remaining)
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                if deadline is None:
                    return None
                raise
            if not chunk:
                return None
            buf = (buf + chunk).lstrip(b"\r\n") if not buf else buf + chunk

    def _parse(self, head: bytes) -> None:
        """Set command, path, version and headers from a complete head (strict HTTP/1.x)."""
        line, _, rest = head.partition(b"\n")
        try:
            text = line.rstrip(b"\r").decode("ascii")
        except UnicodeDecodeError:
            raise _BadRequest("the request line is not ASCII") from None
        m = _REQUEST_LINE.fullmatch(text)
        if m is None:
            words = text.split(" ")
            if len(words) == 3 and words[2].startswith("HTTP/"):
                raise _BadRequest("only HTTP/1.0 and HTTP/1.1 are served")
            raise _BadRequest("expected a request line METHOD /path HTTP/1.1")
        self.command, self.path, self.request_version = m[1], m[2], m[3]
        self.requestline = f"{self.command} {urlsplit(self.path).path} {self.request_version}"
        fields = rest.split(b"\n")
        if len(fields) > 102:
            raise _BadRequest("more than 100 header fields")
        if not all(_HEADER_FIELD.match(f) for f in fields if f.rstrip(b"\r")):
            raise _BadRequest("a header field is not 'Name: value'")
        try:
            self.headers = http.client.parse_headers(io.BytesIO(rest))
        except http.client.HTTPException:
            raise _BadRequest("malformed headers") from None
        connection = self.headers.get("Connection", "").lower()
        if self.request_version == "HTTP/1.1":
            self.close_connection = "close" in connection
        else:
            self.close_connection = "keep-alive" not in connection

    def _refuse(self, status: HTTPStatus, reason: str) -> None:
        """Answer a request that could not be read (400, 408) and close the connection."""
        # Only the reason is logged: the request line may hold a token.
        log.warning("%s %d %s", self.address_string(), status.value, reason)
        self.close_connection = True
        try:
            self.connection.settimeout(1.0)
            _drain(self.connection)
            self.connection.sendall(_raw_response(status, body=reason))
            _linger(self.connection)
        except OSError:
            pass

    def do_GET(self) -> None:
        self._serve(body=True)

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def __getattr__(self, name: str) -> Any:
        # Every other method (POST, PUT, DELETE, OPTIONS, anything) is 405, not 501.
        if name.startswith("do_"):
            return self._not_allowed
        raise AttributeError(name)

    def _not_allowed(self) -> None:
        # A request body (POST, PUT) is never read: close, or it would be parsed as a request.
        self.close_connection = True
        self._empty(HTTPStatus.METHOD_NOT_ALLOWED, {"Allow": "GET, HEAD", "Connection": "close"})

    def _empty(self, status: HTTPStatus, headers: Mapping[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if status is not HTTPStatus.NOT_MODIFIED:
            body = f"{status.value} {status.phrase}\n".encode()
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        self.end_headers()

    def _serve(self, *, body: bool) -> None:
        parts = urlsplit(self.path)
        target = self.server.feed_path(unquote(parts.path), parts.query)
        found = self.server.cache.get(target) if target is not None else None
        if found is None:
            self._empty(HTTPStatus.NOT_FOUND)
            return
        data, etag, mtime = found
        headers = {
            "ETag": etag,
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
        }
        if self._matches(etag):
            self._empty(HTTPStatus.NOT_MODIFIED, headers)
            return
        self.send_response(HTTPStatus.OK)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Type", _CONTENT_TYPE)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Last-Modified", formatdate(mtime, usegmt=True))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _matches(self, etag: str) -> bool:
        header = self.headers.get("If-None-Match")
        if not header:
            return False
        tags = [t.strip().removeprefix("W/") for t in header.split(",")]
        return "*" in tags or etag in tags

    def log_message(self, format: str, *args: Any) -> None:
        # Never log the query string: it holds the token.
        path = urlsplit(self.path).path if hasattr(self, "path") else "-"
        log.info("%s %s %s", self.address_string(), getattr(self, "command", "-"), path)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = urlsplit(getattr(self, "path", "-")).path
        log.info("%s %s %s %s", self.address_string(), getattr(self, "command", "-"), path, code)


class _BadRequest(Exception):
    """The bytes received are not a request this server answers (400)."""


def _raw_response(
    status: HTTPStatus, headers: Mapping[str, str] | None = None, body: str = ""
) -> bytes:
    """A complete ``Connection: close`` response, for answers given before any parsing."""
    text = f"{status.value} {status.phrase}" + (f": {body}" if body else "") + "\n"
    payload = text.encode("utf-8")
    lines = [
        f"HTTP/1.1 {status.value} {status.phrase}",
        "Content-Type: text/plain; charset=utf-8",
        f"Content-Length: {len(payload)}",
        "Connection: close",
        *(f"{k}: {v}" for k, v in (headers or {}).items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + payload


def _linger(
    sock: socket.socket, seconds: float = 1.0, limit: int = 4 * MAX_HEAD_BYTES * 64
) -> None:
    """Close our side, then read and drop what the client still sends, for at most ``seconds``.

    A client still sending its 1 MB URL would otherwise get a reset before it reads the 400.
    """
    sock.shutdown(socket.SHUT_WR)
    until = time.monotonic() + seconds
    received = 0
    while received < limit and (left := until - time.monotonic()) > 0:
        sock.settimeout(left)
        chunk = sock.recv(65536)
        if not chunk:
            return
        received += len(chunk)


def _drain(sock: socket.socket) -> None:
    """Read what the client already sent, so that closing sends FIN, not a reset.

    Closing a socket with unread bytes makes the kernel send RST, and a client that gets RST
    may drop the response it had not read yet: the 503 or 400 would be lost.
    """
    sock.setblocking(False)
    try:
        for _ in range(64):
            if not sock.recv(65536):
                break
    except OSError:
        pass
    finally:
        sock.setblocking(True)


def make_server(
    root: str | Path,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    tokens: Mapping[str, str] | str | Path | None = None,
    max_connections: int = 64,
    header_timeout: float = 5.0,
    idle_timeout: float = 5.0,
    backlog: int = 128,
) -> FeedServer:
    """A bound, not yet running feed server (port 0 picks a free port; see ``server.url``).

    Run it with ``server.serve_forever()`` (in a thread for tests) and stop it with
    ``server.shutdown(); server.server_close()``.

    Args:
        root: The folder holding ``<schedule>.ics`` and ``people/<member-id>.ics``.
        host: Interface to listen on; the default serves this machine only.
        port: TCP port; 0 for any free one.
        tokens: Member id → token, or a tokens file; person feeds then need ``?token=``.
        max_connections: Connections handled at once; one more gets 503 with Retry-After.
        header_timeout: Seconds in which a request line and its headers must arrive complete
            (a deadline for the whole head, not an idle timer); later gets 408.
        idle_timeout: Seconds a kept-alive connection may wait for its next request.
        backlog: Connections the kernel queues before the server accepts them.

    Raises:
        InputError: The tokens file cannot be read.
        OSError: The address cannot be bound.
        ValueError: A bound is not positive.
    """
    for name, value in (
        ("max_connections", max_connections),
        ("header_timeout", header_timeout),
        ("idle_timeout", idle_timeout),
        ("backlog", backlog),
    ):
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            raise ValueError(f"{name} must be a positive number, got {value!r}")
    if isinstance(tokens, str | Path):
        tokens = load_tokens(tokens)
    return FeedServer(
        root,
        (host, port),
        tokens=tokens,
        max_connections=int(max_connections),
        header_timeout=float(header_timeout),
        idle_timeout=float(idle_timeout),
        backlog=int(backlog),
    )


def tokens_json(tokens: Mapping[str, str]) -> str:
    """Tokens as the JSON text of a tokens file."""
    return json.dumps(dict(sorted(tokens.items())), indent=2) + "\n"
