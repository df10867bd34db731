#!/usr/bin/env bash
# `make test`: a fresh PostgreSQL and Redis under .run/test/ (wiped at every
# start), the docker-compose.yml and Kubernetes checks, then `swift build --build-tests`
# and `swift test` against those servers, then scripts/smoke.sh: `make run` on free
# ports with the executables just built (Ctrl-C, `make stop`, `make reset` leave
# nothing behind) and schemathesis against that stack, then bench/run.sh --smoke (`make bench`
# in seconds, on free ports, so that it never rots). Everything started here is
# stopped on exit, whatever the outcome; the exit code is non-zero when any step failed.
#
# Ports: Postgres 54339 and Redis 63809 (SHOP_TEST_PG_PORT,
# SHOP_TEST_REDIS_PORT), or the next free ones when those are taken.
#
# Exported for the tests:
#   REDIS_TEST_URL, SHOP_REDIS_URL   redis://127.0.0.1:<port>
#   PG_TEST_URL                      postgres://servicekit_test:<pw>@127.0.0.1:<port>/servicekit_test
#   <SERVICE>_DATABASE_URL           AUTH_, USER_, PRODUCT_, ORDER_, PAYMENT_,
#                                    NOTIFICATION_DATABASE_URL (role/db shop_<service>)
#   SHOP_BIN_DIR                     absolute folder of the built executables
#   SHOP_TEST_LOG_DIR                .run/test/logs, for logs a test wants to keep
#   SHOP_REDIS_CONF                  the Redis configuration, to restart it from a test
# and for the tests of encryption in transit (Postgres and Redis offer TLS beside plain TCP,
# with a certificate authority made for the run in .run/test/tls):
#   SHOP_TLS_CA_FILE                 the authority that signed the servers' certificate
#   SHOP_TLS_OTHER_CA_FILE           an unrelated authority (a client using it must refuse)
#   SHOP_TLS_CERT_FILE, SHOP_TLS_KEY_FILE   that certificate (localhost, 127.0.0.1, ::1) and its key
#   REDIS_TLS_TEST_URL               rediss://127.0.0.1:<TLS port> (SHOP_TEST_REDIS_TLS_PORT,
#                                    default the Redis port + 100, or the next free one)
#   TLS_DATABASE_URL                 postgres://shop_tls:<pw>@127.0.0.1:<port>/shop_tls, the
#                                    database of the TLS suite's own auth
# Extra arguments go to `swift test` (make test ARGS='--filter Foo'; such a filtered run
# skips the smoke test unless SHOP_SMOKE=1, and the bench's smoke mode unless SHOP_SMOKE=1 or
# SHOP_BENCH=1); SHOP_SKIP_LINT=1 skips the formatting check, SHOP_SKIP_SMOKE=1 the smoke test
# and SHOP_SKIP_BENCH=1 the bench's smoke mode while iterating locally (ignored when CI=true).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
shop_init test

# shellcheck disable=SC2317 # reached through the EXIT trap
cleanup() {
    local status=$?
    trap '' INT TERM HUP
    # Executables that the integration tests started and left behind are in
    # the test run's process group.
    end_child
    infra_stop
    # Nothing is left behind when the run passed; a failed run keeps its logs to read.
    if ((status == 0)); then
        wipe_mode
    else
        log "logs of this run are in $LOG_DIR"
    fi
    exit "$status"
}

# The first port from <port> on that nobody listens on.
free_port() {
    local port="$1" last=$(($1 + 50))
    while port_in_use "$port"; do
        ((port < last)) || die "no free port in $1..$last"
        port=$((port + 1))
    done
    printf '%s' "$port"
}

main() {
    # A clean slate: whatever an earlier, interrupted run left (its smoke stack too), then its data.
    if [[ -d "$RUN_DIR/smoke" ]]; then
        SHOP_RUN_DIR="$RUN_DIR/smoke" bash "$ROOT/scripts/stop.sh" || true
    fi
    if [[ -d "$RUN_DIR/bench" ]]; then
        SHOP_RUN_DIR="$RUN_DIR/bench" bash "$ROOT/scripts/reset.sh" || true
    fi
    stop_mode
    wipe_mode
    make_run_dir
    mkdir -p "$LOG_DIR"
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP

    ensure_packages postgres redis curl docker-compose
    require_swift
    PG_PORT="$(free_port "$PG_PORT")"
    REDIS_PORT="$(free_port "$REDIS_PORT")"
    REDIS_TLS_PORT="$(free_port "${SHOP_TEST_REDIS_TLS_PORT:-$((REDIS_PORT + 100))}")"
    INFRA_TLS=1
    # shellcheck disable=SC2046 # one word per database name
    infra_up $(service_db_names) servicekit_test shop_tls

    compose_check
    k8s_check
    bash "$ROOT/scripts/monitoring-check.sh" || die "deploy/monitoring has problems (scripts/monitoring-check.sh)"

    cd "$ROOT"
    if [[ "${SHOP_SKIP_LINT:-}" == 1 ]]; then
        log "SHOP_SKIP_LINT=1: not checking formatting (never in CI)"
    else
        log "checking formatting: swift format lint --strict"
        # Sources/InternalAPI is protoc's output, checked against proto/ below instead.
        swift format lint --strict --recursive Sources/Contracts Sources/ServiceKit Services Tests Package.swift || die "swift format lint failed: run 'make fmt'"
    fi

    cd "$ROOT"
    log "building: swift build --build-tests"
    run_child swift build --build-tests || die "swift build --build-tests failed"
    CHILD_PID=""
    # The committed gRPC code must be what proto/ gives (the plugins build in this .build).
    run_child bash "$ROOT/scripts/generate.sh" --check || die "Sources/InternalAPI does not match proto/: run 'make generate' and commit"
    CHILD_PID=""

    local svc status=0
    SHOP_BIN_DIR="$(swift build --show-bin-path)"
    export SHOP_BIN_DIR
    export REDIS_TEST_URL="redis://127.0.0.1:$REDIS_PORT"
    export SHOP_REDIS_URL="$REDIS_TEST_URL"
    PG_TEST_URL="$(database_url servicekit_test)"
    export PG_TEST_URL
    for svc in "${SHOP_DB_SERVICES[@]}"; do
        export "$(env_name "$svc")_DATABASE_URL=$(database_url "$(db_name "$svc")")"
    done
    export SHOP_TEST_LOG_DIR="$LOG_DIR"
    # A test may restart Redis: `redis-cli -p <port> shutdown` then `redis-server <this file>`
    # (it daemonizes into the same pid file, so the clean-up below still stops it).
    export SHOP_REDIS_CONF="$REDIS_DIR/redis.conf"
    export SHOP_TLS_CA_FILE="$TLS_DIR/ca.pem" SHOP_TLS_OTHER_CA_FILE="$TLS_DIR/other-ca.pem"
    export SHOP_TLS_CERT_FILE="$TLS_DIR/server.pem" SHOP_TLS_KEY_FILE="$TLS_DIR/server-key.pem"
    export REDIS_TLS_TEST_URL="rediss://127.0.0.1:$REDIS_TLS_PORT"
    TLS_DATABASE_URL="$(database_url shop_tls)"
    export TLS_DATABASE_URL

    log "testing: swift test $* (Postgres 127.0.0.1:$PG_PORT, Redis 127.0.0.1:$REDIS_PORT, Redis TLS 127.0.0.1:$REDIS_TLS_PORT)"
    run_child swift test --skip-build "$@" || status=$?
    CHILD_PID=""
    log "swift test exited with status $status"

    # The smoke test of make run / stop / reset, with the contract fuzzing, on the executables
    # just built: always in CI and in a plain `make test`, skipped by a filtered run
    # (ARGS='--filter ...') unless SHOP_SMOKE=1, or by SHOP_SKIP_SMOKE=1 (never in CI).
    local smoke=1 smoke_status=0
    if [[ "${CI:-}" != true ]]; then
        if [[ "${SHOP_SKIP_SMOKE:-}" == 1 ]]; then
            smoke=0
            log "SHOP_SKIP_SMOKE=1: no smoke test of make run, no contract fuzzing (never in CI)"
        elif (($#)) && [[ "${SHOP_SMOKE:-}" != 1 ]]; then
            smoke=0
            log "a filtered run: no smoke test of make run, no contract fuzzing (SHOP_SMOKE=1 runs them)"
        fi
    fi
    if ((smoke)); then
        log "smoke test: make run, Ctrl-C, make stop, make reset, and contract fuzzing (scripts/smoke.sh)"
        SHOP_SMOKE_DIR="$RUN_DIR/smoke" bash "$ROOT/scripts/smoke.sh" </dev/null || smoke_status=$?
        log "smoke test exited with status $smoke_status"
    fi

    # make bench in seconds (bench/run.sh --smoke) on the executables just built, on free ports
    # and in .run/test/bench: the same switches as the smoke test, plus SHOP_BENCH=1 (run it in a
    # filtered run) and SHOP_SKIP_BENCH=1 (skip it; never in CI).
    local bench=1 bench_status=0
    if [[ "${CI:-}" != true ]]; then
        if [[ "${SHOP_SKIP_BENCH:-}" == 1 ]]; then
            bench=0
            log "SHOP_SKIP_BENCH=1: no smoke run of make bench (never in CI)"
        elif (($#)) && [[ "${SHOP_SMOKE:-}" != 1 && "${SHOP_BENCH:-}" != 1 ]]; then
            bench=0
            log "a filtered run: no smoke run of make bench (SHOP_BENCH=1 runs it)"
        fi
    fi
    if ((bench)); then
        log "make bench in seconds: bench/run.sh --smoke"
        BENCH_RUN_DIR="$RUN_DIR/bench" bash "$ROOT/bench/run.sh" --smoke </dev/null || bench_status=$?
        log "bench/run.sh --smoke exited with status $bench_status"
    fi
    ((status != 0)) || status="$smoke_status"
    ((status != 0)) || status="$bench_status"
    exit "$status"
}

main "$@"
