"""Time from process start to ready, per service, for `make bench`.

For each `name=pid` given (a running instance of the bench's stack), starts one more instance
of the same executable with the same environment (read from /proc/<pid>/environ) on a free
port, polls its GET /health/ready every 10 ms until it answers 200, and stops it again
(SIGTERM; SIGKILL after 10 s). One service at a time, with the rest of the stack idle, so each
figure is that service's own start: process, configuration, Postgres and Redis connections,
migrations checked, listening. The extra instance registers in the stack's registry while it is
up and deregisters on SIGTERM; nothing else is sending requests meanwhile.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time

POLL_SECONDS = 0.01
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} ==> ready: {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment_of(pid: int) -> dict[str, str]:
    with open(f"/proc/{pid}/environ", "rb") as f:
        entries = [e.decode() for e in f.read().split(b"\0") if e]
    return dict(e.split("=", 1) for e in entries if "=" in e)


def ready(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        connection.request("GET", "/health/ready")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def measure(name: str, pid: int, log_dir: str) -> dict:
    executable = os.readlink(f"/proc/{pid}/exe")
    env = environment_of(pid)
    port = free_port()
    env["HTTP_PORT"] = str(port)
    with open(os.path.join(log_dir, f"ready-{name}.log"), "wb") as output:
        started = time.monotonic()
        process = subprocess.Popen([executable], env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT)
        try:
            while True:
                if ready(port):
                    ms = (time.monotonic() - started) * 1000
                    break
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with status {process.returncode} before it was ready")
                if time.monotonic() - started > READY_TIMEOUT:
                    raise RuntimeError(f"{name} was not ready within {READY_TIMEOUT:g} s")
                time.sleep(POLL_SECONDS)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    log(f"{name}: ready {ms:.0f} ms after start")
    return {"ms": round(ms, 1), "port": port}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--log-dir", required=True)
    parser.add_argument("instances", nargs="+", help="name=pid of a running instance")
    args = parser.parse_args()
    # SIGTERM from bench/run.sh's clean-up: leave through the finally blocks (they stop the instance).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    result = {}
    for entry in args.instances:
        name, pid = entry.split("=", 1)
        result[name] = measure(name, int(pid), args.log_dir)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
