"""Measure the replica's throughput: ``python -m mocksite.loadtest [--articles N] [--seconds S]``.

Starts ``python -m mocksite`` in a subprocess, then runs client processes that each keep one
HTTP/1.1 connection alive and send requests back to back, and prints requests per second for
three mixes: a small static response (robots.txt), one cached article page, and article pages
never fetched before (rendered on the fly).
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

from .site import Site

_LENGTH = re.compile(rb"content-length: *(\d+)", re.IGNORECASE)


def _client(
    base_url: str, paths: list[str], seconds: float, results: multiprocessing.Queue
) -> None:  # type: ignore[type-arg]
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    sock = socket.create_connection((host, port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buffer = b""
    done = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        path = paths[done % len(paths)]
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
        while b"\r\n\r\n" not in buffer:
            buffer += sock.recv(65536)
        head, _, buffer = buffer.partition(b"\r\n\r\n")
        if not head.startswith((b"HTTP/1.1 200", b"HTTP/1.1 301")):
            raise RuntimeError(f"{path}: {head[:40]!r}")
        match = _LENGTH.search(head)
        length = int(match.group(1)) if match else 0
        while len(buffer) < length:
            buffer += sock.recv(65536)
        buffer = buffer[length:]
        done += 1
    sock.close()
    results.put(done)


def measure(base_url: str, paths_per_client: list[list[str]], seconds: float) -> float:
    """Requests per second over all clients, each client cycling through its own paths."""
    results: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    clients = [
        multiprocessing.Process(target=_client, args=(base_url, paths, seconds, results))
        for paths in paths_per_client
    ]
    started = time.monotonic()
    for client in clients:
        client.start()
    total = sum(results.get() for _ in clients)
    elapsed = time.monotonic() - started
    for client in clients:
        client.join()
    return total / elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mocksite.loadtest")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument(
        "--clients", type=int, default=4, help="client processes, one connection each"
    )
    args = parser.parse_args(argv)
    server = subprocess.Popen(
        [sys.executable, "-m", "mocksite", "--port", "0", "--articles", str(args.articles)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().strip()
        site = Site(args.articles)
        stride = args.articles // args.clients
        mixes = {
            "robots.txt (small)": [["/robots.txt"]] * args.clients,
            "one cached article": [[site.url_path(0)]] * args.clients,
            "uncached articles": [
                [site.url_path((c * stride + k) % args.articles) for k in range(stride)]
                for c in range(args.clients)
            ],
        }
        for name, paths in mixes.items():
            rate = measure(base_url, paths, args.seconds)
            print(f"{name:22s} {rate:8.0f} requests/s ({args.clients} keep-alive connections)")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
