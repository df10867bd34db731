#!/usr/bin/env bash
# `make run`: the whole backend on this machine, without Docker.
#
# Installs PostgreSQL, Redis, Prometheus and Alertmanager when missing, runs them
# from .run/dev/ on 127.0.0.1 (Postgres 54329, Redis 63799, Prometheus 9090,
# Alertmanager 9093), builds, then supervises the seven services: their output
# goes to the terminal with a name prefix and to .run/dev/logs/<service>.log; one
# that exits is restarted with exponential backoff; Ctrl-C or SIGTERM stops
# everything, servers included. Prometheus scrapes every running instance: the
# supervisor keeps one target file per service in .run/dev/prometheus/targets/
# (an instance is listed while its process runs, replicas included).
#
# Settings (environment, or `make run NAME=value`):
#   <SERVICE>_HTTP_PORT     port of a service (API_GATEWAY_HTTP_PORT=8080,
#                           AUTH_HTTP_PORT=8081, ... NOTIFICATION_HTTP_PORT=8086)
#   <SERVICE>_GRPC_PORT     gRPC port of the four services that serve the internal API
#                           (AUTH_GRPC_PORT=9081, USER_GRPC_PORT=9082,
#                           PRODUCT_GRPC_PORT=9083, PAYMENT_GRPC_PORT=9085)
#   SHOP_PG_PORT, SHOP_REDIS_PORT   ports of the local servers (54329, 63799)
#   SHOP_PROMETHEUS_PORT, SHOP_ALERTMANAGER_PORT   ports of Prometheus and
#                           Alertmanager (9090, 9093)
#   SHOP_MONITORING=0       no Prometheus and no Alertmanager (make bench sets it)
#   ADMIN_EMAIL, ADMIN_PASSWORD     admin seeded by auth (admin@example.com, and a
#                                   random password generated once into
#                                   .run/dev/secrets.env as SHOP_ADMIN_PASSWORD)
#   SEED_DEMO_CATALOG       product's demo catalog (default here: true)
#   SHOP_READY_TIMEOUT      seconds to wait for every /health/ready (180)
#   SHOP_STOP_GRACE         seconds between SIGTERM and SIGKILL (5)
#   SHOP_BIN_DIR            run the executables from this folder, skip the build
#   SHOP_RUN_DIR            keep data, logs and pid files there instead of .run/dev
#                           (`make stop` and `make reset` with the same setting act on it)
#   SHOP_CONSOLE=0          services' logs go only to their files in the run folder's
#                           logs/, not also (prefixed) to the terminal (make bench uses it)
#   SCALE                   more instances of services, e.g. "order=2 product=2"
#                           (the n-th on the service's ports, HTTP and gRPC, + 100 × (n-1))
#   TLS=1                   the gateway serves HTTPS (TLS 1.2+) with a certificate for
#                           localhost/127.0.0.1 signed by a local authority that is made once
#                           in .run/dev/tls (ca.pem is what a client trusts: curl --cacert)
#   TLS_CERTIFICATE_FILE, TLS_KEY_FILE   the gateway serves HTTPS with these instead
#                           (given to the gateway only)
# Anything else in the environment (LOG_LEVEL, SERVICES_*_URLS,
# SERVICES_*_GRPC_ADDRESSES, GRPC_HOST, BREAKER_*, ...) is passed through to every service
# unchanged.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
shop_init dev

READY_TIMEOUT="${SHOP_READY_TIMEOUT:-180}"
STOP_GRACE="${SHOP_STOP_GRACE:-5}"
BACKOFF_FIRST_MS=1000   # first restart: within 2 s of the exit
BACKOFF_MAX_MS=30000    # doubling up to this while a service keeps crashing
STABLE_MS=30000         # up this long: the next crash starts over at 1 s
TICK=0.2                # supervisor loop period, seconds
EX_CONFIG=78            # a service's "bad configuration" exit code

SUPERVISOR_PIDFILE="$RUN_DIR/supervisor.pid"

declare -A PORT=() GRPC_PORT_OF=() PID=() STARTED_MS=() NEXT_START_MS=() DELAY_MS=() RESTARTS=() PREFIXER=() UNIT_SERVICE=()
UNITS=()
PROBER_PID=""
MONITORING=1            # Prometheus and Alertmanager run (SHOP_MONITORING=0: they do not)
declare -A MONITOR_PID=()   # Prometheus, Alertmanager -> pid (cleared once its exit is reported)
ALL_READY=0
STOPPING=0
SUPERVISING=0

# Supervisor messages: in the terminal like a service's, and in a log file.
say() {
    printf '%-12s | %s\n' supervisor "$*" 2>/dev/null || true
    printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >>"$LOG_DIR/supervisor.log" 2>/dev/null || true
}

refuse_second_supervisor() {
    local pid
    [[ -f "$SUPERVISOR_PIDFILE" ]] || return 0
    pid="$(cat "$SUPERVISOR_PIDFILE")"
    if [[ "$pid" != "$$" ]] && pid_matches "$pid" scripts/run.sh; then
        die "'make run' is already running (pid $pid); stop it with Ctrl-C there or 'make stop'"
    fi
}

build() {
    if [[ -n "${SHOP_BIN_DIR:-}" ]]; then
        BIN_DIR="$(cd "$SHOP_BIN_DIR" && pwd -P)"
        log "using the executables in $BIN_DIR (SHOP_BIN_DIR): no build"
    else
        require_swift
        log "building: swift build"
        cd "$ROOT"
        run_child swift build || die "swift build failed"
        CHILD_PID=""
        BIN_DIR="$(cd "$ROOT" && swift build --show-bin-path)"
    fi
    local svc
    for svc in "${SHOP_SERVICES[@]}"; do
        [[ -x "$BIN_DIR/$svc" ]] || die "executable $BIN_DIR/$svc not found"
    done
}

# A base port from <variable> (or <default> when it is unset): a number from 1 to 65535 that
# leaves room for <count> instances 100 apart.
base_port() {
    local var="$1" default="$2" count="$3" base
    base="${!var:-$default}"
    if ! [[ "$base" =~ ^[0-9]{1,5}$ ]] || ((10#$base == 0 || 10#$base + 100 * (count - 1) > 65535)); then
        die "$var must be a port number (1 to 65535, with room for $count instance(s) 100 apart), not '$base'"
    fi
    printf '%s' "$((10#$base))"
}

# Ports, instances, discovery URLs and database URLs of the services.
#
# SCALE="order=2 product=2" runs more instances of a service: the first on
# the service's port, the n-th on that port + 100 × (n-1), as units named
# order, order@2, ...; all register in the Redis registry (DISCOVERY_BACKEND
# defaults to redis) and SERVICES_<NAME>_URLS lists them all as the fallback.
# The four services with a gRPC port (SHOP_DEFAULT_GRPC_PORT) get it the same way
# (<SERVICE>_GRPC_PORT, + 100 × (n-1) for the n-th), and SERVICES_<NAME>_GRPC_ADDRESSES lists
# every instance's host:port.
configure() {
    local svc var grpc_var count entry i unit urls addresses port
    local -A taken=()
    declare -gA SCALE_OF=()
    local entries=()
    # Unset or empty: one instance of each (set -u must not stop a plain `make run`).
    IFS=', ' read -r -a entries <<<"${SCALE:-}"
    for entry in "${entries[@]}"; do
        svc="${entry%%=*}"
        count="${entry#*=}"
        [[ " ${SHOP_SERVICES[*]} " == *" $svc "* ]] || die "SCALE names an unknown service '$svc' (one of: ${SHOP_SERVICES[*]})"
        [[ "$count" =~ ^[1-9]$ ]] || die "SCALE: $svc=$count must be a count from 1 to 9"
        SCALE_OF[$svc]="$count"
    done
    UNITS=()
    for svc in "${SHOP_SERVICES[@]}"; do
        count="${SCALE_OF[$svc]:-1}"
        var="$(env_name "$svc")_HTTP_PORT"
        local base grpc_base=""
        base="$(base_port "$var" "${SHOP_DEFAULT_PORT[$svc]}" "$count")"
        grpc_var="$(env_name "$svc")_GRPC_PORT"
        if [[ -n "${SHOP_DEFAULT_GRPC_PORT[$svc]:-}" ]]; then
            grpc_base="$(base_port "$grpc_var" "${SHOP_DEFAULT_GRPC_PORT[$svc]}" "$count")"
        fi
        urls=()
        addresses=()
        for ((i = 1; i <= count; i++)); do
            unit="$svc"
            ((i == 1)) || unit="$svc@$i"
            UNITS+=("$unit")
            UNIT_SERVICE[$unit]="$svc"
            PORT[$unit]=$((base + 100 * (i - 1)))
            port="${PORT[$unit]}"
            [[ -z "${taken[$port]:-}" ]] || die "port $port is given to both ${taken[$port]} and $unit ($var); set one of them to another port"
            taken[$port]="$unit ($var)"
            if port_in_use "$port"; then
                die "port $port ($unit) is already in use; stop whatever listens there ('make stop' ends leftovers of an earlier run) or set $var"
            fi
            urls+=("http://127.0.0.1:$port")
            [[ -n "$grpc_base" ]] || continue
            GRPC_PORT_OF[$unit]=$((grpc_base + 100 * (i - 1)))
            port="${GRPC_PORT_OF[$unit]}"
            [[ -z "${taken[$port]:-}" ]] || die "port $port is given to both ${taken[$port]} and $unit gRPC ($grpc_var); set one of them to another port"
            taken[$port]="$unit gRPC ($grpc_var)"
            if port_in_use "$port"; then
                die "port $port ($unit gRPC) is already in use; stop whatever listens there ('make stop' ends leftovers of an earlier run) or set $grpc_var"
            fi
            addresses+=("127.0.0.1:$port")
        done
        # Every service that calls another finds it here, unless the caller gave its own.
        if [[ "$svc" != api-gateway ]]; then
            var="SERVICES_$(env_name "$svc")_URLS"
            local IFS=,
            export "$var=${!var:-${urls[*]}}"
            unset IFS
        fi
        # The same for the gRPC endpoints of the four services that serve them.
        if ((${#addresses[@]})); then
            var="SERVICES_$(env_name "$svc")_GRPC_ADDRESSES"
            local IFS=,
            export "$var=${!var:-${addresses[*]}}"
            unset IFS
        fi
    done
    configure_gateway_tls
    case "${SHOP_MONITORING:-1}" in
    1 | true | yes) MONITORING=1 ;;
    0 | false | no) MONITORING=0 ;;
    *) die "SHOP_MONITORING must be 1 or 0, not '$SHOP_MONITORING'" ;;
    esac
    export DISCOVERY_BACKEND="${DISCOVERY_BACKEND:-redis}"
    REDIS_URL_DEV="redis://127.0.0.1:$REDIS_PORT"
    ADMIN_EMAIL="${ADMIN_EMAIL:-admin@example.com}"
    # Services drain for this long on SIGTERM; keep it under our grace.
    export SHUTDOWN_TIMEOUT_SECONDS="${SHUTDOWN_TIMEOUT_SECONDS:-$((STOP_GRACE > 1 ? STOP_GRACE - 1 : 1))}"
}

# HTTPS on the gateway: TLS_CERTIFICATE_FILE/TLS_KEY_FILE as given, or with TLS=1 a local
# certificate (made once in $RUN_DIR/tls). Only the gateway gets them: every other service
# keeps plain HTTP on loopback. Sets GATEWAY_SCHEME and, for the probe and the banner, GATEWAY_CA.
configure_gateway_tls() {
    GATEWAY_SCHEME=http GATEWAY_CA="" GATEWAY_CERT="${TLS_CERTIFICATE_FILE:-}" GATEWAY_KEY="${TLS_KEY_FILE:-}"
    unset TLS_CERTIFICATE_FILE TLS_KEY_FILE
    case "${TLS:-0}" in
    1 | true | yes)
        if [[ -z "$GATEWAY_CERT$GATEWAY_KEY" ]]; then
            tls_ensure_certificates
            GATEWAY_CERT="$TLS_DIR/server.pem" GATEWAY_KEY="$TLS_DIR/server-key.pem" GATEWAY_CA="$TLS_DIR/ca.pem"
        fi
        ;;
    0 | false | no | "") ;;
    *) die "TLS must be 1 or 0, not '$TLS'" ;;
    esac
    if [[ -n "$GATEWAY_CERT$GATEWAY_KEY" ]]; then
        [[ -n "$GATEWAY_CERT" && -n "$GATEWAY_KEY" ]] || die "TLS_CERTIFICATE_FILE and TLS_KEY_FILE go together: set both or neither"
        GATEWAY_SCHEME=https
    fi
}

# curl's options to reach a unit over its scheme (a certificate the run did not make is
# not checked: the probe only asks whether our own child on loopback is up).
probe_tls_options() {
    if [[ "${UNIT_SERVICE[$1]}" != api-gateway || "$GATEWAY_SCHEME" != https ]]; then
        return 0
    elif [[ -n "$GATEWAY_CA" ]]; then
        printf '%s\n' --cacert "$GATEWAY_CA"
    else
        printf '%s\n' --insecure
    fi
}

# The URL of a unit's port.
unit_url() {
    local scheme=http
    [[ "${UNIT_SERVICE[$1]}" != api-gateway ]] || scheme="$GATEWAY_SCHEME"
    printf '%s://127.0.0.1:%s' "$scheme" "${PORT[$1]}"
}

# clientId:secret for every service and the gateway, as auth's AUTH_SERVICE_CLIENTS.
service_clients() {
    local svc var list=()
    for svc in "${SHOP_DB_SERVICES[@]}" api-gateway; do
        var="SHOP_$(env_name "$svc")_CLIENT_SECRET"
        list+=("$svc:${!var}")
    done
    local IFS=,
    printf '%s' "${list[*]}"
}

start_service() {
    local unit="$1" out label
    local svc="${UNIT_SERVICE[$unit]}"
    printf -v label '%-12s' "$unit"
    if [[ "${SHOP_CONSOLE:-1}" == 0 ]]; then
        # No copy on the terminal: the service appends to its log file itself.
        exec {out}>>"$LOG_DIR/$unit.log"
    else
        # The prefixer: raw lines to the log file, prefixed lines to the
        # terminal. It ignores Ctrl-C so that it outlives the service's last
        # words, and ends by itself when the service closes its output.
        exec {out}> >(
            trap '' INT TERM HUP
            tee -a "$LOG_DIR/$unit.log" | sed -u "s/^/$label | /"
        )
        PREFIXER[$unit]=$!
    fi
    # setsid: the service leads a process group of its own, out of reach of
    # the terminal's Ctrl-C; the supervisor signals that group itself.
    (
        export HTTP_PORT="${PORT[$unit]}" REDIS_URL="$REDIS_URL_DEV"
        # gRPC only for the four that serve it (GRPC_HOST, when given, passes through).
        if [[ -n "${GRPC_PORT_OF[$unit]:-}" ]]; then
            export GRPC_PORT="${GRPC_PORT_OF[$unit]}"
        else
            unset GRPC_PORT
        fi
        if [[ "$svc" == api-gateway ]]; then
            unset DATABASE_URL # owns no database
            if [[ "$GATEWAY_SCHEME" == https ]]; then
                export TLS_CERTIFICATE_FILE="$GATEWAY_CERT" TLS_KEY_FILE="$GATEWAY_KEY"
            fi
        else
            DATABASE_URL="$(database_url "$(db_name "$svc")")"
            export DATABASE_URL
        fi
        # Every service has client credentials; the gateway's token vouches to the
        # services for the client address it derived (X-Client-Address).
        secret_var="SHOP_$(env_name "$svc")_CLIENT_SECRET"
        export SERVICE_CLIENT_SECRET="${!secret_var}"
        case "$svc" in
        auth)
            export ADMIN_EMAIL ADMIN_PASSWORD
            AUTH_SERVICE_CLIENTS="$(service_clients)"
            export AUTH_SERVICE_CLIENTS
            ;;
        user) export USER_PII_KEYS="${USER_PII_KEYS:-local-1:$SHOP_USER_PII_KEY}" ;;
        payment) export PAYMENT_CARD_KEYS="${PAYMENT_CARD_KEYS:-local-1:$SHOP_PAYMENT_CARD_KEY}" ;;
        notification) export NOTIFICATION_WEBHOOK_KEYS="${NOTIFICATION_WEBHOOK_KEYS:-local-1:$SHOP_NOTIFICATION_WEBHOOK_KEY}" ;;
        product) export SEED_DEMO_CATALOG="${SEED_DEMO_CATALOG:-true}" ;;
        esac
        exec setsid "$BIN_DIR/$svc"
    ) </dev/null >&"$out" 2>&1 {out}>&- &
    PID[$unit]=$!
    exec {out}>&-
    STARTED_MS[$unit]="$(now_ms)"
    printf '%s\n' "${PID[$unit]}" >"$PID_DIR/$unit.pid"
    update_targets "$svc"
}

# Rewrites the Prometheus target list of <service>: its instances whose process runs (one
# being restarted is not listed, so it leaves `up` instead of counting as down meanwhile).
update_targets() {
    ((MONITORING)) || return 0
    local svc="$1" unit targets=()
    for unit in "${UNITS[@]}"; do
        [[ "${UNIT_SERVICE[$unit]}" == "$svc" && -n "${PID[$unit]:-}" ]] && targets+=("127.0.0.1:${PORT[$unit]}")
    done
    prometheus_write_targets "$svc" "${targets[@]}"
}

# Prometheus and Alertmanager, after Postgres and Redis: Prometheus's configuration and the
# repository's rules are checked first (a broken rule file stops make run before either
# starts), then Alertmanager, then Prometheus, which sends it alerts.
start_monitoring() {
    if ((!MONITORING)); then
        log "SHOP_MONITORING=0: no Prometheus, no Alertmanager"
        return 0
    fi
    prometheus_prepare "$GATEWAY_SCHEME" "$GATEWAY_CA"
    alertmanager_start
    MONITOR_PID[Alertmanager]="$LAUNCHED_PID"
    prometheus_start
    MONITOR_PID[Prometheus]="$LAUNCHED_PID"
}

# Reports, once, a Prometheus or Alertmanager that exited while the services run on (they are
# not restarted: what they lose is history, and the next make run starts them again).
# kill -0 is a builtin: this runs at every tick of the supervisor.
check_monitoring() {
    local name
    for name in "${!MONITOR_PID[@]}"; do
        [[ -n "${MONITOR_PID[$name]}" ]] || continue
        kill -0 "${MONITOR_PID[$name]}" 2>/dev/null && continue
        MONITOR_PID[$name]=""
        say "warning: $name exited; the services run on without it (log: $LOG_DIR/${name,,}.log; the next make run starts it again)"
    done
}

# Called for a service whose process is gone: log it, schedule its restart.
reap_service() {
    local svc="$1" pid="${PID[$1]}" status=0 now up_ms delay how
    wait "$pid" 2>/dev/null || status=$?
    # Whatever the service started in its group dies with it.
    kill -KILL -- "-$pid" 2>/dev/null || true
    PID[$svc]=""
    rm -f "$PID_DIR/$svc.pid"
    update_targets "${UNIT_SERVICE[$svc]}"
    ((STOPPING)) && return 0
    now="$(now_ms)"
    up_ms=$((now - STARTED_MS[$svc]))
    if ((up_ms >= STABLE_MS)); then DELAY_MS[$svc]=$BACKOFF_FIRST_MS; fi
    delay="${DELAY_MS[$svc]}"
    NEXT_START_MS[$svc]=$((now + delay))
    DELAY_MS[$svc]=$((delay * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : delay * 2))
    RESTARTS[$svc]=$((RESTARTS[$svc] + 1))
    if ((status > 128)); then how="was killed by signal $((status - 128))"; else how="exited with status $status"; fi
    say "$svc (pid $pid) $how after $((up_ms / 1000)).$(((up_ms % 1000) / 100)) s; restart #${RESTARTS[$svc]} in $((delay / 1000)).$(((delay % 1000) / 100)) s (log: $LOG_DIR/$svc.log)"
    if ((status == EX_CONFIG && !ALL_READY)); then
        say "error: $svc rejected its configuration (exit $EX_CONFIG); see the first lines of $LOG_DIR/$svc.log"
        shutdown 1
    fi
}

# The gRPC endpoint of a unit (host:port), or nothing for a unit that serves no gRPC.
unit_grpc_address() {
    [[ -z "${GRPC_PORT_OF[$1]:-}" ]] || printf '127.0.0.1:%s' "${GRPC_PORT_OF[$1]}"
}

# Polls every service's /health/ready until all answer 200 (and, for the four that serve
# gRPC, their gRPC port accepts connections), in the background so the supervisor keeps
# restarting and handling signals.
probe_ready() {
    trap - INT TERM HUP
    local deadline pending=("${UNITS[@]}") still svc url tls_options grpc
    local -A http_ready=()
    deadline=$(($(now_ms) + READY_TIMEOUT * 1000))
    while ((${#pending[@]})); do
        still=()
        for svc in "${pending[@]}"; do
            url="$(unit_url "$svc")/health/ready"
            grpc="$(unit_grpc_address "$svc")"
            mapfile -t tls_options < <(probe_tls_options "$svc")
            if [[ -n "${http_ready[$svc]:-}" ]] || curl -fsS -o /dev/null --connect-timeout 1 --max-time 3 "${tls_options[@]}" "$url" 2>/dev/null; then
                http_ready[$svc]=1
                if [[ -z "$grpc" ]]; then
                    say "$svc is ready ($url)"
                elif port_in_use "${GRPC_PORT_OF[$svc]}"; then
                    say "$svc is ready ($url, gRPC $grpc)"
                else
                    still+=("$svc")
                fi
            else
                still+=("$svc")
            fi
        done
        pending=("${still[@]}")
        ((${#pending[@]})) || break
        if (($(now_ms) > deadline)); then
            for svc in "${pending[@]}"; do
                if [[ -n "${http_ready[$svc]:-}" ]]; then
                    say "error: $svc answered on $(unit_url "$svc")/health/ready but nothing accepted connections on its gRPC port $(unit_grpc_address "$svc") within ${READY_TIMEOUT} s; see $LOG_DIR/$svc.log"
                else
                    say "error: $svc did not answer 200 on GET $(unit_url "$svc")/health/ready within ${READY_TIMEOUT} s; see $LOG_DIR/$svc.log"
                fi
            done
            exit 1
        fi
        sleep 0.5
    done
    exit 0
}

# " auth 127.0.0.1:9081, ..., product 127.0.0.1:9083 127.0.0.1:9183, ...": every unit's gRPC
# endpoint, by service.
grpc_listing() {
    local svc unit text="" sep=""
    for svc in "${SHOP_GRPC_SERVICES[@]}"; do
        text+="$sep $svc"
        for unit in "${UNITS[@]}"; do
            if [[ "${UNIT_SERVICE[$unit]}" == "$svc" ]]; then text+=" $(unit_grpc_address "$unit")"; fi
        done
        sep=","
    done
    printf '%s' "$text"
}

banner() {
    local gw="${PORT[api-gateway]}" curl_cmd="curl -s" base
    base="localhost:$gw"
    if [[ "$GATEWAY_SCHEME" == https ]]; then
        base="https://localhost:$gw"
        # The local authority signed the certificate; a certificate of your own needs its own CA.
        if [[ -n "$GATEWAY_CA" ]]; then curl_cmd="curl -s --cacert $GATEWAY_CA"; else curl_cmd="curl -s --cacert <your CA file>"; fi
    fi
    local monitoring="Monitoring: off (SHOP_MONITORING=0)"
    if ((MONITORING)); then
        # Debian's Alertmanager has no web UI: amtool (same package) lists what fires.
        monitoring="Prometheus: http://127.0.0.1:$PROM_PORT (targets, alerts, queries)
  Alertmanager: http://127.0.0.1:$AM_PORT (amtool alert query --alertmanager.url=http://127.0.0.1:$AM_PORT)"
    fi
    cat <<EOF
$(say "all ${#UNITS[@]} service instances are ready")

  swift-shop is running.   Gateway: $GATEWAY_SCHEME://127.0.0.1:$gw
  Internal gRPC (plaintext, service tokens only):$(grpc_listing)
  Admin (seeded by auth at its first start): $ADMIN_EMAIL / $ADMIN_PASSWORD
    (the password is generated once and kept in $SECRETS_FILE as SHOP_ADMIN_PASSWORD
    unless ADMIN_PASSWORD is set; an admin seeded by an earlier run keeps its password)
  Try:
    $curl_cmd $base/v1/status
    $curl_cmd $base/v1/products
  Logs: $LOG_DIR/<service>.log    Database passwords: $SECRETS_FILE
    make logs: all of them, readable; make logs ID=<request or trace id>: one request, every service
  $monitoring
  Stop: Ctrl-C (or 'make stop' from another terminal)

EOF
}

stop_services() {
    local svc pid deadline left
    for svc in "${UNITS[@]}"; do
        pid="${PID[$svc]:-}"
        [[ -n "$pid" ]] || continue
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    done
    deadline=$(($(now_ms) + STOP_GRACE * 1000))
    while :; do
        left=0
        for svc in "${UNITS[@]}"; do
            pid="${PID[$svc]:-}"
            [[ -n "$pid" ]] || continue
            if kill -0 "$pid" 2>/dev/null; then left=1; else reap_service "$svc"; fi
        done
        ((left)) || break
        if (($(now_ms) >= deadline)); then
            for svc in "${UNITS[@]}"; do
                pid="${PID[$svc]:-}"
                [[ -n "$pid" ]] || continue
                say "$svc (pid $pid) did not stop within $STOP_GRACE s of SIGTERM; sending SIGKILL"
                kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
                wait_gone "$pid" 1 || true
                reap_service "$svc"
            done
            break
        fi
        sleep 0.1
    done
    # Let the prefixers print the services' last lines (they end at EOF).
    for svc in "${!PREFIXER[@]}"; do
        wait_gone "${PREFIXER[$svc]}" 1 || kill -TERM "${PREFIXER[$svc]}" 2>/dev/null || true
    done
}

# Stops everything this run started, in order; exits with <code>.
shutdown() {
    local code="$1"
    trap '' INT TERM HUP
    # Stopping must finish even when the terminal side is gone (`make run | tee` after
    # Ctrl-C): a failed write is not a reason to leave servers behind.
    set +e
    ((STOPPING)) && exit "$code"
    STOPPING=1
    [[ -z "$PROBER_PID" ]] || kill -TERM "$PROBER_PID" 2>/dev/null || true
    end_child
    if ((SUPERVISING)); then
        say "stopping services"
        stop_services
    fi
    infra_stop
    rm -f "$SUPERVISOR_PIDFILE"
    ((SUPERVISING)) && say "stopped"
    exit "$code"
}

on_signal() {
    printf '\n' >&2 2>/dev/null
    log "got SIG$1: stopping" 2>/dev/null
    shutdown 0
}

supervise() {
    local svc now status
    SUPERVISING=1
    for svc in "${UNITS[@]}"; do
        DELAY_MS[$svc]=$BACKOFF_FIRST_MS
        RESTARTS[$svc]=0
        NEXT_START_MS[$svc]=0
        PID[$svc]=""
    done
    for svc in "${UNITS[@]}"; do start_service "$svc"; done
    say "started ${#UNITS[@]} service instances; waiting up to $READY_TIMEOUT s for /health/ready"
    probe_ready &
    PROBER_PID=$!
    while :; do
        now="$(now_ms)"
        for svc in "${UNITS[@]}"; do
            if [[ -n "${PID[$svc]}" ]] && ! kill -0 "${PID[$svc]}" 2>/dev/null; then
                reap_service "$svc"
            fi
            if [[ -z "${PID[$svc]}" ]] && ((now >= NEXT_START_MS[$svc])); then
                start_service "$svc"
                say "restarted $svc (pid ${PID[$svc]})"
            fi
        done
        check_monitoring
        if [[ -n "$PROBER_PID" ]] && ! kill -0 "$PROBER_PID" 2>/dev/null; then
            status=0
            wait "$PROBER_PID" || status=$?
            PROBER_PID=""
            if ((status == 0)); then
                ALL_READY=1
                banner
            else
                say "error: not every service became ready; stopping (logs: $LOG_DIR/)"
                shutdown 1
            fi
        fi
        # A waited-for background sleep: a signal interrupts `wait` at once.
        # (Its stderr is where bash would report a service killed by a
        # signal, with the source of start_service; reap_service says it.)
        sleep "$TICK" &
        wait $! 2>/dev/null || true
    done
}

main() {
    make_run_dir
    mkdir -p "$LOG_DIR" "$PID_DIR"
    refuse_second_supervisor
    printf '%s\n' "$$" >"$SUPERVISOR_PIDFILE"
    # `make run | tee log`: Ctrl-C also ends tee, and a write to the dead pipe must not
    # kill the supervisor before it has stopped the services (or a service mid-log).
    trap '' PIPE
    trap 'on_signal INT' INT
    trap 'on_signal TERM' TERM
    trap 'on_signal HUP' HUP
    trap 'shutdown $?' EXIT
    # Services of an earlier run whose supervisor died (kill -9, say).
    stop_leftover_services
    configure
    if ((MONITORING)); then ensure_packages postgres redis curl prometheus alertmanager; else ensure_packages postgres redis curl; fi
    # shellcheck disable=SC2046 # one word per database name
    infra_up $(service_db_names)
    start_monitoring
    # auth has no default admin password: this run's is generated once with the other
    # secrets (kept until `make reset`), unless ADMIN_PASSWORD is given.
    ADMIN_PASSWORD="${ADMIN_PASSWORD:-$SHOP_ADMIN_PASSWORD}"
    build
    supervise
}

main "$@"
