"""The report of `make bench`: parts/*.json of one run -> latest.json, latest.md and PNG figures.

Reads what bench/run.sh measured (wrk's figures, checkout.py's, pgbench's, the RSS samples,
ready.py's), puts every figure in one JSON document with the ratios to nginx and pgbench,
renders the Markdown table, draws the figures, prints the table and the issue's targets as
PASS/FAIL lines. Exit status 1 when a figure is missing or a measurement is not usable (wrk
with more than 5% errors), else 0: targets are reported, not enforced.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys

SERVICES = ["api-gateway", "auth", "user", "product", "order", "payment", "notification"]
SETTINGS = ["lean", "defaults"]
CONNECTIONS = [1, 16]
PATHS = {  # wrk label part -> what it measured
    "product": "product directly, GET /v1/products/{id}",
    "nginx": "nginx → product, GET /v1/products/{id}",
    "gateway": "gateway → product, GET /v1/products/{id}",
    "users-me": "gateway, GET /v1/users/me (authenticated)",
}
KEYS = {"product": "product", "nginx": "nginx", "gateway": "gateway", "users-me": "usersMe"}
MAX_ERROR_FRACTION = 0.05


def load(parts: str, name: str):
    with open(os.path.join(parts, name)) as f:
        return json.load(f)


def mib(kib: float | None) -> float | None:
    return None if kib is None else round(kib / 1024, 1)


def ratio(a: float | None, b: float | None, digits: int = 2) -> float | None:
    if a is None or b in (None, 0):
        return None
    return round(a / b, digits)


def wrk_figures(raw: dict) -> dict:
    seconds = raw["duration_us"] / 1e6
    errors = raw["errors"]
    socket_errors = errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]
    ok = raw["requests"] - errors["status"]
    latency = raw["latency_us"]
    return {
        "rps": round(ok / seconds, 1),
        "p50Ms": round(latency["p50"] / 1000, 2),
        "p90Ms": round(latency["p90"] / 1000, 2),
        "p99Ms": round(latency["p99"] / 1000, 2),
        "p999Ms": round(latency["p999"] / 1000, 2),
        "maxMs": round(latency["max"] / 1000, 2),
        "requests": raw["requests"],
        "non2xx": errors["status"],
        "socketErrors": socket_errors,
        "seconds": round(seconds, 2),
    }


def best_round(parts: str, prefix: str, problems: list[str]) -> dict | None:
    """The figures of the round least disturbed by other work on the machine (the most req/s)
    among the wrk parts named `<prefix><n>.json`; failed requests are reported as problems."""
    rounds = []
    for name in sorted(n for n in os.listdir(parts) if n.startswith(prefix) and n.endswith(".json")):
        try:
            figures = wrk_figures(load(parts, name))
        except (OSError, ValueError, KeyError) as error:
            problems.append(f"{name}: {error}")
            continue
        bad = figures["non2xx"] + figures["socketErrors"]
        if figures["requests"] == 0 or bad > MAX_ERROR_FRACTION * figures["requests"]:
            problems.append(f"{name}: {bad} of {figures['requests']} requests failed")
        rounds.append(figures)
    if not rounds:
        return None
    best = max(rounds, key=lambda f: f["rps"])
    return {**best, "roundsRps": [f["rps"] for f in rounds]}


def build(parts: str, elapsed: int | None) -> tuple[dict, list[str]]:
    problems: list[str] = []
    result: dict = {"meta": load(parts, "meta.json"), "elapsedSeconds": elapsed}

    reads: dict = {}
    for setting in SETTINGS:
        for c in CONNECTIONS:
            row = reads.setdefault(setting, {}).setdefault(f"c{c}", {})
            for label, key in KEYS.items():
                best = best_round(parts, f"wrk-{setting}-{label}-c{c}-r", problems)
                if best is None:
                    problems.append(f"no wrk figures for {setting} {label} at {c} connections")
                    continue
                row[key] = best
    result["reads"] = reads

    # The same two gateway paths with every span exported (bench/otlp_sink.py receiving).
    traced: dict = {}
    for label, key in (("gateway", "gateway"), ("users-me", "usersMe")):
        best = best_round(parts, f"wrk-traced-{label}-c16-r", problems)
        if best is None:
            problems.append(f"no wrk figures for traced {label} at 16 connections")
            continue
        traced[key] = best
    untraced = reads.get("defaults", {}).get("c16", {})
    try:
        sink = load(parts, "otlp-sink.json")
    except (OSError, ValueError) as error:
        problems.append(f"otlp-sink.json: {error}")
        sink = {}
    result["tracing"] = {
        "exportedC16": traced,
        "sink": sink,
        "gatewayToUnexported": ratio(traced.get("gateway", {}).get("rps"), untraced.get("gateway", {}).get("rps")),
        "usersMeToUnexported": ratio(traced.get("usersMe", {}).get("rps"), untraced.get("usersMe", {}).get("rps")),
    }

    ratios: dict = {}
    for setting in SETTINGS:
        for c in CONNECTIONS:
            row = reads.get(setting, {}).get(f"c{c}", {})
            get = lambda key, figure: row.get(key, {}).get(figure)  # noqa: E731
            ratios.setdefault(setting, {})[f"c{c}"] = {
                "productToNginx": ratio(get("product", "rps"), get("nginx", "rps")),
                "gatewayToNginx": ratio(get("gateway", "rps"), get("nginx", "rps")),
                "usersMeToNginx": ratio(get("usersMe", "rps"), get("nginx", "rps")),
                "gatewayToProduct": ratio(get("gateway", "rps"), get("product", "rps")),
                "gatewayAddedP99Ms": None
                if get("gateway", "p99Ms") is None or get("product", "p99Ms") is None
                else round(get("gateway", "p99Ms") - get("product", "p99Ms"), 2),
            }

    checkout: dict = {}
    for part in ("search", "run", "soak"):
        try:
            checkout[part] = load(parts, f"checkout-{part}.json")
        except (OSError, ValueError) as error:
            problems.append(f"checkout-{part}.json: {error}")
    result["checkout"] = checkout
    try:
        result["pgbench"] = load(parts, "pgbench.json")
    except (OSError, ValueError) as error:
        problems.append(f"pgbench.json: {error}")
    run = checkout.get("run", {})
    ratios["checkoutToPgbench"] = ratio(run.get("confirmedRate"), result.get("pgbench", {}).get("tps"), 4)
    result["ratios"] = ratios

    rss: dict = {}
    for key, name in (("idleLeanMiB", "rss-idle-lean.json"), ("idleMiB", "rss-idle-defaults.json"), ("afterLoadMiB", "rss-after-load.json")):
        try:
            rss[key] = {svc: mib(kib) for svc, kib in load(parts, name).items()}
        except (OSError, ValueError) as error:
            problems.append(f"{name}: {error}")
    samples = checkout.get("soak", {}).get("rss", [])
    if samples:
        seconds = checkout["soak"]["seconds"]
        # "Minute one": the first sample a minute in (a fifth of a shorter soak).
        mark = min(60.0, seconds * 0.2)
        first = next((s for s in samples if s["t"] >= mark), samples[-1])
        last = samples[-1]
        rss["soak"] = {
            "firstMinuteAtSeconds": first["t"],
            "endAtSeconds": last["t"],
            "firstMinuteMiB": {svc: mib(first["kib"].get(svc)) for svc in SERVICES},
            "endMiB": {svc: mib(last["kib"].get(svc)) for svc in SERVICES},
            "growthPercent": {
                svc: None
                if not first["kib"].get(svc) or last["kib"].get(svc) is None
                else round((last["kib"][svc] - first["kib"][svc]) * 100 / first["kib"][svc], 1)
                for svc in SERVICES
            },
        }
    result["rss"] = rss
    try:
        result["readyMs"] = {svc: v["ms"] for svc, v in load(parts, "ready.json").items()}
    except (OSError, ValueError) as error:
        problems.append(f"ready.json: {error}")
    result["targets"] = targets(result)
    problems += [f"missing figure: {path}" for path in missing(result)]
    return result, problems


def targets(r: dict) -> list[dict]:
    """The issue's targets, each with its value and verdict (None when not measured)."""
    ratios, rss, checkout = r.get("ratios", {}), r.get("rss", {}), r.get("checkout", {})
    run, soak = checkout.get("run", {}), checkout.get("soak", {})

    def at_least(value, limit):
        return None if value is None else value >= limit

    def at_most(value, limit):
        return None if value is None else value <= limit

    def worst(values: dict | None, key=max):
        values = [v for v in (values or {}).values() if v is not None]
        return key(values) if values else None

    lean16, defaults16 = ratios.get("lean", {}).get("c16", {}), ratios.get("defaults", {}).get("c16", {})
    idle = worst({**{f"lean {k}": v for k, v in rss.get("idleLeanMiB", {}).items()}, **rss.get("idleMiB", {})})
    growth = worst({k: abs(v) for k, v in rss.get("soak", {}).get("growthPercent", {}).items() if v is not None})
    confirmed = run.get("confirmedRate")
    p99_half = soak.get("placeToConfirmedMs", {}).get("p99")
    pending = soak.get("drain", {}).get("pendingAfter")
    items = [
        ("gateway ≥ 0.7× nginx req/s, lean, 16 connections", lean16.get("gatewayToNginx"), "×", at_least(lean16.get("gatewayToNginx"), 0.7)),
        ("gateway ≥ 0.55× nginx req/s, defaults, 16 connections", defaults16.get("gatewayToNginx"), "×",
         at_least(defaults16.get("gatewayToNginx"), 0.55)),
        ("gateway-added p99 over direct ≤ 3 ms, lean, 16 connections", lean16.get("gatewayAddedP99Ms"), "ms",
         at_most(lean16.get("gatewayAddedP99Ms"), 3)),
        ("authenticated read ≥ 0.5× nginx req/s, lean, 16 connections", lean16.get("usersMeToNginx"), "×",
         at_least(lean16.get("usersMeToNginx"), 0.5)),
        (f"checkout ≥ 100 confirmed orders/s for {run.get('seconds', '?')} s with a bounded backlog "
         f"(offered {run.get('targetRate', '?')}/s)", confirmed, "/s",
         None if confirmed is None else confirmed >= 100 and bool(run.get("bounded"))),
        (f"place → confirmed p99 ≤ 500 ms at half the rate ({soak.get('targetRate', '?')}/s)", p99_half, "ms", at_most(p99_half, 500)),
        ("every order confirmed or cancelled after the soak's drain", pending, "pending", None if pending is None else pending == 0),
        ("idle RSS ≤ 30 MiB per service (largest)", idle, "MiB", at_most(idle, 30)),
        ("soak RSS at the end within 10% of minute one (largest change)", growth, "%", at_most(growth, 10)),
        ("every service ready ≤ 1 s after start (slowest)", worst(r.get("readyMs")), "ms", at_most(worst(r.get("readyMs")), 1000)),
    ]  # fmt: skip
    return [{"target": name, "value": value, "unit": unit, "pass": verdict} for name, value, unit, verdict in items]


def missing(r: dict) -> list[str]:
    """Paths of the figures every run must have that are absent or not numbers."""
    required = []
    for setting in SETTINGS:
        for c in CONNECTIONS:
            for key in KEYS.values():
                for figure in ("rps", "p50Ms", "p99Ms"):
                    required.append(("reads", setting, f"c{c}", key, figure))
            for figure in ("gatewayToNginx", "usersMeToNginx", "gatewayAddedP99Ms"):
                required.append(("ratios", setting, f"c{c}", figure))
    required.append(("ratios", "checkoutToPgbench"))
    for key in ("gateway", "usersMe"):
        for figure in ("rps", "p50Ms", "p99Ms"):
            required.append(("tracing", "exportedC16", key, figure))
    required += [("tracing", "gatewayToUnexported"), ("tracing", "usersMeToUnexported"), ("tracing", "sink", "requests")]
    required.append(("checkout", "search", "highestBoundedRate"))
    for figure in ("placedRate", "confirmedRate", "backlogEnd", "backlogMax"):
        required.append(("checkout", "run", figure))
    for part in ("run", "soak"):
        for figure in ("p50", "p99"):
            required.append(("checkout", part, "placeToConfirmedMs", figure))
    required.append(("checkout", "soak", "drain", "pendingAfter"))
    required.append(("pgbench", "tps"))
    for svc in SERVICES:
        for key in ("idleLeanMiB", "idleMiB", "afterLoadMiB"):
            required.append(("rss", key, svc))
        for key in ("firstMinuteMiB", "endMiB", "growthPercent"):
            required.append(("rss", "soak", key, svc))
        required.append(("readyMs", svc))
    absent = []
    for path in required:
        value = r
        for step in path:
            value = value.get(step) if isinstance(value, dict) else None
        if not isinstance(value, (int, float)) or isinstance(value, bool) or math.isnan(value):
            absent.append(".".join(path))
    return absent


# ---------------------------------------------------------------------------------------------
# Markdown.


def fmt(value, digits: int = 1, suffix: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        text = f"{value:,.{digits}f}"
    else:
        text = f"{value:,}"
    return text + suffix


def markdown(r: dict) -> str:
    meta = r["meta"]
    out = [
        f"## `make bench`: {meta['date']}, commit {meta['commit']}" + (" (smoke: seconds-long, not figures to quote)" if meta["smoke"] else ""),
        "",
        f"{meta['cpus']} CPUs ({meta['machine']}), load {meta['load1']:.2f} at the start; executables {meta['executables']}; "
        f"wrk: the best of {meta['wrkRounds']} interleaved rounds of {meta['wrkSeconds']} s per figure; "
        f"measured in {fmt(r.get('elapsedSeconds'))} s. "
        f"Settings: lean = {meta['settings']['lean']}; defaults = {meta['settings']['defaults']}.",
        "",
        "### Reads",
        "",
        "| setting | path | conns | req/s | × nginx | p50 ms | p99 ms | p99.9 ms |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for setting in SETTINGS:
        for c in reversed(CONNECTIONS):
            row = r["reads"].get(setting, {}).get(f"c{c}", {})
            nginx = row.get("nginx", {}).get("rps")
            for label, key in KEYS.items():
                f = row.get(key, {})
                out.append(
                    f"| {setting} | {PATHS[label]} | {c} | {fmt(f.get('rps'), 0)} | {fmt(ratio(f.get('rps'), nginx), 2, '×')} | "
                    f"{fmt(f.get('p50Ms'), 2)} | {fmt(f.get('p99Ms'), 2)} | {fmt(f.get('p999Ms'), 2)} |"
                )
    added = [
        f"{s} {fmt(r['ratios'].get(s, {}).get(f'c{c}', {}).get('gatewayAddedP99Ms'), 2)} ms at {c}"
        for s in SETTINGS
        for c in reversed(CONNECTIONS)
    ]
    out += ["", "Gateway-added p99 (gateway p99 − product p99): " + "; ".join(added) + "."]

    tracing = r.get("tracing", {})
    plain = r["reads"].get("defaults", {}).get("c16", {})
    exported = tracing.get("exportedC16", {})
    sink = tracing.get("sink", {})
    out += [
        "",
        "### Tracing (defaults setting, 16 connections)",
        "",
        "Export off is how `make run` starts (spans get ids but are not recorded); export on sends every span over "
        "OTLP/HTTP at the default sampling (`parentbased_traceidratio`, 1) to a sink that drops them "
        f"({fmt(sink.get('requests'))} exports, {fmt((sink.get('bytes') or 0) / 1048576, 1)} MiB).",
        "",
        "| path | export off req/s | export on req/s | on ÷ off | p99 off ms | p99 on ms |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for label, key, ratio_key in (("gateway", "gateway", "gatewayToUnexported"), ("users-me", "usersMe", "usersMeToUnexported")):
        off, on = plain.get(key, {}), exported.get(key, {})
        out.append(
            f"| {PATHS[label]} | {fmt(off.get('rps'), 0)} | {fmt(on.get('rps'), 0)} | {fmt(tracing.get(ratio_key), 2, '×')} | "
            f"{fmt(off.get('p99Ms'), 2)} | {fmt(on.get('p99Ms'), 2)} |"
        )

    checkout = r.get("checkout", {})
    search, run, soak = checkout.get("search", {}), checkout.get("run", {}), checkout.get("soak", {})
    pgbench = r.get("pgbench", {})
    steps = ", ".join(
        f"{fmt(s['targetRate'], 0)}/s → {fmt(s['confirmedRate'], 1)} confirmed/s "
        f"({'bounded' if s['bounded'] else 'grows'}{', stopped after ' + fmt(s['seconds'], 0) + ' s' if s.get('stoppedEarly') else ''})"
        for s in search.get("steps", [])
    )
    p2c = lambda part: part.get("placeToConfirmedMs", {})  # noqa: E731
    chosen = search.get("sustainedRateFrom") if run.get("targetRate") == search.get("sustainedRate") else "BENCH_CHECKOUT_RATE"
    out += [
        "",
        "### Checkout (defaults setting)",
        "",
        "| figure | value |",
        "|---|--:|",
        f"| search, up to {fmt(search.get('steps', [{}])[0].get('seconds'), 0)} s a step | {steps or '–'} |",
        f"| highest placement rate with a bounded backlog | {fmt(search.get('highestBoundedRate'), 0, '/s')} |",
        f"| {fmt(run.get('seconds'), 0)} s at {fmt(run.get('targetRate'), 1)}/s ({chosen}): "
        f"placed | {fmt(run.get('placedRate'), 1, '/s')} |",
        f"| confirmed | **{fmt(run.get('confirmedRate'), 1, '/s')}** |",
        f"| backlog at the end / largest / slope | {fmt(run.get('backlogEnd'))} / {fmt(run.get('backlogMax'))} / "
        f"{fmt(run.get('backlogSlopePerSecond'), 2, '/s')} ({'bounded' if run.get('bounded') else 'grows'}) |",
        f"| place → confirmed p50 / p99 | {fmt(p2c(run).get('p50'), 0, ' ms')} / {fmt(p2c(run).get('p99'), 0, ' ms')} |",
        f"| POST /v1/orders p50 / p99 (from when it was due) | {fmt(run.get('httpMs', {}).get('p50'), 0, ' ms')} / "
        f"{fmt(run.get('httpMs', {}).get('p99'), 0, ' ms')} |",
        f"| soak, {fmt(soak.get('seconds'), 0)} s at {fmt(soak.get('targetRate'), 1)}/s: place → confirmed p50 / p99 | "
        f"{fmt(p2c(soak).get('p50'), 0, ' ms')} / **{fmt(p2c(soak).get('p99'), 0, ' ms')}** |",
        f"| orders still pending after the soak's drain | {fmt(soak.get('drain', {}).get('pendingAfter'))} |",
        f"| pgbench TPC-B, scale {pgbench.get('scale', '?')}, -c 8 -j 2, {pgbench.get('seconds', '?')} s | {fmt(pgbench.get('tps'), 0, ' tps')} |",
        f"| checkout (confirmed/s) ÷ pgbench (tps) | {fmt(r['ratios'].get('checkoutToPgbench'), 4)} |",
    ]

    rss = r.get("rss", {})
    soak_rss = rss.get("soak", {})
    out += [
        "",
        f"### Memory (RSS, MiB) and start-up (soak: minute one at {fmt(soak_rss.get('firstMinuteAtSeconds'), 0)} s, "
        f"end at {fmt(soak_rss.get('endAtSeconds'), 0)} s)",
        "",
        "| service | idle (lean) | idle (defaults) | after load | soak minute one | soak end | change | ready ms |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for svc in SERVICES:
        out.append(
            f"| {svc} | {fmt(rss.get('idleLeanMiB', {}).get(svc))} | {fmt(rss.get('idleMiB', {}).get(svc))} | "
            f"{fmt(rss.get('afterLoadMiB', {}).get(svc))} | {fmt(soak_rss.get('firstMinuteMiB', {}).get(svc))} | "
            f"{fmt(soak_rss.get('endMiB', {}).get(svc))} | {fmt(soak_rss.get('growthPercent', {}).get(svc), 1, '%')} | "
            f"{fmt(r.get('readyMs', {}).get(svc), 0)} |"
        )
    total = lambda key: sum(v for v in rss.get(key, {}).values() if v is not None)  # noqa: E731
    out.append(f"| **all seven** | {fmt(total('idleLeanMiB'))} | {fmt(total('idleMiB'))} | {fmt(total('afterLoadMiB'))} | | | | |")

    out += ["", "### Targets (issue 11; reported, not enforced)", ""]
    out += [f"- {target_line(t)}" for t in r["targets"]]
    out += [
        "",
        "Not measured here: the chaos invariants under this load (the chaos suite checks them).",
        "Figures: reads.png, checkout.png, soak.png.",
    ]
    return "\n".join(out) + "\n"


def target_line(t: dict) -> str:
    verdict = {True: "PASS", False: "FAIL", None: "NOT MEASURED"}[t["pass"]]
    value = fmt(t["value"], 2) if isinstance(t["value"], float) else fmt(t["value"])
    return f"{verdict}: {t['target']}: {value} {t['unit']}"


# ---------------------------------------------------------------------------------------------
# Figures.


def plots(r: dict, out: str) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=False)
    for ax, c in zip(axes, reversed(CONNECTIONS)):
        labels = list(KEYS.values())
        width = 0.38
        for i, setting in enumerate(SETTINGS):
            row = r["reads"].get(setting, {}).get(f"c{c}", {})
            values = [row.get(k, {}).get("rps") or 0 for k in labels]
            ax.bar([x + (i - 0.5) * width for x in range(len(labels))], values, width, label=setting)
        ax.set_xticks(range(len(labels)), ["product", "nginx", "gateway", "gateway\n/users/me"])
        ax.set_title(f"GET req/s, {c} connection{'s' if c > 1 else ''}")
        ax.grid(axis="y", alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "reads.png"), dpi=100)
    plt.close(fig)
    written.append("reads.png")

    checkout = r.get("checkout", {})
    run, search = checkout.get("run", {}), checkout.get("search", {})
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    series = run.get("backlog", [])
    if series:
        t = [s["t"] for s in series]
        left.plot(t, [s["placed"] for s in series], label="placed")
        left.plot(t, [s["confirmed"] for s in series], label="confirmed")
        left.plot(t, [s["backlog"] for s in series], label="backlog (placed − final)")
        left.set_xlabel("s")
        left.set_ylabel("orders")
        left.set_title(f"checkout at {fmt(run.get('targetRate'), 0)}/s")
        left.grid(alpha=0.3)
        left.legend()
    steps = search.get("steps", [])
    if steps:
        x = range(len(steps))
        right.bar([i - 0.2 for i in x], [s["placedRate"] for s in steps], 0.4, label="placed/s")
        right.bar([i + 0.2 for i in x], [s["confirmedRate"] for s in steps], 0.4, label="confirmed/s")
        right.set_xticks(list(x), [f"{s['targetRate']:g}/s\n{'bounded' if s['bounded'] else 'grows'}" for s in steps])
        right.set_title("rate search")
        right.grid(axis="y", alpha=0.3)
        right.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "checkout.png"), dpi=100)
    plt.close(fig)
    written.append("checkout.png")

    soak = checkout.get("soak", {})
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(12, 8), sharex=True)
    samples = soak.get("rss", [])
    for svc in SERVICES:
        top.plot([s["t"] for s in samples], [mib(s["kib"].get(svc)) for s in samples], label=svc)
    top.set_ylabel("RSS MiB")
    top.set_title(f"soak at {fmt(soak.get('targetRate'), 1)} orders/s")
    top.grid(alpha=0.3)
    top.legend(ncol=4, fontsize="small")
    windows = soak.get("windows", [])
    t = [w["t"] for w in windows]
    for key, label in (("placeToConfirmedP50Ms", "place → confirmed p50"), ("placeToConfirmedP99Ms", "place → confirmed p99"),
                       ("httpP99Ms", "POST /v1/orders p99")):  # fmt: skip
        bottom.plot(t, [w.get(key) if w.get(key) is not None else math.nan for w in windows], label=label)
    bottom.set_ylabel("ms")
    bottom.set_xlabel("s")
    bottom.grid(alpha=0.3)
    bottom.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "soak.png"), dpi=100)
    plt.close(fig)
    written.append("soak.png")
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parts", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--elapsed-seconds", type=int)
    parser.add_argument("--smoke", action="store_true", help="(recorded in meta.json already; accepted for clarity)")
    args = parser.parse_args()
    result, problems = build(args.parts, args.elapsed_seconds)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "latest.json"), "w") as f:
        json.dump(result, f, indent=1)
    text = markdown(result)
    with open(os.path.join(args.out, "latest.md"), "w") as f:
        f.write(text)
    figures = plots(result, args.out)
    print(text)
    print("Targets:")
    for t in result["targets"]:
        print(f"  {target_line(t)}")
    print(f"\nWritten: {', '.join(os.path.join(args.out, n) for n in ['latest.json', 'latest.md', *figures])}")
    if problems:
        print("\nThe run is not complete:", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
