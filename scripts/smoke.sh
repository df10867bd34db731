#!/usr/bin/env bash
# `make smoke` (and a step of `make test`): the commands a new user types, tried as that user
# would, on the executables already built:
#
#   1. `make run` with an empty environment (only HOME and PATH, plus free ports and a folder
#      of its own), until /v1/status lists all seven services up; the admin logs in with the
#      password make run generated and printed; then the contract fuzzing (scripts/fuzz.sh)
#      against that stack; then SIGINT to make's process group, as Ctrl-C in a terminal sends it;
#   2. `make run` again (same data, same admin password), then `make stop` from outside;
#   3. `make run` again, then `make reset` from outside.
#
# After each: make has exited, no process of the run is left (make, the supervisor, the
# services, Postgres, Redis, log prefixers) and no port of the run is listening; after the
# reset the run's folder is gone. Whatever happens, everything this script started is
# stopped on exit. Exit status 0 only when every check passed.
#
# The stack lives in SHOP_SMOKE_DIR (.run/test/smoke, through make run's SHOP_RUN_DIR), so a
# developer's own .run/dev and `make test`'s servers are never touched. Settings:
#   SHOP_BIN_DIR               the built executables (default: swift build, then its bin path)
#   SHOP_SMOKE_DIR             the smoke stack's run folder (.run/test/smoke)
#   SHOP_SMOKE_READY_TIMEOUT   seconds to wait for all seven up (180)
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
PORT_NAMES=(api-gateway auth user product order payment notification postgres redis)
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
    for f in "$SMOKE_DIR"/supervisor.pid "$SMOKE_DIR"/pids/*.pid "$SMOKE_DIR"/redis/redis.pid "$pg_home"/data/postmaster.pid; do
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

# Nine free ports for the seven services, Postgres and Redis, from a random start below the
# ephemeral range, so that parallel runs on one machine rarely meet.
pick_ports() {
    local port=$((20000 + (RANDOM % 250) * 40)) name
    for name in "${PORT_NAMES[@]}"; do
        while port_in_use "$port"; do port=$((port + 1)); done
        PORT_OF[$name]="$port"
        port=$((port + 1))
    done
}

listening_ports() {
    local name
    for name in "${PORT_NAMES[@]}"; do
        if port_in_use "${PORT_OF[$name]}"; then printf '%s(%s) ' "${PORT_OF[$name]}" "$name"; fi
    done
}

# ---------------------------------------------------------------------------
# The commands, as a user runs them: `make <target>` from the project folder, with nothing
# in the environment but HOME, PATH and the settings given here.

make_env() {
    local svc
    printf '%s\n' HOME="$HOME" PATH="$PATH" CI=true \
        SHOP_RUN_DIR="$SMOKE_DIR" SHOP_BIN_DIR="$BIN_DIR" \
        SHOP_PG_PORT="${PORT_OF[postgres]}" SHOP_REDIS_PORT="${PORT_OF[redis]}"
    for svc in "${SHOP_SERVICES[@]}"; do
        printf '%s\n' "$(env_name "$svc")_HTTP_PORT=${PORT_OF[$svc]}"
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
    ensure_packages postgres redis curl python3-venv
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

    log "smoke test passed: make run (Ctrl-C), make stop and make reset leave nothing behind"
}

main "$@"
