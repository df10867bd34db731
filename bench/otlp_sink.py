#!/usr/bin/env python3
"""An OTLP/HTTP collector stand-in for `make bench`: accepts POST /v1/traces, keeps nothing.

The bench measures what exporting every span costs the services, not a collector, so this
reads each body, answers 200 with an empty ExportTraceServiceResponse and counts requests and
bytes. On SIGTERM (or SIGINT) it writes those counts as JSON to --out and exits.

    otlp_sink.py --port 4318 --out parts/otlp-sink.json
"""

import argparse
import json
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Counts:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.bytes = 0


COUNTS = Counts()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        with COUNTS.lock:
            COUNTS.requests += 1
            COUNTS.bytes += len(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):  # noqa: A002 (the base class's signature)
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True

    def finish(_signum, _frame):
        with COUNTS.lock:
            figures = {"requests": COUNTS.requests, "bytes": COUNTS.bytes}
        with open(args.out, "w", encoding="utf-8") as out:
            json.dump(figures, out)
        # shutdown() waits for serve_forever, which runs in this thread: close from another.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)
    server.serve_forever()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
