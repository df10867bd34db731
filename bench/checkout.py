"""Checkout load for `make bench` (bench/run.sh runs it in the project's .venv).

Orders are placed through the gateway at a fixed rate, open loop: request i is due at
t0 + i / rate whatever the answers before it took, so a slow system gets a queue, not a lower
rate (and an answer's latency counts from when it was due). Several customers take turns, each
with their own bearer token and saved card; every request has an Idempotency-Key of its own.
While orders are placed, the order service's read model (`order_views`, in its own database,
read with psql) is polled for how many of them are placed, confirmed and cancelled; place to
confirmed comes from the order's events (`order_events.occurred_at_ms`).

Subcommands (each prints one JSON document to --out):
  setup    the admin creates products with huge stock; customers register, log in, save a card
  search   rates in steps, each for --seconds, until the first whose backlog grows
  run      one rate for --seconds: confirmed rate, backlog over time, place to confirmed p50/p99
  soak     one rate for --seconds with a sample every --sample seconds: latencies and the RSS
           of the services (--pid name=pid ...)

Settings from the environment: BENCH_GATEWAY_URL (http://127.0.0.1:<port>), BENCH_ORDER_DB_URL
(postgres://shop_order:<password>@127.0.0.1:<port>/shop_order), BENCH_ADMIN_EMAIL and
BENCH_ADMIN_PASSWORD (setup only).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlparse

import aiohttp

from stats import percentile, slope

CUSTOMER_PASSWORD = "bench-customer-password"
SHIPPING = {"line1": "1 Bench Street", "city": "London", "postalCode": "SW1A 1AA", "country": "GB"}
# In flight at once at most; beyond it requests wait (and their latency shows it).
MAX_IN_FLIGHT = 256
# Registrations and logins in parallel: auth hashes passwords (scrypt) on a thread per core;
# more at once only queue there, and a debug build on busy cores then answers after the
# gateway's timeout.
PASSWORD_HASHES_AT_ONCE = 2


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} ==> checkout: {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# The order database, through psql.


class OrderDatabase:
    def __init__(self, url: str) -> None:
        parsed = urlparse(url)
        self.args = [
            "psql", "-X", "-A", "-t", "-q", "-F", "\t", "-v", "ON_ERROR_STOP=1",
            "-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432),
            "-U", parsed.username or "shop_order", "-d", parsed.path.lstrip("/") or "shop_order",
        ]  # fmt: skip
        # The password goes through the environment, never the command line.
        self.env = dict(os.environ, PGPASSWORD=parsed.password or "", PGCONNECT_TIMEOUT="5")

    async def rows(self, sql: str) -> list[list[str]]:
        process = await asyncio.create_subprocess_exec(
            *self.args, "-c", sql, env=self.env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        out, err = await process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"psql failed ({process.returncode}): {err.decode().strip()}")
        return [line.split("\t") for line in out.decode().splitlines() if line]

    async def counts_since(self, start_ms: int) -> tuple[int, int, int]:
        """Orders placed since start_ms: (placed, confirmed, cancelled)."""
        (row,) = await self.rows(
            "SELECT count(*), count(*) FILTER (WHERE status = 'confirmed'), count(*) FILTER (WHERE status = 'cancelled') "
            f"FROM order_views WHERE created_at_ms >= {int(start_ms)}"
        )
        return int(row[0]), int(row[1]), int(row[2])

    async def pending(self) -> int:
        (row,) = await self.rows("SELECT count(*) FROM order_views WHERE status = 'pending'")
        return int(row[0])

    async def outcomes(self, start_ms: int, end_ms: int) -> list[tuple[int, int, str]]:
        """(placed at, final at, final event type) of the orders placed in [start_ms, end_ms)."""
        rows = await self.rows(
            "SELECT v.created_at_ms, e.occurred_at_ms, e.type FROM order_views v "
            "JOIN order_events e ON e.stream_id = v.id AND e.type IN ('OrderConfirmed', 'OrderCancelled') "
            f"WHERE v.created_at_ms >= {int(start_ms)} AND v.created_at_ms < {int(end_ms)}"
        )
        return [(int(r[0]), int(r[1]), r[2]) for r in rows]


# ---------------------------------------------------------------------------------------------
# The API.


class ApiError(RuntimeError):
    pass


async def call(session: aiohttp.ClientSession, method: str, url: str, *, token: str | None = None, body=None, expect=(200, 201)):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    async with session.request(method, url, headers=headers, data=json.dumps(body) if body is not None else None) as response:
        text = await response.text()
        if response.status not in expect:
            raise ApiError(f"{method} {url} answered {response.status}: {text[:300]}")
        return response.status, (json.loads(text) if text else None)


async def login(session: aiohttp.ClientSession, base: str, email: str, password: str) -> str:
    _, body = await call(session, "POST", f"{base}/v1/auth/login", body={"email": email, "password": password}, expect=(200,))
    return body["accessToken"]


async def setup(args: argparse.Namespace) -> dict:
    base = os.environ["BENCH_GATEWAY_URL"]
    run_id = uuid.uuid4().hex[:8]
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        admin = await login(session, base, os.environ["BENCH_ADMIN_EMAIL"], os.environ["BENCH_ADMIN_PASSWORD"])
        products = []
        for i in range(args.products):
            product = {
                "sku": f"BENCH-{run_id}-{i}",
                "name": f"Bench product {i}",
                "category": "bench",
                "price": {"amount": 100 + i, "currency": "USD"},
                "available": 1_000_000,  # the most a product may hold: no order runs out
            }
            _, body = await call(session, "POST", f"{base}/v1/products", token=admin, body=product, expect=(201,))
            products.append(body["id"])

        hashing = asyncio.Semaphore(PASSWORD_HASHES_AT_ONCE)

        async def customer(i: int) -> dict:
            email = f"bench-{run_id}-{i}@example.com"
            async with hashing:
                return await new_customer(email)

        async def new_customer(email: str) -> dict:
            await call(
                session, "POST", f"{base}/v1/auth/register", body={"email": email, "password": CUSTOMER_PASSWORD, "name": "Bench customer"}, expect=(201,)
            )
            token_at = time.time()
            token = await login(session, base, email, CUSTOMER_PASSWORD)
            card = {"cardNumber": "4242 4242 4242 4242", "expMonth": 12, "expYear": 2099, "cvc": "123"}
            _, body = await call(session, "POST", f"{base}/v1/payments/methods", token=token, body=card, expect=(201,))
            return {"email": email, "paymentMethodId": body["id"], "token": token, "tokenAt": token_at}

        customers = await asyncio.gather(*(customer(i) for i in range(args.customers)))
    log(f"{len(products)} products with 1,000,000 units each, {len(customers)} customers with a card")
    return {"products": products, "customers": customers, "password": CUSTOMER_PASSWORD}


# ---------------------------------------------------------------------------------------------
# Placing orders at a rate.


@dataclass
class Placement:
    due: float  # loop time it was due
    sent: float = 0.0  # when it went out (later than due when MAX_IN_FLIGHT were out)
    done: float = 0.0
    status: str = ""


@dataclass
class Phase:
    rate: float
    seconds: float
    start_ms: int = 0  # wall clock, as the order service stamps its orders
    end_ms: int = 0
    placed_seconds: float = 0.0  # until the last answer came
    give_up_backlog: int | None = None  # stop placing once the backlog is larger
    stopped_early: bool = False
    placements: list[Placement] = field(default_factory=list)
    samples: list[dict] = field(default_factory=list)  # DB polls: t, placed, confirmed, cancelled, backlog
    rss: list[dict] = field(default_factory=list)


class Checkout:
    # Access tokens live 15 minutes; one older than this is replaced before a phase starts
    # (a phase is at most the 5-minute soak).
    TOKEN_MAX_AGE = 540

    def __init__(self, setup_path: str, poll_seconds: float) -> None:
        self.base = os.environ["BENCH_GATEWAY_URL"]
        self.db = OrderDatabase(os.environ["BENCH_ORDER_DB_URL"])
        self.setup_path = setup_path
        with open(setup_path) as f:
            self.setup = json.load(f)
        self.poll_seconds = poll_seconds
        self.tokens: list[tuple[str, str]] = []  # (token, paymentMethodId)

    async def __aenter__(self) -> Checkout:
        connector = aiohttp.TCPConnector(limit=MAX_IN_FLIGHT)
        self.session = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30))

        hashing = asyncio.Semaphore(PASSWORD_HASHES_AT_ONCE)

        async def refresh(customer: dict) -> None:
            if time.time() - customer.get("tokenAt", 0) > self.TOKEN_MAX_AGE:
                async with hashing:
                    customer["tokenAt"] = time.time()
                    customer["token"] = await login(self.session, self.base, customer["email"], self.setup["password"])

        customers = self.setup["customers"]
        await asyncio.gather(*(refresh(c) for c in customers))
        with open(self.setup_path, "w") as f:
            json.dump(self.setup, f, indent=1)
        self.tokens = [(c["token"], c["paymentMethodId"]) for c in customers]
        return self

    async def __aexit__(self, *exc) -> None:
        await self.session.close()

    async def place(self, placement: Placement, index: int, in_flight: asyncio.Semaphore) -> None:
        token, card = self.tokens[index % len(self.tokens)]
        body = {
            "items": [{"productId": random.choice(self.setup["products"]), "quantity": 1}],
            "paymentMethodId": card,
            "shippingAddress": SHIPPING,
        }
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}
        async with in_flight:
            placement.sent = asyncio.get_running_loop().time()
            try:
                async with self.session.post(f"{self.base}/v1/orders", headers=headers, data=json.dumps(body)) as response:
                    await response.read()
                    placement.status = str(response.status)
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                placement.status = type(error).__name__
        placement.done = asyncio.get_running_loop().time()

    async def phase(
        self, rate: float, seconds: float, *, give_up_backlog: int | None = None, rss_pids: dict[str, int] | None = None, sample_seconds: float = 0
    ) -> Phase:
        """Places orders at `rate` for `seconds` (less once the backlog is above
        `give_up_backlog`), polling the database meanwhile."""
        loop = asyncio.get_running_loop()
        phase = Phase(rate=rate, seconds=seconds, give_up_backlog=give_up_backlog)
        phase.start_ms = int(time.time() * 1000)
        t0 = loop.time()
        stop_polling = asyncio.Event()
        poller = asyncio.create_task(self.poll(phase, t0, stop_polling))
        sampler = asyncio.create_task(self.sample_rss(phase, t0, rss_pids, sample_seconds, stop_polling)) if rss_pids else None
        in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)
        tasks = []
        count = int(rate * seconds)
        for i in range(count):
            due = t0 + i / rate
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if phase.stopped_early:
                # The window is what was placed, at the rate.
                phase.seconds = i / rate
                break
            placement = Placement(due=due)
            phase.placements.append(placement)
            tasks.append(asyncio.create_task(self.place(placement, i, in_flight)))
        await asyncio.gather(*tasks)
        # One more poll at the end of the placing, then stop.
        stop_polling.set()
        await poller
        if sampler:
            await sampler
        phase.placed_seconds = max(seconds, loop.time() - t0)
        phase.end_ms = phase.start_ms + int(phase.placed_seconds * 1000)
        return phase

    async def poll(self, phase: Phase, t0: float, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        while True:
            placed, confirmed, cancelled = await self.db.counts_since(phase.start_ms)
            phase.samples.append(
                {"t": round(loop.time() - t0, 3), "placed": placed, "confirmed": confirmed, "cancelled": cancelled,
                 "backlog": placed - confirmed - cancelled}
            )  # fmt: skip
            if phase.give_up_backlog is not None and placed - confirmed - cancelled > phase.give_up_backlog:
                phase.stopped_early = True
            if stop.is_set():
                return
            try:
                await asyncio.wait_for(stop.wait(), self.poll_seconds)
            except asyncio.TimeoutError:
                pass

    async def sample_rss(self, phase: Phase, t0: float, pids: dict[str, int], every: float, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        while True:
            phase.rss.append({"t": round(loop.time() - t0, 3), "kib": {name: rss_kib(pid) for name, pid in pids.items()}})
            if stop.is_set():
                return
            try:
                await asyncio.wait_for(stop.wait(), every)
            except asyncio.TimeoutError:
                pass

    async def drain(self, timeout: float) -> dict:
        """Waits until no order is pending (at most `timeout` s)."""
        start = time.monotonic()
        pending = await self.db.pending()
        while pending and time.monotonic() - start < timeout:
            await asyncio.sleep(min(0.5, self.poll_seconds))
            pending = await self.db.pending()
        return {"seconds": round(time.monotonic() - start, 2), "pendingAfter": pending}

    async def summarize(self, phase: Phase) -> dict:
        """The figures of a phase, once its orders are final (or the drain gave up)."""
        outcomes = await self.db.outcomes(phase.start_ms, phase.end_ms + 1)
        seconds = phase.seconds
        accepted = [p for p in phase.placements if p.status == "202"]
        statuses: dict[str, int] = {}
        for p in phase.placements:
            statuses[p.status] = statuses.get(p.status, 0) + 1
        http_ms = [(p.done - p.due) * 1000 for p in accepted]
        to_confirmed = [final - placed for placed, final, kind in outcomes if kind == "OrderConfirmed"]
        to_final = [final - placed for placed, final, _ in outcomes]
        # Rates: what became final within the phase's nominal window, per second of it.
        window_end_ms = phase.start_ms + int(seconds * 1000)
        confirmed_in_window = sum(1 for _, final, kind in outcomes if kind == "OrderConfirmed" and final <= window_end_ms)
        final_in_window = sum(1 for _, final, _ in outcomes if final <= window_end_ms)
        # The backlog grows when its slope over the second half of the phase is above 5% of
        # the rate (at least one order a second); placements that fell behind or failed
        # mean the rate was not held either.
        second_half = [s for s in phase.samples if s["t"] >= seconds / 2]
        if len(second_half) < 3:  # a phase of a second or two (the smoke mode): all of it
            second_half = phase.samples
        backlog_slope = slope([s["t"] for s in second_half], [s["backlog"] for s in second_half])
        offered = len(phase.placements)
        lateness = [p.sent - p.due for p in phase.placements]
        late_p99 = percentile(lateness, 99)
        held = late_p99 is not None and late_p99 < 0.5 and len(accepted) >= 0.99 * offered
        bounded = held and not phase.stopped_early and backlog_slope is not None and backlog_slope <= max(0.05 * phase.rate, 1.0)
        return {
            "targetRate": phase.rate,
            "seconds": round(seconds, 2),
            "placingSeconds": round(phase.placed_seconds, 2),
            "sendLateP99Ms": None if late_p99 is None else round(late_p99 * 1000, 1),
            "offered": offered,
            "accepted": len(accepted),
            "statuses": statuses,
            "placedRate": round(len(accepted) / seconds, 2),
            "confirmedRate": round(confirmed_in_window / seconds, 2),
            "finalRate": round(final_in_window / seconds, 2),
            "confirmed": sum(1 for o in outcomes if o[2] == "OrderConfirmed"),
            "cancelled": sum(1 for o in outcomes if o[2] == "OrderCancelled"),
            "backlogEnd": phase.samples[-1]["backlog"] if phase.samples else None,
            "backlogMax": max((s["backlog"] for s in phase.samples), default=None),
            "backlogSlopePerSecond": None if backlog_slope is None else round(backlog_slope, 2),
            "rateHeld": held,
            "stoppedEarly": phase.stopped_early,
            "bounded": bounded,
            "httpMs": {"p50": percentile(http_ms, 50), "p99": percentile(http_ms, 99)},
            "placeToConfirmedMs": {"p50": percentile(to_confirmed, 50), "p99": percentile(to_confirmed, 99), "count": len(to_confirmed)},
            "placeToFinalMs": {"p50": percentile(to_final, 50), "p99": percentile(to_final, 99), "count": len(to_final)},
            "backlog": phase.samples,
        }


def rss_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def windows(phase: Phase, outcomes: list[tuple[int, int, str]], every: float) -> list[dict]:
    """Per window of `every` seconds (by when the order was due): HTTP latency of the
    placements and place to confirmed of the orders placed in it."""
    t0 = phase.placements[0].due if phase.placements else 0.0
    count = max(1, int(round(phase.seconds / every)))
    http: list[list[float]] = [[] for _ in range(count)]
    confirmed: list[list[float]] = [[] for _ in range(count)]
    for p in phase.placements:
        if p.status == "202":
            http[min(count - 1, int((p.due - t0) / every))].append((p.done - p.due) * 1000)
    for placed, final, kind in outcomes:
        if kind == "OrderConfirmed":
            confirmed[min(count - 1, max(0, int((placed - phase.start_ms) / 1000 / every)))].append(final - placed)
    return [
        {"t": round((i + 1) * every, 3), "httpP50Ms": percentile(http[i], 50), "httpP99Ms": percentile(http[i], 99),
         "placeToConfirmedP50Ms": percentile(confirmed[i], 50), "placeToConfirmedP99Ms": percentile(confirmed[i], 99)}
        for i in range(count)
    ]  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Subcommands.


async def search(args: argparse.Namespace, checkout: Checkout) -> dict:
    """Steps up the rate until the backlog grows. A step stops early once its backlog is
    above 5 s of its orders (it grows, and a longer step would only leave more to drain
    before the next measurement)."""
    steps = []
    highest = 0.0
    for rate in (float(r) for r in args.rates.split(",")):
        log(f"search: {rate:g} orders/s for {args.seconds:g} s")
        phase = await checkout.phase(rate, args.seconds, give_up_backlog=int(max(50, 5 * rate)))
        drain = await checkout.drain(args.drain)
        step = await checkout.summarize(phase)
        step["drain"] = drain
        steps.append(step)
        log(
            f"search: {rate:g}/s: placed {step['placedRate']}/s, confirmed {step['confirmedRate']}/s, "
            f"backlog slope {step['backlogSlopePerSecond']}/s{' (stopped early)' if step['stoppedEarly'] else ''}: "
            f"{'bounded' if step['bounded'] else 'grows'}"
        )
        if not step["bounded"]:
            break
        highest = rate
    # The rate of the one-minute run: the highest bounded step; when even the first grew, what
    # that step got through (confirmed or cancelled per second), rounded down.
    if highest:
        sustained, source = highest, "the highest bounded step"
    else:
        sustained, source = max(1.0, float(int(steps[0]["finalRate"]))), "what the first step got through, nothing being bounded"
    return {"highestBoundedRate": highest, "sustainedRate": sustained, "sustainedRateFrom": source, "steps": steps}


async def run(args: argparse.Namespace, checkout: Checkout) -> dict:
    log(f"run: {args.rate:g} orders/s for {args.seconds:g} s")
    phase = await checkout.phase(args.rate, args.seconds)
    drain = await checkout.drain(args.drain)
    result = await checkout.summarize(phase)
    result["drain"] = drain
    # The soak runs at half of what this minute sustained.
    result["soakRate"] = max(0.5, round(min(args.rate, result["finalRate"]) / 2, 1))
    log(
        f"run: placed {result['placedRate']}/s, confirmed {result['confirmedRate']}/s, backlog at the end {result['backlogEnd']}, "
        f"place to confirmed p50 {result['placeToConfirmedMs']['p50']} ms, p99 {result['placeToConfirmedMs']['p99']} ms"
    )
    return result


async def soak(args: argparse.Namespace, checkout: Checkout) -> dict:
    pids = {}
    for entry in args.pid:
        name, pid = entry.split("=", 1)
        pids[name] = int(pid)
    log(f"soak: {args.rate:g} orders/s for {args.seconds:g} s, a sample every {args.sample:g} s")
    phase = await checkout.phase(args.rate, args.seconds, rss_pids=pids, sample_seconds=args.sample)
    drain = await checkout.drain(args.drain)
    result = await checkout.summarize(phase)
    result["drain"] = drain
    outcomes = await checkout.db.outcomes(phase.start_ms, phase.end_ms + 1)
    result["windows"] = windows(phase, outcomes, args.sample)
    result["rss"] = phase.rss
    log(f"soak: place to confirmed p50 {result['placeToConfirmedMs']['p50']} ms, p99 {result['placeToConfirmedMs']['p99']} ms")
    return result


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["setup", "search", "run", "soak"])
    parser.add_argument("--out", required=True)
    parser.add_argument("--setup", help="the JSON `setup` wrote")
    parser.add_argument("--products", type=int, default=4)
    parser.add_argument("--customers", type=int, default=8)
    parser.add_argument("--rates", default="25,50,100,150,200")
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--drain", type=float, default=30, help="seconds to wait for pending orders after placing")
    parser.add_argument("--poll", type=float, default=1.0, help="seconds between database polls")
    parser.add_argument("--sample", type=float, default=5.0, help="seconds between soak samples")
    parser.add_argument("--pid", action="append", default=[], help="name=pid of a process whose RSS the soak samples")
    args = parser.parse_args()
    if args.command == "setup":
        result = await setup(args)
    else:
        async with Checkout(args.setup, args.poll) as checkout:
            result = await {"search": search, "run": run, "soak": soak}[args.command](args, checkout)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
