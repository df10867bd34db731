"""Time from process start to ready, per service, for `make bench`.

For each `name=pid` given (a running instance of the bench's stack), starts one more instance
of the same executable with the same environment (read from /proc/<pid>/environ) on a free
HTTP port, and for a service that serves the internal API over gRPC (--grpc-services) a free
gRPC port too (GRPC_PORT; without it the copy would bind the service's default, 9081-9085,
which a developer's `make run` may hold, or the original's). It polls every 10 ms until the
copy's GET /health/ready answers 200 and, for a gRPC service, its gRPC port accepts connections
(what scripts/run.sh waits for), and stops it again (SIGTERM; SIGKILL after 10 s). One service
at a time, with the rest of the stack idle, so each figure is that service's own start: process,
configuration, Postgres and Redis connections, migrations checked, listening. The extra
instance registers in the stack's registry (its HTTP URL and gRPC address) while it is up and
deregisters on SIGTERM; nothing else is sending requests meanwhile.
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


def free_ports(count: int) -> list[int]:
    """`count` different ports that were free a moment ago (all held open while picking)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            sockets.append(s)
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


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


def accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def measure(name: str, pid: int, log_dir: str, grpc: bool) -> dict:
    executable = os.readlink(f"/proc/{pid}/exe")
    env = environment_of(pid)
    port, grpc_port = free_ports(2)
    env["HTTP_PORT"] = str(port)
    # The addresses the copy registers are its own (made from HTTP_PORT and GRPC_PORT).
    env.pop("SERVICE_URL", None)
    env.pop("SERVICE_GRPC_ADDRESS", None)
    if grpc:
        env["GRPC_PORT"] = str(grpc_port)
    else:
        env.pop("GRPC_PORT", None)
    http_ready = False
    with open(os.path.join(log_dir, f"ready-{name}.log"), "wb") as output:
        started = time.monotonic()
        process = subprocess.Popen([executable], env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT)
        try:
            while True:
                http_ready = http_ready or ready(port)
                if http_ready and (not grpc or accepts(grpc_port)):
                    ms = (time.monotonic() - started) * 1000
                    break
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with status {process.returncode} before it was ready")
                if time.monotonic() - started > READY_TIMEOUT:
                    what = f"its gRPC port {grpc_port} accepted no connection" if http_ready else "it was not ready"
                    raise RuntimeError(f"{name}: {what} within {READY_TIMEOUT:g} s")
                time.sleep(POLL_SECONDS)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    log(f"{name}: ready {ms:.0f} ms after start" + (f" (gRPC port {grpc_port} included)" if grpc else ""))
    result = {"ms": round(ms, 1), "port": port}
    if grpc:
        result["grpcPort"] = grpc_port
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--log-dir", required=True)
    parser.add_argument("--grpc-services", default="", help="space-separated names of the services that serve gRPC")
    parser.add_argument("instances", nargs="+", help="name=pid of a running instance")
    args = parser.parse_args()
    # SIGTERM from bench/run.sh's clean-up: leave through the finally blocks (they stop the instance).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    grpc_services = set(args.grpc_services.split())
    result = {}
    for entry in args.instances:
        name, pid = entry.split("=", 1)
        result[name] = measure(name, int(pid), args.log_dir, name in grpc_services)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
