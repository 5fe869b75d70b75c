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

The server is bounded: at most ``max_connections`` requests are handled at once (others get
503), idle connections time out, and feeds larger than ``MAX_FEED_BYTES`` are not served.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
import threading
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
    ) -> None:
        self.root = Path(root).resolve()
        self.tokens = dict(tokens or {})
        self.cache = _Cache()
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
            try:
                request.sendall(
                    b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                    b"Connection: close\r\nRetry-After: 5\r\n\r\n"
                )
            finally:
                self.shutdown_request(request)
            return
        super().process_request(request, client_address)

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
    timeout = 15  # seconds an idle keep-alive connection may hold a slot

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
        path = urlsplit(self.path).path
        log.info("%s %s %s %s", self.address_string(), self.command, path, code)


def make_server(
    root: str | Path,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    tokens: Mapping[str, str] | str | Path | None = None,
    max_connections: int = 64,
) -> FeedServer:
    """A bound, not yet running feed server (port 0 picks a free port; see ``server.url``).

    Run it with ``server.serve_forever()`` (in a thread for tests) and stop it with
    ``server.shutdown(); server.server_close()``.

    Args:
        root: The folder holding ``<schedule>.ics`` and ``people/<member-id>.ics``.
        host: Interface to listen on; the default serves this machine only.
        port: TCP port; 0 for any free one.
        tokens: Member id → token, or a tokens file; person feeds then need ``?token=``.
        max_connections: Requests handled at once; more get 503.

    Raises:
        InputError: The tokens file cannot be read.
        OSError: The address cannot be bound.
    """
    if isinstance(tokens, str | Path):
        tokens = load_tokens(tokens)
    return FeedServer(root, (host, port), tokens=tokens, max_connections=max_connections)


def tokens_json(tokens: Mapping[str, str]) -> str:
    """Tokens as the JSON text of a tokens file."""
    return json.dumps(dict(sorted(tokens.items())), indent=2) + "\n"
