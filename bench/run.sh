#!/usr/bin/env bash
# `make bench`: the shop measured side by side with nginx and pgbench, in one run on this machine.
#
#   1. installs what is missing (nginx, wrk, pgbench; matplotlib and aiohttp into .venv), builds
#      release (swift build -c release) unless SHOP_BIN_DIR names executables to use;
#   2. starts the stack with make run's script (scripts/run.sh) on those executables, in a run
#      folder and on ports of its own (HTTP and, for auth, user, product and payment, gRPC:
#      <SERVICE>_GRPC_PORT, so the internal calls never go to a `make run` on the default
#      ports), without Prometheus and Alertmanager (SHOP_MONITORING=0), twice:
#        lean      LOG_LEVEL=warning, RATE_LIMIT_ENABLED=false; nginx without access log
#        defaults  LOG_LEVEL=info, the rate limiter on (every request takes from its Redis
#                  buckets; the limits are raised so that the load is never refused: with the
#                  stock ones a load generator measures 429s); nginx with an access log
#      and in each, with wrk (-t2, or -t1 for one connection; two interleaved rounds of 5 s
#      after a short warm-up, each path's best round kept; latency distribution from
#      bench/wrk/report.lua), GET /v1/products/{id} at 1
#      and 16 connections: product directly, nginx (keepalive upstream to the same product
#      instance the gateway uses) and the gateway; and GET /v1/users/me through the gateway
#      with a customer's token;
#      then once more with the defaults and every span exported (traced: OTEL_EXPORTER_OTLP_ENDPOINT
#      at bench/otlp_sink.py, which reads and drops OTLP/HTTP, sampling at its default, ratio 1):
#      the gateway and GET /v1/users/me at 16 connections, beside the same paths with export off;
#   3. with the defaults: checkout (bench/checkout.py): placement rates in steps until the
#      backlog (placed - confirmed - cancelled) grows; then one rate for a minute (the highest
#      bounded step; when none was, what the first step got through; or BENCH_CHECKOUT_RATE)
#      with its confirmed rate, backlog over time and
#      place-to-confirmed p50/p99; pgbench TPC-B on the same Postgres (a database of its own);
#      RSS of every service idle (both starts), after the load and over a soak at half the
#      checkout rate (sampled every 5 s with the latencies); time from process start to ready
#      per service (bench/ready.py: /health/ready answers 200 and, for the four that serve
#      gRPC, the gRPC port accepts connections);
#   4. writes bench/results/latest.json (every figure), latest.md (the table with the ratios to
#      nginx and pgbench) and PNG figures next to them (bench/report.py), prints the table and
#      the issue's targets as PASS/FAIL lines.
#
# Exit status 0 when everything was measured, whatever the targets say (they are reported,
# not enforced); non-zero when a measurement failed or a figure is missing. Everything it
# started (the stack, nginx, load generators) is stopped at the end, on error and on Ctrl-C.
# About 13 minutes besides the build.
#
# --smoke (or BENCH_SMOKE=1): the same steps in seconds (1-2 s per measurement, a short soak,
# the debug executables: SHOP_BIN_DIR or `swift build`), on free ports, results in the run
# folder; `make test` runs it so this script never rots. It fails when a figure is missing.
#
# Settings (environment):
#   SHOP_BIN_DIR            executables to run (default: release build; --smoke: debug build)
#   BENCH_RUN_DIR           run folder (.run/bench; --smoke: .run/bench-smoke), wiped at start
#   BENCH_RESULTS_DIR       where the results go (bench/results; --smoke: <run folder>/results)
#   BENCH_PORT_BASE         first port of the seven services' HTTP ports, nginx, the OTLP sink
#                           and the gRPC ports of auth, user, product and payment, in that
#                           order (18080: 18080-18086, 18087, 18088, 18089-18092; --smoke:
#                           random in 20000-29999); BENCH_PG_PORT (54349), BENCH_REDIS_PORT
#                           (63819); a taken port is skipped
#   BENCH_WRK_SECONDS       length of each wrk measurement (5; --smoke 1), BENCH_WRK_ROUNDS
#                           rounds over the paths, the best kept (2; --smoke 1), BENCH_WARMUP_SECONDS
#                           wrk before the first round (2; --smoke 0)
#   BENCH_SEARCH_RATES      rates of the search (25,35,50,75,100,150,200; --smoke 5,10)
#   BENCH_STEP_SECONDS      length of a search step (20; --smoke 1)
#   BENCH_CHECKOUT_RATE     rate of the one-minute run (default: from the search, above)
#   BENCH_CHECKOUT_SECONDS  length of that run (60; --smoke 2)
#   BENCH_SOAK_SECONDS      length of the soak (300; --smoke 4), BENCH_SAMPLE_SECONDS (5; --smoke 1)
#   BENCH_PGBENCH_SECONDS   pgbench -T (20; --smoke 1), BENCH_PGBENCH_SCALE (8; --smoke 1)
#   BENCH_ONLY              reads or checkout: start the defaults stack and measure only that
#                           part, print its figures and write no report (while working on it)
#   BENCH_CUSTOMERS         customers placing orders, each with their own token and card (8; --smoke 2)
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
# shellcheck source-path=SCRIPTDIR/.. source=scripts/lib.sh
source "$BENCH_DIR/../scripts/lib.sh"

# Every message with the time of day: a bench's log is read against its clock.
log() { printf '%(%H:%M:%S)T ==> %s\n' -1 "$*" >&2; }
warn() { printf '%(%H:%M:%S)T warning: %s\n' -1 "$*" >&2; }
die() {
    printf '%(%H:%M:%S)T error: %s\n' -1 "$*" >&2
    exit 1
}

SMOKE=0
STACK_PID=""
NGINX_PID=""
OTLP_PID=""
declare -A BENCH_PORT=()

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

# ---------------------------------------------------------------------------
# Settings.

configure() {
    local arg
    for arg in "$@"; do
        case "$arg" in
        --smoke) SMOKE=1 ;;
        -h | --help)
            usage
            exit 0
            ;;
        *) die "unknown argument '$arg' (--smoke, --help)" ;;
        esac
    done
    [[ "${BENCH_SMOKE:-0}" != 1 ]] || SMOKE=1
    ROOT="$(cd "$BENCH_DIR/.." && pwd -P)"
    if ((SMOKE)); then
        BENCH_RUN_DIR="${BENCH_RUN_DIR:-$ROOT/.run/bench-smoke}"
        PORT_BASE="${BENCH_PORT_BASE:-$((20000 + (RANDOM % 250) * 40))}"
        PG_PORT_BASE="${BENCH_PG_PORT:-$((PORT_BASE + 20))}"
        REDIS_PORT_BASE="${BENCH_REDIS_PORT:-$((PORT_BASE + 30))}"
    else
        BENCH_RUN_DIR="${BENCH_RUN_DIR:-$ROOT/.run/bench}"
        PORT_BASE="${BENCH_PORT_BASE:-18080}"
        PG_PORT_BASE="${BENCH_PG_PORT:-54349}"
        REDIS_PORT_BASE="${BENCH_REDIS_PORT:-63819}"
    fi
    [[ "$BENCH_RUN_DIR" == /* ]] || BENCH_RUN_DIR="$PWD/$BENCH_RUN_DIR"
    RESULTS_DIR="${BENCH_RESULTS_DIR:-}"
    if [[ -z "$RESULTS_DIR" ]]; then
        if ((SMOKE)); then RESULTS_DIR="$BENCH_RUN_DIR/results"; else RESULTS_DIR="$ROOT/bench/results"; fi
    fi
    # name: full value / smoke value
    local spec name full small
    for spec in WRK_SECONDS:5:1 WRK_ROUNDS:2:1 WARMUP_SECONDS:2:0 SETTLE_SECONDS:3:1 SEARCH_RATES:25,35,50,75,100,150,200:5,10 \
        STEP_SECONDS:20:1 CHECKOUT_SECONDS:60:2 DRAIN_SECONDS:30:10 SOAK_SECONDS:300:4 SAMPLE_SECONDS:5:1 \
        PGBENCH_SECONDS:20:1 PGBENCH_SCALE:8:1 POLL_SECONDS:1:0.25 CUSTOMERS:8:2; do
        IFS=: read -r name full small <<<"$spec"
        local var="BENCH_$name"
        if ((SMOKE)); then printf -v "$name" '%s' "${!var:-$small}"; else printf -v "$name" '%s' "${!var:-$full}"; fi
    done
    CHECKOUT_RATE="${BENCH_CHECKOUT_RATE:-}"
}

# The names of the gRPC ports in BENCH_PORT: auth-grpc, user-grpc, product-grpc, payment-grpc.
grpc_port_names() {
    local svc
    for svc in "${SHOP_GRPC_SERVICES[@]}"; do printf '%s\n' "$svc-grpc"; done
}

# Ports of the seven services, nginx, the OTLP sink and the four gRPC ports from PORT_BASE,
# Postgres and Redis from their own bases, each the first free one that is not already given.
# With the default bases none is a default of `make run` (8080-8086, 9081-9085 and + 100 for
# SCALE, 9090, 9093, 54329, 63799): a developer's stack and the bench's run side by side.
pick_ports() {
    local port="$PORT_BASE" name names=()
    local -A given=()
    mapfile -t names < <(printf '%s\n' "${SHOP_SERVICES[@]}" nginx otlp; grpc_port_names)
    for name in "${names[@]}"; do
        while port_in_use "$port"; do port=$((port + 1)); done
        BENCH_PORT[$name]="$port"
        given[$port]=1
        port=$((port + 1))
    done
    port="$PG_PORT_BASE"
    while port_in_use "$port" || [[ -n "${given[$port]:-}" ]]; do port=$((port + 1)); done
    BENCH_PORT[postgres]="$port"
    given[$port]=1
    port="$REDIS_PORT_BASE"
    while port_in_use "$port" || [[ -n "${given[$port]:-}" ]]; do port=$((port + 1)); done
    BENCH_PORT[redis]="$port"
    # lib.sh's Postgres helpers (pgbench, the clean-up) act on this run folder and port.
    export SHOP_RUN_DIR="$BENCH_RUN_DIR" SHOP_PG_PORT="${BENCH_PORT[postgres]}" SHOP_REDIS_PORT="${BENCH_PORT[redis]}"
    shop_init dev
    local list=""
    for name in "${names[@]}" postgres redis; do list+=" $name=${BENCH_PORT[$name]}"; done
    log "ports:$list"
}

url_of() { printf 'http://127.0.0.1:%s' "${BENCH_PORT[$1]}"; }

# ---------------------------------------------------------------------------
# Tools.

install_tools() {
    ensure_packages postgres redis curl nginx wrk pgbench python3-venv
    PY="$(venv_python 'matplotlib=matplotlib>=3.8,<4' 'aiohttp=aiohttp>=3.9,<4')"
}

build() {
    if [[ -n "${SHOP_BIN_DIR:-}" ]]; then
        BIN_DIR="$(cd "$SHOP_BIN_DIR" && pwd -P)"
        log "using the executables in $BIN_DIR (SHOP_BIN_DIR): no build"
        return
    fi
    require_swift
    cd "$ROOT"
    if ((SMOKE)); then
        log "building (debug, for the smoke mode): swift build"
        run_child swift build || die "swift build failed"
        CHILD_PID=""
        BIN_DIR="$(swift build --show-bin-path)"
    else
        log "building release: swift build -c release (not counted in the bench's time)"
        run_child swift build -c release || die "swift build -c release failed"
        CHILD_PID=""
        BIN_DIR="$(swift build -c release --show-bin-path)"
    fi
}

# Runs a measuring command (wrk, a bench/*.py) in a process group of its own that the clean-up
# can end; its output goes where the caller redirects it.
measure() {
    local status=0
    run_child "$@" || status=$?
    # shellcheck disable=SC2034 # lib.sh's end_child reads it
    CHILD_PID=""
    return "$status"
}

# ---------------------------------------------------------------------------
# The stack, through make run's script.

# The environment of scripts/run.sh for a setting: nothing of ours but what it needs.
# SHOP_MONITORING=0: no Prometheus scraping every 5 s and evaluating rules on the measured cores.
stack_env() {
    local setting="$1" svc
    printf '%s\n' HOME="$HOME" PATH="$PATH" SHOP_RUN_DIR="$BENCH_RUN_DIR" SHOP_BIN_DIR="$BIN_DIR" \
        SHOP_PG_PORT="${BENCH_PORT[postgres]}" SHOP_REDIS_PORT="${BENCH_PORT[redis]}" \
        SHOP_READY_TIMEOUT=180 SWIFT_DETERMINISTIC_HASHING=1 SHOP_CONSOLE=0 SHOP_MONITORING=0
    for svc in "${SHOP_SERVICES[@]}"; do
        printf '%s\n' "$(env_name "$svc")_HTTP_PORT=${BENCH_PORT[$svc]}"
    done
    # The internal API's gRPC ports: scripts/run.sh gives each instance its GRPC_PORT and lists
    # them in SERVICES_<NAME>_GRPC_ADDRESSES, so no call leaves the bench's stack.
    for svc in "${SHOP_GRPC_SERVICES[@]}"; do
        printf '%s\n' "$(env_name "$svc")_GRPC_PORT=${BENCH_PORT[$svc-grpc]}"
    done
    # A dozen bench customers register from one address; auth's abuse limit is not measured here.
    printf '%s\n' AUTH_REGISTER_MAX_PER_CLIENT=100000
    case "$setting" in
    lean) printf '%s\n' LOG_LEVEL=warning RATE_LIMIT_ENABLED=false ;;
    defaults | traced)
        local high=1000000/1000000
        printf '%s\n' LOG_LEVEL=info RATE_LIMIT_ENABLED=true \
            "RATE_LIMITS=address=$high,anonymous=$high,user=$high,auth=$high"
        ;;
    esac
    # Every span recorded and exported, at the default sampling (parentbased_traceidratio, 1).
    [[ "$setting" != traced ]] || printf '%s\n' "OTEL_EXPORTER_OTLP_ENDPOINT=$(url_of otlp)"
}

start_stack() {
    local setting="$1" env_vars
    mapfile -t env_vars < <(stack_env "$setting")
    log "starting the stack ($setting) with scripts/run.sh from $BIN_DIR (log: $BENCH_RUN_DIR/stack-$setting.log)"
    # A session of its own: Ctrl-C reaches only this script, whose clean-up stops it.
    # SHOP_CONSOLE=0: the services write their logs to logs/<service>.log only, with no terminal
    # copy through a prefixing pipe (which would cost as much CPU as a service under load).
    setsid env -i "${env_vars[@]}" bash "$ROOT/scripts/run.sh" </dev/null >/dev/null 2>>"$BENCH_RUN_DIR/stack-$setting.log" &
    STACK_PID=$!
    wait_stack_ready
    sleep "$SETTLE_SECONDS"
}

wait_stack_ready() {
    local deadline svc pending started
    started="$(now_ms)"
    deadline=$((started + 180 * 1000))
    while :; do
        pending=()
        for svc in "${SHOP_SERVICES[@]}"; do
            curl -fsS -o /dev/null --max-time 2 "$(url_of "$svc")/health/ready" 2>/dev/null || pending+=("$svc")
        done
        # The internal API too: checkout's calls go to these ports.
        for svc in "${SHOP_GRPC_SERVICES[@]}"; do
            port_in_use "${BENCH_PORT[$svc-grpc]}" || pending+=("$svc gRPC :${BENCH_PORT[$svc-grpc]}")
        done
        ((${#pending[@]})) || break
        kill -0 "$STACK_PID" 2>/dev/null || die "scripts/run.sh exited before all services were ready; see $BENCH_RUN_DIR/stack-*.log and $LOG_DIR/"
        (($(now_ms) < deadline)) || die "not ready within 180 s: ${pending[*]}; see $LOG_DIR/"
        sleep 0.25
    done
    log "all seven services are ready, the four gRPC ports listening ($(($(now_ms) - started)) ms after scripts/run.sh started)"
}

stop_stack() {
    [[ -n "$STACK_PID" ]] || return 0
    log "stopping the stack (scripts/run.sh, pid $STACK_PID)"
    kill -TERM "$STACK_PID" 2>/dev/null || true
    if ! wait_gone "$STACK_PID" 60; then
        warn "scripts/run.sh did not stop within 60 s; killing its process group"
        kill -KILL -- "-$STACK_PID" 2>/dev/null || true
    fi
    wait "$STACK_PID" 2>/dev/null || true
    STACK_PID=""
    # Whatever its supervisor could not stop, by the pid files of the run folder (only this one).
    SHOP_RUN_DIR="$BENCH_RUN_DIR" bash "$ROOT/scripts/stop.sh" >>"$BENCH_RUN_DIR/stop.log" 2>&1 || warn "scripts/stop.sh failed; see $BENCH_RUN_DIR/stop.log"
}

# The pid of a running service of the stack.
service_pid() {
    local pid
    pid="$(cat "$PID_DIR/$1.pid" 2>/dev/null)" || die "no pid file for $1 in $PID_DIR"
    pid_matches "$pid" "$BIN_DIR/$1" || die "$1 (pid $pid) is not running"
    printf '%s' "$pid"
}

# {"api-gateway": <KiB>, ...}: VmRSS of every service now.
rss_json() {
    local svc pid kib sep=""
    printf '{'
    for svc in "${SHOP_SERVICES[@]}"; do
        pid="$(service_pid "$svc")"
        kib="$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")"
        [[ -n "$kib" ]] || die "no VmRSS for $svc (pid $pid)"
        printf '%s"%s": %s' "$sep" "$svc" "$kib"
        sep=", "
    done
    printf '}\n'
}

# ---------------------------------------------------------------------------
# nginx: the reference proxy in front of the product instance the gateway uses.

start_nginx() {
    local setting="$1" dir="$BENCH_RUN_DIR/nginx" access_log="access_log off;"
    mkdir -p "$dir/tmp"
    [[ "$setting" == lean ]] || access_log="access_log $dir/access.log;"
    cat >"$dir/nginx.conf" <<EOF
# Written by bench/run.sh ($setting).
daemon off;
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
    $access_log
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    upstream product {
        server 127.0.0.1:${BENCH_PORT[product]};
        keepalive 64;
    }
    server {
        listen 127.0.0.1:${BENCH_PORT[nginx]};
        location / {
            proxy_pass http://product;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
        }
    }
}
EOF
    log "starting nginx on $(url_of nginx) ($setting: ${access_log%;})"
    setsid nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" </dev/null >>"$dir/nginx.out" 2>&1 &
    NGINX_PID=$!
    local deadline=$(($(now_ms) + 10000))
    until curl -fsS -o /dev/null --max-time 2 "$(url_of nginx)/health/live" 2>/dev/null; do
        kill -0 "$NGINX_PID" 2>/dev/null || die "nginx exited; see $dir/error.log and $dir/nginx.out"
        (($(now_ms) < deadline)) || die "nginx did not answer within 10 s; see $dir/error.log"
        sleep 0.1
    done
}

stop_nginx() {
    [[ -n "$NGINX_PID" ]] || return 0
    kill -TERM "$NGINX_PID" 2>/dev/null || true
    if ! wait_gone "$NGINX_PID" 10; then
        kill -KILL -- "-$NGINX_PID" 2>/dev/null || true
    fi
    wait "$NGINX_PID" 2>/dev/null || true
    NGINX_PID=""
}

# ---------------------------------------------------------------------------
# Reads.

# A value of the JSON on stdin: json_get '["items"][0]["id"]'.
json_get() {
    "$PY" -c "import json, sys; print(json.load(sys.stdin)$1)"
}

# One wrk measurement: <label> <url> <connections> <warm-up seconds>; BENCH_AUTHORIZATION
# (exported) is sent as the Authorization header. Keeps parts/wrk-<label>.json.
wrk_run() {
    local label="$1" url="$2" connections="$3" warm_up="$4" threads=2 out="$PARTS/wrk-$1.txt"
    ((connections >= threads)) || threads="$connections" # wrk needs a connection per thread
    local args=(-t "$threads" -c "$connections" --timeout 5s -s "$BENCH_DIR/wrk/report.lua")
    if [[ "$warm_up" != 0 ]]; then
        measure wrk "${args[@]}" -d "${warm_up}s" "$url" >/dev/null 2>&1 || die "wrk (warm-up of $label) failed"
    fi
    measure wrk "${args[@]}" -d "${WRK_SECONDS}s" "$url" >"$out" 2>&1 || die "wrk failed for $label; see $out"
    sed -n 's/^BENCH_JSON //p' "$out" >"$PARTS/wrk-$label.json"
    [[ -s "$PARTS/wrk-$label.json" ]] || die "wrk printed no figures for $label; see $out"
    log "$label: $(sed -n 's/^BENCH_SUMMARY //p' "$out")"
}

measure_reads() {
    local setting="$1" product_id token connections target url
    product_id="$(curl -fsS --max-time 10 "$(url_of product)/v1/products?limit=1" | json_get '["items"][0]["id"]')" ||
        die "no product to read (the demo catalog should be there)"
    token="$(reader_token)"
    start_nginx "$setting"
    local round warm_up
    for connections in 1 16; do
        # Rounds interleave the paths, so that a burst of other work on this shared machine
        # does not land on one path only; the report keeps each path's best round.
        for ((round = 1; round <= WRK_ROUNDS; round++)); do
            warm_up="$WARMUP_SECONDS"
            ((round == 1)) || warm_up=0
            for target in product nginx api-gateway; do
                url="$(url_of "$target")/v1/products/$product_id"
                wrk_run "$setting-${target#api-}-c$connections-r$round" "$url" "$connections" "$warm_up"
            done
            BENCH_AUTHORIZATION="Bearer $token" wrk_run "$setting-users-me-c$connections-r$round" \
                "$(url_of api-gateway)/v1/users/me" "$connections" "$warm_up"
        done
    done
    stop_nginx
}

# What exporting every span costs: the gateway and the authenticated read at 16 connections
# with the defaults plus export to bench/otlp_sink.py (the stack must be started as traced).
measure_traced_reads() {
    local product_id token round warm_up
    product_id="$(curl -fsS --max-time 10 "$(url_of product)/v1/products?limit=1" | json_get '["items"][0]["id"]')" ||
        die "no product to read (the demo catalog should be there)"
    token="$(reader_token)"
    for ((round = 1; round <= WRK_ROUNDS; round++)); do
        warm_up="$WARMUP_SECONDS"
        ((round == 1)) || warm_up=0
        wrk_run "traced-gateway-c16-r$round" "$(url_of api-gateway)/v1/products/$product_id" 16 "$warm_up"
        BENCH_AUTHORIZATION="Bearer $token" wrk_run "traced-users-me-c16-r$round" "$(url_of api-gateway)/v1/users/me" 16 "$warm_up"
    done
}

# The OTLP sink of the traced stack; stop_otlp_sink writes what it received to parts/.
start_otlp_sink() {
    "$PY" "$BENCH_DIR/otlp_sink.py" --port "${BENCH_PORT[otlp]}" --out "$PARTS/otlp-sink.json" </dev/null \
        >>"$BENCH_RUN_DIR/otlp-sink.log" 2>&1 &
    OTLP_PID=$!
    local deadline=$(($(now_ms) + 10000))
    until port_in_use "${BENCH_PORT[otlp]}"; do
        kill -0 "$OTLP_PID" 2>/dev/null || die "the OTLP sink exited; see $BENCH_RUN_DIR/otlp-sink.log"
        (($(now_ms) < deadline)) || die "the OTLP sink did not listen within 10 s"
        sleep 0.1
    done
}

stop_otlp_sink() {
    [[ -n "$OTLP_PID" ]] || return 0
    kill -TERM "$OTLP_PID" 2>/dev/null || true
    wait_gone "$OTLP_PID" 10 || kill -KILL "$OTLP_PID" 2>/dev/null || true
    wait "$OTLP_PID" 2>/dev/null || true
    OTLP_PID=""
}

# An access token of the bench's reader (registered on first use), at most 9 minutes old
# (tokens live 15; the signing key outlives a restart of the stack).
reader_token() {
    local gw body status file="$BENCH_RUN_DIR/reader-token" token
    if [[ -f "$file" ]] && (($(now_ms) - $(stat -c %Y "$file") * 1000 < 540 * 1000)); then
        cat "$file"
        return
    fi
    gw="$(url_of api-gateway)"
    body='{"email":"bench-reader@example.com","password":"bench-reader-password","name":"Bench reader"}'
    status="$(curl -sS -o /dev/null -w '%{http_code}' --max-time 30 -X POST "$gw/v1/auth/register" \
        -H 'Content-Type: application/json' --data-binary "$body")" || status=000
    [[ "$status" == 201 || "$status" == 409 ]] || die "registering the bench reader answered $status"
    token="$(curl -fsS --max-time 30 -X POST "$gw/v1/auth/login" -H 'Content-Type: application/json' \
        --data-binary '{"email":"bench-reader@example.com","password":"bench-reader-password"}' | json_get '["accessToken"]')" ||
        die "the bench reader could not log in"
    (
        umask 077
        printf '%s\n' "$token" >"$file"
    )
    printf '%s\n' "$token"
}

# ---------------------------------------------------------------------------
# Checkout, Postgres, memory, start-up.

checkout() {
    local what="$1"
    shift
    local db_url
    db_url="$(database_url shop_order)"
    BENCH_GATEWAY_URL="$(url_of api-gateway)" BENCH_ORDER_DB_URL="$db_url" \
        BENCH_ADMIN_EMAIL=admin@example.com BENCH_ADMIN_PASSWORD="$SHOP_ADMIN_PASSWORD" \
        measure "$PY" "$BENCH_DIR/checkout.py" "$what" --out "$PARTS/checkout-$what.json" --setup "$PARTS/checkout-setup.json" \
        --poll "$POLL_SECONDS" --drain "$DRAIN_SECONDS" "$@" || die "checkout $what failed"
}

measure_checkout() {
    checkout setup --customers "$CUSTOMERS"
    checkout search --rates "$SEARCH_RATES" --seconds "$STEP_SECONDS"
    # The highest bounded step (or, when none was, what the first step got through).
    local rate="$CHECKOUT_RATE"
    [[ -n "$rate" ]] || rate="$(json_get '["sustainedRate"]' <"$PARTS/checkout-search.json")"
    checkout run --rate "$rate" --seconds "$CHECKOUT_SECONDS"
}

# pgbench on bench_pgbench as the superuser over the unix socket: as lib.sh's as_pg, but as a
# measuring command (the clean-up can end it).
run_pgbench() {
    local as_user=()
    ((EUID != 0)) || as_user=(runuser -u "$PG_OS_USER" --)
    measure env -C "$PG_HOME" "${as_user[@]}" "$PG_BIN/pgbench" "$@" -h "$PG_SOCK" -p "$PG_PORT" -U postgres bench_pgbench
}

measure_pgbench() {
    local out="$PARTS/pgbench.txt" tps latency
    pg_paths
    log "pgbench: TPC-B, scale $PGBENCH_SCALE, -c 8 -j 2 -T $PGBENCH_SECONDS, database bench_pgbench on the same Postgres"
    printf '%s\n' 'SET client_min_messages = warning;' 'DROP DATABASE IF EXISTS bench_pgbench;' 'CREATE DATABASE bench_pgbench;' |
        pg_superuser_psql
    run_pgbench -i -q -s "$PGBENCH_SCALE" >"$PARTS/pgbench-init.txt" 2>&1 || die "pgbench -i failed; see $PARTS/pgbench-init.txt"
    run_pgbench -c 8 -j 2 -T "$PGBENCH_SECONDS" >"$out" 2>&1 || die "pgbench failed; see $out"
    tps="$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$out" | head -n1)"
    latency="$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$out")"
    [[ -n "$tps" && -n "$latency" ]] || die "no tps in pgbench's output; see $out"
    printf '{"tps": %s, "latencyAverageMs": %s, "clients": 8, "threads": 2, "seconds": %s, "scale": %s}\n' \
        "$tps" "$latency" "$PGBENCH_SECONDS" "$PGBENCH_SCALE" >"$PARTS/pgbench.json"
    log "pgbench: $tps tps, latency average $latency ms"
}

measure_soak() {
    local rate pids=() svc pid
    # Half of what the one-minute run sustained.
    rate="$(json_get '["soakRate"]' <"$PARTS/checkout-run.json")"
    for svc in "${SHOP_SERVICES[@]}"; do
        pid="$(service_pid "$svc")"
        pids+=(--pid "$svc=$pid")
    done
    checkout soak --rate "$rate" --seconds "$SOAK_SECONDS" --sample "$SAMPLE_SECONDS" "${pids[@]}"
}

measure_ready() {
    local instances=() svc pid
    for svc in "${SHOP_SERVICES[@]}"; do
        pid="$(service_pid "$svc")"
        instances+=("$svc=$pid")
    done
    log "start to ready: one more instance of each service, one at a time"
    # The copies get free HTTP and gRPC ports of their own (never the stack's or make run's).
    measure "$PY" "$BENCH_DIR/ready.py" --out "$PARTS/ready.json" --log-dir "$LOG_DIR" \
        --grpc-services "${SHOP_GRPC_SERVICES[*]}" "${instances[@]}" ||
        die "measuring start to ready failed; see $LOG_DIR/ready-*.log"
}

# ---------------------------------------------------------------------------

write_meta() {
    local commit dirty=""
    commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || printf unknown)"
    [[ -z "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]] || dirty="+changes"
    "$PY" - "$PARTS/meta.json" <<EOF
import json, os, platform, sys, time
json.dump({
    "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    "commit": "$commit$dirty",
    "smoke": bool($SMOKE),
    "executables": "$BIN_DIR",
    "cpus": os.cpu_count(),
    "machine": platform.platform(),
    "load1": os.getloadavg()[0],
    "wrkSeconds": $WRK_SECONDS,
    "wrkRounds": $WRK_ROUNDS,
    "settings": {
        "lean": "LOG_LEVEL=warning, RATE_LIMIT_ENABLED=false; nginx access_log off",
        "defaults": "LOG_LEVEL=info, rate limiter on (limits raised above the load); nginx access log on",
    },
}, open(sys.argv[1], "w"), indent=1)
EOF
}

# Nothing of the bench may listen any more.
check_nothing_left() {
    local name left=""
    for name in "${!BENCH_PORT[@]}"; do
        port_in_use "${BENCH_PORT[$name]}" && left+=" $name(${BENCH_PORT[$name]})"
    done
    [[ -z "$left" ]] || die "ports of the bench still listen after it stopped everything:$left"
}

# shellcheck disable=SC2317 # reached through the EXIT trap
cleanup() {
    local status=$?
    trap '' INT TERM HUP
    set +e
    end_child
    stop_nginx
    stop_stack
    stop_otlp_sink
    if ((status != 0)); then
        log "the bench failed (exit $status); logs: $BENCH_RUN_DIR (stack-*.log, logs/, parts/)"
    fi
    exit "$status"
}

# BENCH_ONLY: one part with the defaults, its raw figures printed, no report.
measure_only() {
    local part="$1"
    start_stack defaults
    case "$part" in
    reads) measure_reads defaults ;;
    checkout) measure_checkout ;;
    *) die "BENCH_ONLY must be reads or checkout, not '$part'" ;;
    esac
    stop_stack
    local file
    for file in "$PARTS"/checkout-search.json "$PARTS"/checkout-run.json "$PARTS"/wrk-*.json; do
        [[ -e "$file" ]] && printf '%s: %s\n' "${file##*/}" "$(head -c 600 "$file")"
    done
    return 0
}

main() {
    configure "$@"
    local started
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
    install_tools
    build
    started="$(now_ms)"
    # A fresh run folder: an earlier bench's leftovers stopped, its data gone.
    if [[ -e "$BENCH_RUN_DIR" ]]; then
        SHOP_RUN_DIR="$BENCH_RUN_DIR" bash "$ROOT/scripts/reset.sh" >/dev/null
    fi
    pick_ports
    make_run_dir
    PARTS="$BENCH_RUN_DIR/parts"
    mkdir -p "$PARTS" "$RESULTS_DIR"
    ensure_secrets "${SHOP_DB_SERVICES[@]/#/shop_}"
    write_meta

    if [[ -n "${BENCH_ONLY:-}" ]]; then
        measure_only "$BENCH_ONLY"
        return
    fi

    start_stack lean
    rss_json >"$PARTS/rss-idle-lean.json"
    measure_reads lean
    stop_stack

    start_otlp_sink
    start_stack traced
    measure_traced_reads
    stop_stack
    stop_otlp_sink

    start_stack defaults
    rss_json >"$PARTS/rss-idle-defaults.json"
    measure_reads defaults
    measure_checkout
    rss_json >"$PARTS/rss-after-load.json"
    measure_pgbench
    measure_soak
    measure_ready
    stop_stack
    check_nothing_left

    local elapsed=$(($(now_ms) - started))
    log "measured in $((elapsed / 60000)) min $(((elapsed / 1000) % 60)) s; writing $RESULTS_DIR"
    local report=("$PY" "$BENCH_DIR/report.py" --parts "$PARTS" --out "$RESULTS_DIR" --elapsed-seconds "$((elapsed / 1000))")
    ((SMOKE)) && report+=(--smoke)
    "${report[@]}" || die "the report found missing figures (above)"
    if ((SMOKE)) && [[ "${BENCH_KEEP:-0}" != 1 ]]; then
        # Passed: nothing of the smoke run stays (its Postgres folder may be outside it).
        trap - EXIT
        SHOP_RUN_DIR="$BENCH_RUN_DIR" bash "$ROOT/scripts/reset.sh" >/dev/null
    fi
}

main "$@"
