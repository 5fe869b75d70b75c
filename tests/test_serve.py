"""The subscription server over loopback, with a real HTTP client."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from oncall_planner.errors import InputError
from oncall_planner.serve import FeedServer, load_tokens, make_server, new_tokens, tokens_json

FEED = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nEND:VCALENDAR\r\n"
TOKENS = {"alice": "a" * 43, "bob": "b" * 43}


@pytest.fixture
def feeds(tmp_path: Path) -> Path:
    root = tmp_path / "feeds"
    (root / "people").mkdir(parents=True)
    (root / "backend.ics").write_bytes(FEED)
    (root / "people" / "alice.ics").write_bytes(FEED.replace(b"t//t", b"alice"))
    (root / "people" / "bob.ics").write_bytes(FEED.replace(b"t//t", b"bob"))
    (tmp_path / "secret.ics").write_bytes(b"outside the served folder")
    (root / "link.ics").symlink_to(tmp_path / "secret.ics")
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


@pytest.fixture
def server(feeds: Path) -> Iterator[FeedServer]:
    yield from _running(make_server(feeds))


@pytest.fixture
def private(feeds: Path) -> Iterator[FeedServer]:
    yield from _running(make_server(feeds, tokens=TOKENS))


def request(
    srv: FeedServer, path: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    host, port = srv.server_address[:2]
    conn = http.client.HTTPConnection(str(host), int(port), timeout=5)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def test_get_serves_the_feed_with_calendar_type_and_etag(server: FeedServer) -> None:
    status, headers, body = request(server, "/backend.ics")
    assert status == 200 and body == FEED
    assert headers["content-type"] == "text/calendar; charset=utf-8"
    assert headers["etag"].startswith('"') and len(headers["etag"]) == 34
    assert headers["content-length"] == str(len(FEED))


def test_if_none_match_gives_304_and_changes_give_200(server: FeedServer, feeds: Path) -> None:
    _, headers, _ = request(server, "/backend.ics")
    etag = headers["etag"]
    status, again, body = request(server, "/backend.ics", headers={"If-None-Match": etag})
    assert (status, body, again["etag"]) == (304, b"", etag)
    assert request(server, "/backend.ics", headers={"If-None-Match": f'"x", W/{etag}'})[0] == 304
    assert request(server, "/backend.ics", headers={"If-None-Match": '"other"'})[0] == 200
    (feeds / "backend.ics").write_bytes(FEED + b"X")  # a new export: new ETag
    status, changed, body = request(server, "/backend.ics", headers={"If-None-Match": etag})
    assert status == 200 and changed["etag"] != etag and body.endswith(b"X")


def test_head_has_headers_and_no_body(server: FeedServer) -> None:
    status, headers, body = request(server, "/people/alice.ics", "HEAD")
    assert (status, body) == (200, b"")
    assert headers["content-length"] == str(len(FEED.replace(b"t//t", b"alice")))


@pytest.mark.parametrize("path", ["/missing.ics", "/", "/people/", "/people", "/backend.txt"])
def test_unknown_paths_and_folders_are_404_without_listing(server: FeedServer, path: str) -> None:
    status, _, body = request(server, path)
    assert status == 404 and b"alice" not in body and b"backend" not in body


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS", "PATCH", "BREW"])
def test_other_methods_are_405(server: FeedServer, method: str) -> None:
    status, headers, _ = request(server, "/backend.ics", method)
    assert status == 405 and headers["allow"] == "GET, HEAD"
    assert headers["connection"] == "close"  # an unread request body must not become a request


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.ics",
        "/people/../../secret.ics",
        "/%2e%2e/secret.ics",
        "/people/%2e%2e%2fbackend.ics",
        "/people/..%2f..%2fsecret.ics",
        "//etc/passwd",
        "/link.ics",  # a symlink pointing out of the folder
    ],
)
def test_path_traversal_is_refused(server: FeedServer, path: str) -> None:
    status, _, body = request(server, path)
    assert status == 404 and b"outside" not in body


def test_tokens_gate_person_feeds(private: FeedServer) -> None:
    assert request(private, "/people/alice.ics?token=" + "a" * 43)[0] == 200
    assert request(private, "/people/alice.ics")[0] == 404
    assert request(private, "/people/alice.ics?token=" + "b" * 43)[0] == 404  # bob's token
    assert request(private, "/people/alice.ics?token=" + "a" * 42)[0] == 404
    assert request(private, "/people/carol.ics?token=" + "a" * 43)[0] == 404
    assert request(private, "/backend.ics")[0] == 200  # schedule feeds stay public


def test_tokens_file_round_trip_and_validation(tmp_path: Path) -> None:
    tokens = new_tokens(["bob", "alice", "bob"])
    assert list(tokens) == ["alice", "bob"] and len(set(tokens.values())) == 2
    assert all(len(t) >= 43 for t in tokens.values())
    path = tmp_path / "tokens.json"
    path.write_text(tokens_json(tokens))
    assert load_tokens(path) == tokens
    path.write_text("alice: short\n")
    with pytest.raises(InputError, match="shorter than 16"):
        load_tokens(path)
    path.write_text("- a\n- b\n")
    with pytest.raises(InputError, match="maps member ids"):
        load_tokens(path)
    with pytest.raises(InputError):
        load_tokens(tmp_path / "missing.yaml")


def test_tokens_file_findings_name_file_line_and_member(tmp_path: Path) -> None:
    path = tmp_path / "tokens.yaml"
    good = "a" * 43
    path.write_text(f"alice: {good}\nbob: short\n")
    with pytest.raises(InputError) as short:
        load_tokens(path)
    assert [f.format() for f in short.value.findings] == [
        f"{path}:2:6: L004 error: bob: the token is shorter than 16 characters "
        "(hint: use secrets.token_urlsafe(32))"
    ]
    path.write_text(f"alice: {good}\nalice: {good}\n")  # YAML would keep the last one silently
    with pytest.raises(InputError, match="alice") as duplicate:
        load_tokens(path)
    assert duplicate.value.findings[0].line == 2
    path.write_text(f"alice: [{good}\n")
    with pytest.raises(InputError, match="YAML syntax error") as syntax:
        load_tokens(path)
    assert syntax.value.findings[0].file == str(path) and syntax.value.findings[0].line == 2
    assert "\n" not in syntax.value.findings[0].message


def test_server_refuses_beyond_its_connection_bound(feeds: Path) -> None:
    srv = make_server(feeds, max_connections=1)
    for _ in _running(srv):
        held = http.client.HTTPConnection(*map(str, srv.server_address[:2]), timeout=5)
        held.request("GET", "/backend.ics")  # keep-alive: holds the only slot
        assert held.getresponse().read() == FEED
        assert request(srv, "/backend.ics")[0] == 503
        held.close()


def test_keep_alive_serves_many_requests_on_one_connection(server: FeedServer) -> None:
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(str(host), int(port), timeout=5)
    etag = None
    for i in range(20):
        conn.request("GET", "/backend.ics", headers={"If-None-Match": etag} if etag else {})
        resp = conn.getresponse()
        resp.read()
        assert resp.status == (200 if i == 0 else 304)
        etag = resp.getheader("ETag")
    conn.close()
