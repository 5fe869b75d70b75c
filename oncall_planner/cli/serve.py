"""``oncall-planner serve DIR``: serve the feeds read-only for calendar subscription."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from oncall_planner.cli._common import usage_error

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``serve`` subcommand."""
    p = sub.add_parser(
        "serve",
        help="serve a folder of feeds for calendar subscription (read-only HTTP)",
        description="Serve DIR/<schedule>.ics and DIR/people/<member-id>.ics with ETags "
        "(304 on If-None-Match), GET and HEAD only. With --tokens, a person's feed needs "
        "?token=<secret> from the tokens file (a YAML/JSON mapping member-id: token). Put it "
        "behind an HTTPS reverse proxy when it leaves this machine.",
    )
    p.add_argument("directory", metavar="DIR", help="the folder `oncall-planner ical` wrote")
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on")
    p.add_argument("--port", type=int, default=8080, help="TCP port (0: any free port)")
    p.add_argument("--tokens", metavar="FILE", help="member-id → secret token mapping")
    p.set_defaults(run=run, parser=p)


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted."""
    from oncall_planner.serve import make_server

    root = Path(args.directory)
    if not root.is_dir():
        return usage_error(args.parser, f"no such folder: {root}")
    if not 0 <= args.port <= 65535:
        return usage_error(args.parser, f"--port must be 0–65535, got {args.port}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    try:
        server = make_server(root, args.host, args.port, tokens=args.tokens)
    except OSError as e:
        print(f"oncall-planner: cannot listen on {args.host}:{args.port}: {e}", file=sys.stderr)
        return 1
    feeds = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.ics"))
    print(f"Serving {len(feeds)} feed(s) from {root} at {server.url}/", flush=True)
    for name in feeds[:20]:
        suffix = "?token=…" if server.tokens and name.startswith("people/") else ""
        print(f"  {server.url}/{name}{suffix}", flush=True)
    try:
        server.serve_forever()  # until Ctrl-C: main() reports "interrupted", exit 130
    finally:
        server.server_close()
    return 0
