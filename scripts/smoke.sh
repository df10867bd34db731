#!/usr/bin/env bash
# `make smoke` (and a step of `make test`): the commands a new user types, tried as that user
# would, on the executables already built:
#
#   1. `make run` with an empty environment (only HOME and PATH, plus free ports, a folder of
#      its own and SCALE="product=2"), until /v1/status lists all seven services up; the admin
#      logs in with the password make run generated and printed; then the contract fuzzing
#      (scripts/fuzz.sh) against that stack; then the monitoring: Prometheus's `up` is 1 for
#      every instance (the replica too), every rule file of deploy/monitoring is loaded and
#      no rule fails to evaluate, Alertmanager is known to Prometheus, and the metric names
#      every instance exports (in SHOP_TEST_LOG_DIR/exported-metrics.txt) pass
#      scripts/monitoring-check.sh --exported (when that script exists); then SIGINT to make's
#      process group, as Ctrl-C in a terminal sends it;
#   2. `make run` again (same data, same admin password), then `make stop` from outside;
#   3. `make run` again, then `make reset` from outside.
#
# After each: make has exited, no process of the run is left (make, the supervisor, the
# services, Postgres, Redis, Prometheus, Alertmanager, log prefixers) and no port of the run
# is listening (the services' gRPC ports included); after the
# reset the run's folder is gone. Whatever happens, everything this script started is
# stopped on exit. Exit status 0 only when every check passed.
#
# The stack lives in SHOP_SMOKE_DIR (.run/test/smoke, through make run's SHOP_RUN_DIR), so a
# developer's own .run/dev and `make test`'s servers are never touched. Settings:
#   SHOP_BIN_DIR               the built executables (default: swift build, then its bin path)
#   SHOP_SMOKE_DIR             the smoke stack's run folder (.run/test/smoke)
#   SHOP_SMOKE_READY_TIMEOUT   seconds to wait for all seven up (180), and for Prometheus to
#                              see every instance up
#   SHOP_SKIP_FUZZ=1           no contract fuzzing in round 1
# make run's output of each round goes to SHOP_TEST_LOG_DIR (.run/test/logs)/smoke-<round>.log.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
shop_init test

SMOKE_DIR="${SHOP_SMOKE_DIR:-$ROOT/.run/test/smoke}"
SMOKE_LOG_DIR="${SHOP_TEST_LOG_DIR:-$ROOT/.run/test/logs}"
READY_TIMEOUT="${SHOP_SMOKE_READY_TIMEOUT:-180}"
EXIT_TIMEOUT=60 # seconds make may take to exit once told to stop
LEFTOVER_TIMEOUT=15 # seconds a stopped process may take to be gone before it counts as left over

MAKE_PID=""    # the running `make run`: leader of its own process group
ROUND=""
declare -A PORT_OF=()
PORT_NAMES=(api-gateway auth user product order payment notification postgres redis prometheus alertmanager)
# The gRPC ports of the four services that serve gRPC: "<service> grpc" in PORT_OF.
for _svc in "${SHOP_GRPC_SERVICES[@]}"; do PORT_NAMES+=("$_svc grpc"); done
unset _svc
# A replica runs too (make run's SCALE): Prometheus must scrape it, and stopping must end it.
SMOKE_SCALE="product=2"
REPLICA=product@2 # on product's ports (HTTP and gRPC) + 100
ADMIN_PASSWORD_SMOKE="" # the one make run generates, read from its folder

fail() {
    printf '%s\n' "smoke test failed (round '${ROUND:-setup}'): $*" >&2
    exit 1
}

# ---------------------------------------------------------------------------
# Processes.

# One line per process: pid ppid pgrp state starttime (from /proc/<pid>/stat).
proc_table() {
    local dir stat rest
    for dir in /proc/[0-9]*; do
        stat="$(cat "$dir/stat" 2>/dev/null)" || continue
        rest="${stat##*) }" # after the command name, which may hold spaces and parentheses
        # shellcheck disable=SC2086 # one word per field
        set -- $rest
        # $1 state, $2 ppid, $3 pgrp, $4 session, ..., $20 starttime
        printf '%s %s %s %s %s\n' "${dir#/proc/}" "$2" "$3" "$1" "${20}"
    done
}

# The command line of <pid> with spaces for NULs (empty when it is gone).
cmdline_of() {
    tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" || true
}

# Whether <pid> runs with this smoke run's SHOP_RUN_DIR in its environment: make, the
# supervisor and the services inherit it (a developer's own `make run` of the same
# executables does not).
has_run_environment() {
    local entry
    while IFS= read -r -d '' entry; do
        [[ "$entry" == "SHOP_RUN_DIR=$SMOKE_DIR" ]] && return 0
    done 2>/dev/null <"/proc/$1/environ"
    return 1
}

# Postgres's real folder (.run/.../pg may be a symlink to /var/tmp/swift-shop-*).
smoke_pg_home() {
    if [[ -L "$SMOKE_DIR/pg" ]]; then readlink "$SMOKE_DIR/pg"; else printf '%s' "$SMOKE_DIR/pg"; fi
}

# Every process of the run, as "pid:starttime" words: make's process group, the
# processes named by the run's pid files, everything whose command line names the run's
# folders or Redis's port or whose environment names the run's folder, and all their
# descendants.
run_processes() {
    local table pid ppid pgrp state start f cmd pg_home
    declare -A start_of=() parent_of=() member=()
    table="$(proc_table)"
    pg_home="$(smoke_pg_home)"
    while read -r pid ppid pgrp state start; do
        [[ "$state" != Z ]] || continue
        start_of[$pid]="$start"
        parent_of[$pid]="$ppid"
        if [[ -n "$MAKE_PID" && "$pgrp" == "$MAKE_PID" ]]; then member[$pid]=1; fi
    done <<<"$table"
    for f in "$SMOKE_DIR"/supervisor.pid "$SMOKE_DIR"/pids/*.pid "$SMOKE_DIR"/redis/redis.pid "$pg_home"/data/postmaster.pid \
        "$SMOKE_DIR"/prometheus/prometheus.pid "$SMOKE_DIR"/alertmanager/alertmanager.pid; do
        [[ -f "$f" ]] || continue
        pid="$(head -n1 "$f" 2>/dev/null || true)"
        [[ -n "$pid" && -n "${start_of[$pid]:-}" ]] && member[$pid]=1
    done
    for pid in "${!start_of[@]}"; do
        cmd="$(cmdline_of "$pid")"
        if [[ "$cmd" == *"$SMOKE_DIR"* || "$cmd" == *"$pg_home/"* || "$cmd" == *"127.0.0.1:${PORT_OF[redis]}"* ]] || has_run_environment "$pid"; then
            member[$pid]=1
        fi
    done
    # Descendants (Postgres's backends carry no path in their command line).
    local grew=1
    while ((grew)); do
        grew=0
        for pid in "${!parent_of[@]}"; do
            if [[ -z "${member[$pid]:-}" && -n "${member[${parent_of[$pid]}]:-}" ]]; then
                member[$pid]=1
                grew=1
            fi
        done
    done
    for pid in "${!member[@]}"; do
        # Not this script, nor the shell of the command substitution running this function.
        [[ "$pid" == "$$" || "$pid" == "$BASHPID" ]] && continue
        printf '%s:%s\n' "$pid" "${start_of[$pid]}"
    done
}

# The "pid:starttime" words of <list> whose process still runs (same pid, same start; a
# zombie has ended and only waits for its parent to collect its status).
still_running() {
    local entry pid start stat rest
    for entry in $1; do
        pid="${entry%%:*}"
        start="${entry#*:}"
        stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || continue
        rest="${stat##*) }"
        # shellcheck disable=SC2086
        set -- $rest
        [[ "$1" != Z && "${20}" == "$start" ]] && printf '%s\n' "$entry"
    done
}

describe() {
    local entry pid stat
    for entry in $1; do
        pid="${entry%%:*}"
        stat="$(cut -d' ' -f1-8 2>/dev/null <"/proc/$pid/stat" || true)"
        printf '  pid %s: %s [stat: %s]\n' "$pid" "$(cmdline_of "$pid" | cut -c1-200)" "$stat"
    done
}

# ---------------------------------------------------------------------------
# Ports.

# Free ports for the seven services, the gRPC ports of four of them, Postgres, Redis,
# Prometheus and Alertmanager, from a random start below the ephemeral range, so that parallel
# runs on one machine rarely meet; and product's + 100 (HTTP and gRPC) for its replica
# (another start when one of those is taken or is one of the others).
pick_ports() {
    local port name attempt taken
    for ((attempt = 0; attempt < 20; attempt++)); do
        port=$((20000 + (RANDOM % 250) * 40))
        taken=" "
        for name in "${PORT_NAMES[@]}"; do
            while port_in_use "$port"; do port=$((port + 1)); done
            PORT_OF[$name]="$port"
            taken+="$port "
            port=$((port + 1))
        done
        PORT_OF[$REPLICA]=$((PORT_OF[product] + 100))
        PORT_OF["$REPLICA grpc"]=$((PORT_OF["product grpc"] + 100))
        if ! port_in_use "${PORT_OF[$REPLICA]}" && ! port_in_use "${PORT_OF["$REPLICA grpc"]}" &&
            [[ "$taken" != *" ${PORT_OF[$REPLICA]} "* && "$taken" != *" ${PORT_OF["$REPLICA grpc"]} "* ]]; then
            return 0
        fi
    done
    fail "no free ports for $REPLICA (product's HTTP and gRPC ports + 100) in 20 tries"
}

listening_ports() {
    local name
    for name in "${PORT_NAMES[@]}" "$REPLICA" "$REPLICA grpc"; do
        if port_in_use "${PORT_OF[$name]}"; then printf '%s(%s) ' "${PORT_OF[$name]}" "$name"; fi
    done
}

# The gRPC ports of the run that do not accept connections (none: every instance serves gRPC).
silent_grpc_ports() {
    local svc name
    for svc in "${SHOP_GRPC_SERVICES[@]}" "$REPLICA"; do
        name="$svc grpc"
        if ! port_in_use "${PORT_OF[$name]}"; then printf '%s(%s) ' "${PORT_OF[$name]}" "$name"; fi
    done
}

# ---------------------------------------------------------------------------
# The commands, as a user runs them: `make <target>` from the project folder, with nothing
# in the environment but HOME, PATH and the settings given here.

make_env() {
    local svc
    printf '%s\n' HOME="$HOME" PATH="$PATH" CI=true \
        SHOP_RUN_DIR="$SMOKE_DIR" SHOP_BIN_DIR="$BIN_DIR" SCALE="$SMOKE_SCALE" \
        SHOP_PG_PORT="${PORT_OF[postgres]}" SHOP_REDIS_PORT="${PORT_OF[redis]}" \
        SHOP_PROMETHEUS_PORT="${PORT_OF[prometheus]}" SHOP_ALERTMANAGER_PORT="${PORT_OF[alertmanager]}"
    for svc in "${SHOP_SERVICES[@]}"; do
        printf '%s\n' "$(env_name "$svc")_HTTP_PORT=${PORT_OF[$svc]}"
    done
    for svc in "${SHOP_GRPC_SERVICES[@]}"; do
        printf '%s\n' "$(env_name "$svc")_GRPC_PORT=${PORT_OF["$svc grpc"]}"
    done
    # The fuzzer sends everything from one address, faster than a person would.
    printf '%s\n' "RATE_LIMITS=address=2000/4000,anonymous=1000/2000,user=1000/2000,auth=1000/2000" \
        AUTH_LOGIN_MAX_FAILURES_PER_CLIENT=100000 AUTH_REGISTER_MAX_PER_CLIENT=100000 \
        AUTH_REFRESH_MAX_FAILURES_PER_CLIENT=100000
}

# `make run` as a terminal starts a foreground job: in a process group of its own (its pid is
# the group's id) with SIGINT at its default. Job control (set -m) gives both; without it,
# bash would start the job with SIGINT ignored, which no trap in run.sh could undo.
start_run() {
    local log="$SMOKE_LOG_DIR/smoke-$ROUND.log" env_vars
    mapfile -t env_vars < <(make_env)
    log "smoke [$ROUND]: make run (gateway 127.0.0.1:${PORT_OF[api-gateway]}, output: $log)"
    set -m
    (cd "$ROOT" && exec env -i "${env_vars[@]}" make run) </dev/null >"$log" 2>&1 &
    MAKE_PID=$!
    set +m
}

# `make <target>` from outside the run (another terminal), with the same settings.
make_target() {
    local target="$1" env_vars status=0
    mapfile -t env_vars < <(make_env)
    log "smoke [$ROUND]: make $target"
    (cd "$ROOT" && env -i "${env_vars[@]}" make "$target") </dev/null >>"$SMOKE_LOG_DIR/smoke-$ROUND-$target.log" 2>&1 || status=$?
    ((status == 0)) || fail "make $target exited with status $status; see $SMOKE_LOG_DIR/smoke-$ROUND-$target.log"
}

log_tail() {
    tail -n 30 "$SMOKE_LOG_DIR/smoke-$ROUND.log" 2>/dev/null | sed 's/^/    /' >&2 || true
}

# Waits until /v1/status answers 200 with all seven services up and make run has printed its
# banner; fails at once when make exits.
wait_ready() {
    local deadline body gw="${PORT_OF[api-gateway]}"
    deadline=$(($(now_ms) + READY_TIMEOUT * 1000))
    while :; do
        if ! kill -0 "$MAKE_PID" 2>/dev/null; then
            log_tail
            fail "make run exited before all services were ready"
        fi
        body="$(curl -fsS --max-time 3 "http://127.0.0.1:$gw/v1/status" 2>/dev/null || true)"
        if [[ -n "$body" ]] && all_up "$body" && grep -q 'swift-shop is running' "$SMOKE_LOG_DIR/smoke-$ROUND.log"; then
            log "smoke [$ROUND]: all seven services up: $body"
            # make run's banner comes once every instance, gRPC ports included, is ready.
            local silent
            silent="$(silent_grpc_ports)"
            [[ -z "$silent" ]] || fail "make run says it is ready, but these gRPC ports accept no connection: $silent"
            return 0
        fi
        if (($(now_ms) > deadline)); then
            log_tail
            fail "not all seven services up within $READY_TIMEOUT s (last /v1/status: ${body:-none})"
        fi
        sleep 0.5
    done
}

# make run has no default admin password: it generates one into its folder once, prints it,
# and auth seeds the admin with it. Checks all three (the admin logs in with it) and that it
# is the same as in the earlier rounds; sets ADMIN_PASSWORD_SMOKE.
check_generated_admin() {
    local password status gw="${PORT_OF[api-gateway]}"
    password="$(sed -n 's/^SHOP_ADMIN_PASSWORD=//p' "$SMOKE_DIR/secrets.env" 2>/dev/null || true)"
    [[ "$password" =~ ^[0-9a-f]{48}$ ]] || fail "make run did not generate an admin password into $SMOKE_DIR/secrets.env"
    if [[ -n "$ADMIN_PASSWORD_SMOKE" && "$password" != "$ADMIN_PASSWORD_SMOKE" ]]; then
        fail "the generated admin password changed between two make runs on the same folder"
    fi
    grep -qF "admin@example.com / $password" "$SMOKE_LOG_DIR/smoke-$ROUND.log" ||
        fail "make run did not print the admin's generated password"
    status="$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 -X POST "http://127.0.0.1:$gw/v1/auth/login" \
        -H 'Content-Type: application/json' --data-binary "{\"email\":\"admin@example.com\",\"password\":\"$password\"}")" || status=000
    [[ "$status" == 200 ]] || fail "the admin cannot log in with the generated password (HTTP $status)"
    ADMIN_PASSWORD_SMOKE="$password"
    log "smoke [$ROUND]: the admin logs in with the password make run generated and printed"
}

# Whether a /v1/status body lists the seven services, each up.
all_up() {
    python3 -c '
import json, sys
expected = {"api-gateway", "auth", "user", "product", "order", "payment", "notification"}
status = json.loads(sys.argv[1])
up = {s.get("name") for s in status.get("services", []) if s.get("status") == "up"}
sys.exit(0 if expected <= up else 1)
' "$1" 2>/dev/null
}

# Waits for make to exit; sets MAKE_STATUS to its exit status.
MAKE_STATUS=""
wait_make_exit() {
    local deadline
    deadline=$(($(now_ms) + EXIT_TIMEOUT * 1000))
    while kill -0 "$MAKE_PID" 2>/dev/null; do
        if (($(now_ms) > deadline)); then
            log_tail
            fail "make run did not exit within $EXIT_TIMEOUT s of being told to stop"
        fi
        sleep 0.2
    done
    MAKE_STATUS=0
    wait "$MAKE_PID" || MAKE_STATUS=$?
    MAKE_PID=""
}

# Nothing of <snapshot> runs, nothing new of the run appeared, no port of the run listens.
assert_nothing_left() {
    local snapshot="$1" left ports deadline
    # A process that was told to stop may take a moment to be gone on loaded cores (a Postgres
    # backend notices its postmaster's end only on its next poll): wait, bounded, before failing.
    deadline=$(($(now_ms) + LEFTOVER_TIMEOUT * 1000))
    while :; do
        left="$({
            still_running "$snapshot"
            run_processes
        } | sort -u)"
        if [[ -z "$left" ]] || (($(now_ms) >= deadline)); then break; fi
        sleep 0.2
    done
    if [[ -n "$left" ]]; then
        describe "$left" >&2
        fail "processes of the run are still there (above)"
    fi
    ports="$(listening_ports)"
    [[ -z "$ports" ]] || fail "ports of the run are still listening: $ports"
}

# ---------------------------------------------------------------------------
# Monitoring: make run's Prometheus scrapes every instance, loads the rules and knows its
# Alertmanager; the metric names the instances export meet the catalogue.

# "job instance" of every instance of the run: the seven services and the replica.
expected_targets() {
    local svc
    for svc in "${SHOP_SERVICES[@]}"; do printf '%s 127.0.0.1:%s\n' "$svc" "${PORT_OF[$svc]}"; done
    printf '%s 127.0.0.1:%s\n' "${REPLICA%@*}" "${PORT_OF[$REPLICA]}"
}

# The same for what Prometheus scrapes besides: itself and Alertmanager.
expected_monitor_targets() {
    printf '%s 127.0.0.1:%s\n' prometheus "${PORT_OF[prometheus]}" alertmanager "${PORT_OF[alertmanager]}"
}

# GET <path> with <curl arguments> from the run's Prometheus (its body; empty when it fails).
prometheus_api() {
    local path="$1"
    shift
    curl -fsS --max-time 5 "$@" "http://127.0.0.1:${PORT_OF[prometheus]}$path" 2>/dev/null || true
}

# What keeps the monitoring from being whole, one line each (nothing when it is): an expected
# instance whose `up` is not 1 or that is no target at all; an Alertmanager that Prometheus
# does not send to.
monitoring_problems() {
    local up alertmanagers
    up="$(prometheus_api /api/v1/query -G --data-urlencode query=up)"
    alertmanagers="$(prometheus_api /api/v1/alertmanagers)"
    python3 -c '
import json, sys
up_body, alertmanagers_body, expected_text, alertmanager = sys.argv[1:5]
expected = [tuple(line.split()) for line in expected_text.splitlines() if line.strip()]
try:
    result = json.loads(up_body)["data"]["result"]
except Exception:
    print("Prometheus did not answer GET /api/v1/query?query=up")
    sys.exit()
up = {(r["metric"].get("job"), r["metric"].get("instance")): r["value"][1] for r in result}
for job, instance in expected:
    value = up.get((job, instance))
    if value is None:
        print(f"job={job} instance={instance}: no up series (not a target)")
    elif value != "1":
        print(f"job={job} instance={instance}: up={value}")
try:
    active = [a["url"] for a in json.loads(alertmanagers_body)["data"]["activeAlertmanagers"]]
except Exception:
    active = []
if not any(alertmanager in url for url in active):
    print(f"Prometheus does not send alerts to the Alertmanager on {alertmanager} (active: {active})")
' "$up" "$alertmanagers" "$(expected_targets; expected_monitor_targets)" "127.0.0.1:${PORT_OF[alertmanager]}"
}

# Waits (bounded) until Prometheus sees every instance up and knows its Alertmanager.
wait_monitoring() {
    local deadline problems count
    count="$(expected_targets | wc -l)"
    deadline=$(($(now_ms) + READY_TIMEOUT * 1000))
    while :; do
        problems="$(monitoring_problems)"
        [[ -n "$problems" ]] || break
        if (($(now_ms) > deadline)); then
            printf '    %s\n' "${problems//$'\n'/$'\n'    }" >&2
            fail "Prometheus (127.0.0.1:${PORT_OF[prometheus]}) does not see all $count service instances, itself and Alertmanager up within $READY_TIMEOUT s (above)"
        fi
        sleep 1
    done
    log "smoke [$ROUND]: Prometheus sees all $count service instances up (up == 1), the replica too, itself and Alertmanager, and sends it alerts"
}

# Every rule file of deploy/monitoring is loaded, and no rule fails to evaluate.
check_rules() {
    local files=("$ROOT"/deploy/monitoring/prometheus/rules/*.yml) problems
    if [[ ! -e "${files[0]}" ]]; then
        log "smoke [$ROUND]: no rule files in deploy/monitoring/prometheus/rules: nothing to check"
        return 0
    fi
    problems="$(python3 -c '
import json, sys
try:
    groups = json.loads(sys.argv[1])["data"]["groups"]
except Exception:
    print("Prometheus did not answer GET /api/v1/rules")
    sys.exit()
loaded = {g["file"] for g in groups}
for path in sys.argv[2:]:
    if path not in loaded:
        print(f"{path}: not loaded by Prometheus")
for g in groups:
    for r in g["rules"]:
        if r.get("health") == "err":
            print("{}: rule {}: {}".format(g["file"], r["name"], r.get("lastError")))
' "$(prometheus_api /api/v1/rules)" "${files[@]}")"
    if [[ -n "$problems" ]]; then
        printf '    %s\n' "${problems//$'\n'/$'\n'    }" >&2
        fail "Prometheus's rules (above)"
    fi
    log "smoke [$ROUND]: Prometheus loaded the ${#files[@]} rule files of deploy/monitoring, none fails to evaluate"
}

# The metric names every instance exports, one per line, into <file>: each sample's name, and
# for the _bucket, _sum and _count series of a histogram or summary (by its # TYPE line) the
# name of the histogram too.
collect_metric_names() {
    local out="$1" job instance body
    : >"$out.all"
    while read -r job instance; do
        body="$(curl -fsS --max-time 10 "http://$instance/metrics")" || fail "GET http://$instance/metrics ($job) failed"
        awk '
            $1 == "#" && $2 == "TYPE" { type[$3] = $4; next }
            /^#/ || NF == 0 { next }
            {
                name = $0
                sub(/[{ ].*/, "", name)
                print name
                base = name
                if (sub(/_(bucket|sum|count)$/, "", base) && (type[base] == "histogram" || type[base] == "summary")) print base
            }' <<<"$body" >>"$out.all"
    done < <(expected_targets)
    LC_ALL=C sort -u "$out.all" >"$out"
    rm -f "$out.all"
}

# The whole monitoring check, after the fuzzing's traffic (its checkouts too).
check_monitoring() {
    local exported="$SMOKE_LOG_DIR/exported-metrics.txt"
    wait_monitoring
    check_rules
    collect_metric_names "$exported"
    log "smoke [$ROUND]: $(wc -l <"$exported") metric names exported, in $exported"
    if [[ -f "$ROOT/scripts/monitoring-check.sh" ]]; then
        log "smoke [$ROUND]: bash scripts/monitoring-check.sh --exported $exported"
        bash "$ROOT/scripts/monitoring-check.sh" --exported "$exported" || fail "scripts/monitoring-check.sh --exported $exported failed (above)"
    else
        log "smoke [$ROUND]: no scripts/monitoring-check.sh: the exported names are not checked against the catalogue"
    fi
}

# ---------------------------------------------------------------------------
# Clean-up: whatever happened, nothing of the smoke stack stays up.

# shellcheck disable=SC2317 # reached through the EXIT trap
cleanup() {
    local status=$?
    trap '' INT TERM HUP
    set +e
    if [[ -n "$MAKE_PID" ]] && kill -0 "$MAKE_PID" 2>/dev/null; then
        kill -INT -- "-$MAKE_PID" 2>/dev/null
        wait_gone "$MAKE_PID" 30
    fi
    if [[ -d "$SMOKE_DIR" ]]; then
        SHOP_RUN_DIR="$SMOKE_DIR" bash "$ROOT/scripts/stop.sh" >/dev/null 2>&1
    fi
    [[ -z "$MAKE_PID" ]] || kill -KILL -- "-$MAKE_PID" 2>/dev/null
    if ((status != 0)); then
        log "smoke test failed; make run's output: $SMOKE_LOG_DIR/smoke-*.log, the stack's logs: $SMOKE_DIR/logs"
    fi
    exit "$status"
}

# ---------------------------------------------------------------------------

main() {
    local snapshot
    mkdir -p "$SMOKE_LOG_DIR"
    if [[ -n "${SHOP_BIN_DIR:-}" ]]; then
        BIN_DIR="$(cd "$SHOP_BIN_DIR" && pwd -P)"
    else
        require_swift
        log "building: swift build"
        (cd "$ROOT" && swift build) || die "swift build failed"
        BIN_DIR="$(cd "$ROOT" && swift build --show-bin-path)"
    fi
    ensure_packages postgres redis curl python3-venv prometheus alertmanager
    # A smoke stack an interrupted earlier run left behind.
    if [[ -e "$SMOKE_DIR" ]]; then
        SHOP_RUN_DIR="$SMOKE_DIR" bash "$ROOT/scripts/reset.sh"
    fi
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
    pick_ports

    ROUND=interrupt
    start_run
    wait_ready
    check_generated_admin
    if [[ "${SHOP_SKIP_FUZZ:-}" == 1 ]]; then
        log "SHOP_SKIP_FUZZ=1: no contract fuzzing"
    else
        ADMIN_EMAIL=admin@example.com ADMIN_PASSWORD="$ADMIN_PASSWORD_SMOKE" SHOP_FUZZ_REPORT_DIR="$SMOKE_LOG_DIR/fuzz" \
            bash "$ROOT/scripts/fuzz.sh" "http://127.0.0.1:${PORT_OF[api-gateway]}" || fail "contract fuzzing failed (above)"
    fi
    check_monitoring
    snapshot="$(run_processes)"
    log "smoke [$ROUND]: SIGINT to make's process group ($(wc -w <<<"$snapshot") processes in the run)"
    kill -INT -- "-$MAKE_PID"
    wait_make_exit
    [[ "$MAKE_STATUS" == 0 || "$MAKE_STATUS" == 130 ]] || fail "make run exited with status $MAKE_STATUS after Ctrl-C"
    assert_nothing_left "$snapshot"
    [[ -d "$SMOKE_DIR/pg" ]] || fail "Ctrl-C removed the data folder $SMOKE_DIR/pg; it must keep it"

    ROUND=stop
    start_run
    wait_ready
    check_generated_admin
    snapshot="$(run_processes)"
    make_target stop
    wait_make_exit
    [[ "$MAKE_STATUS" == 0 ]] || fail "make run exited with status $MAKE_STATUS after make stop"
    assert_nothing_left "$snapshot"
    [[ -d "$SMOKE_DIR/pg" ]] || fail "make stop removed the data folder $SMOKE_DIR/pg; it must keep it"

    ROUND=reset
    start_run
    wait_ready
    snapshot="$(run_processes)"
    local pg_home
    pg_home="$(smoke_pg_home)"
    make_target reset
    wait_make_exit
    [[ "$MAKE_STATUS" == 0 ]] || fail "make run exited with status $MAKE_STATUS after make reset"
    assert_nothing_left "$snapshot"
    [[ ! -e "$SMOKE_DIR" ]] || fail "make reset left $SMOKE_DIR"
    [[ ! -e "$pg_home" ]] || fail "make reset left the Postgres folder $pg_home"

    log "smoke test passed: make run (Ctrl-C), make stop and make reset leave nothing behind; Prometheus scrapes every instance"
}

main "$@"
