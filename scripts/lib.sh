# shellcheck shell=bash
# Shared helpers for scripts/*.sh: logging, package installation, and the
# project-local PostgreSQL and Redis that `make run` and `make test` use.
#
# Sourced, never executed. The caller sets `set -euo pipefail` and calls
# `shop_init <mode>` (mode is `dev` or `test`) before anything else.
#
# Naming scheme (one database and one login role per service, same name):
#   shop_auth, shop_user, shop_product, shop_order, shop_payment,
#   shop_notification; plus servicekit_test in test mode.
# The `shop_` prefix keeps clear of SQL reserved words (`user`, `order`).
# Passwords are random, generated once per .run/<mode>/ and kept in
# .run/<mode>/secrets.env (mode 600) as SHOP_<NAME>_DB_PASSWORD=...

# The seven executables and their default HTTP ports (docs/configuration.md).
# shellcheck disable=SC2034 # used by the scripts that source this file
SHOP_SERVICES=(api-gateway auth user product order payment notification)
# shellcheck disable=SC2034
declare -A SHOP_DEFAULT_PORT=(
    [api-gateway]=8080 [auth]=8081 [user]=8082 [product]=8083
    [order]=8084 [payment]=8085 [notification]=8086
)
# The four services that serve gRPC (plaintext HTTP/2, the internal API) beside their HTTP
# port, and its default; api-gateway, order and notification serve none (nobody calls them).
# shellcheck disable=SC2034
SHOP_GRPC_SERVICES=(auth user product payment)
# shellcheck disable=SC2034
declare -A SHOP_DEFAULT_GRPC_PORT=(
    [auth]=9081 [user]=9082 [product]=9083 [payment]=9085
)
# The services that own a database (the gateway owns nothing durable).
SHOP_DB_SERVICES=(auth user product order payment notification)

# Swift's hasher must be deterministic for reproducible builds and tests.
export SWIFT_DETERMINISTIC_HASHING="${SWIFT_DETERMINISTIC_HASHING:-1}"
export DEBIAN_FRONTEND=noninteractive

log() { printf '%s\n' "==> $*" >&2; }
warn() { printf '%s\n' "warning: $*" >&2; }
die() {
    printf '%s\n' "error: $*" >&2
    exit 1
}

# Upper-case a name and turn '-' into '_' (api-gateway -> API_GATEWAY).
env_name() {
    local n="${1^^}"
    printf '%s' "${n//-/_}"
}

# Database and role name of a service.
db_name() { printf 'shop_%s' "$1"; }

# Milliseconds since the epoch (bash's clock: no `date` process).
now_ms() {
    local t="${EPOCHREALTIME//[!0-9]/}" # drops the locale's decimal separator
    printf '%s' "$((10#$t / 1000))"
}

# True when something accepts TCP connections on 127.0.0.1:<port>.
port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# True when <pid> is alive and its command line mentions <pattern>; guards
# every kill by pid file against a pid that was reused by something else.
pid_matches() {
    local pid="$1" pattern="$2" cmdline
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    [[ -r "/proc/$pid/cmdline" ]] || return 1
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
    [[ "$cmdline" == *"$pattern"* ]]
}

# Waits up to <seconds> for <pid> to disappear.
wait_gone() {
    local pid="$1" deadline
    deadline=$(($(now_ms) + $2 * 1000))
    while kill -0 "$pid" 2>/dev/null; do
        (($(now_ms) < deadline)) || return 1
        sleep 0.1
    done
}

# ---------------------------------------------------------------------------
# Set-up of paths and ports for a mode.

shop_init() {
    SHOP_MODE="$1"
    ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
    RUN_DIR="$ROOT/.run/$SHOP_MODE"
    # SHOP_RUN_DIR moves the `make run` stack (dev mode) elsewhere: a second stack beside a
    # developer's own .run/dev, such as the smoke test's. `make test`'s own folder never moves.
    if [[ "$SHOP_MODE" == dev && -n "${SHOP_RUN_DIR:-}" ]]; then
        RUN_DIR="$SHOP_RUN_DIR"
        [[ "$RUN_DIR" == /* ]] || RUN_DIR="$PWD/$RUN_DIR"
        RUN_DIR="${RUN_DIR%/}"
        [[ -n "$RUN_DIR" ]] || die "SHOP_RUN_DIR must name a folder, not '$SHOP_RUN_DIR'"
    fi
    LOG_DIR="$RUN_DIR/logs"
    PID_DIR="$RUN_DIR/pids"
    SECRETS_FILE="$RUN_DIR/secrets.env"
    REDIS_DIR="$RUN_DIR/redis"
    # make run's Prometheus and Alertmanager (test mode starts neither; stopping looks anyway).
    PROM_DIR="$RUN_DIR/prometheus"
    AM_DIR="$RUN_DIR/alertmanager"
    PROM_PORT="${SHOP_PROMETHEUS_PORT:-9090}"
    AM_PORT="${SHOP_ALERTMANAGER_PORT:-9093}"
    # Ports of the project-local servers; far from the defaults so that a
    # system-wide Postgres or Redis (5432/6379) is never touched.
    if [[ "$SHOP_MODE" == test ]]; then
        PG_PORT_VAR=SHOP_TEST_PG_PORT REDIS_PORT_VAR=SHOP_TEST_REDIS_PORT
        PG_PORT="${SHOP_TEST_PG_PORT:-54339}"
        REDIS_PORT="${SHOP_TEST_REDIS_PORT:-63809}"
    else
        PG_PORT_VAR=SHOP_PG_PORT REDIS_PORT_VAR=SHOP_REDIS_PORT
        PG_PORT="${SHOP_PG_PORT:-54329}"
        REDIS_PORT="${SHOP_REDIS_PORT:-63799}"
    fi
    # initdb and pg_ctl refuse to run as root: as root, run them as the
    # `postgres` OS user; as anyone else, run them as that user.
    if ((EUID == 0)); then PG_OS_USER=postgres; else PG_OS_USER="$(id -un)"; fi
}

# ---------------------------------------------------------------------------
# Packages.

# Directory of the PostgreSQL (15 or newer) server binaries, or nothing.
find_pg_bin() {
    local d v best="" best_v=0
    if [[ -n "${SHOP_PG_BIN:-}" ]]; then
        printf '%s' "$SHOP_PG_BIN"
        return
    fi
    for d in /usr/lib/postgresql/*/bin; do
        [[ -x "$d/initdb" && -x "$d/pg_ctl" ]] || continue
        v="${d#/usr/lib/postgresql/}"
        v="${v%%/*}"
        [[ "$v" =~ ^[0-9]+$ ]] || continue
        # Prefer 15, the version the project targets, then the newest.
        if ((v == 15)); then
            best="$d"
            break
        fi
        if ((v > 15 && v > best_v)); then
            best="$d"
            best_v="$v"
        fi
    done
    printf '%s' "$best"
}

# Installs, with apt, whatever of the given needs is missing. Needs are:
# postgres, redis, curl, openssl, docker-compose, python3-venv, jq, prometheus (with promtool),
# alertmanager, and for `make bench` nginx, wrk and pgbench. `apt-get update` runs once, and only
# when something has to be installed.
ensure_packages() {
    local need pkgs=()
    for need in "$@"; do
        case "$need" in
        postgres) [[ -n "$(find_pg_bin)" ]] || pkgs+=(postgresql-15) ;;
        redis)
            command -v redis-server >/dev/null || pkgs+=(redis-server)
            command -v redis-cli >/dev/null || pkgs+=(redis-tools)
            ;;
        curl) command -v curl >/dev/null || pkgs+=(curl) ;;
        openssl) command -v openssl >/dev/null || pkgs+=(openssl) ;;
        docker-compose) command -v docker-compose >/dev/null || pkgs+=(docker-compose) ;;
        python3-venv) python3 -c 'import venv, ensurepip' 2>/dev/null || pkgs+=(python3 python3-venv) ;;
        nginx) command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || pkgs+=(nginx) ;;
        wrk) command -v wrk >/dev/null || pkgs+=(wrk) ;;
        jq) command -v jq >/dev/null || pkgs+=(jq) ;;
        protoc) command -v protoc >/dev/null || pkgs+=(protobuf-compiler) ;;
        # Debian's prometheus ships promtool with the server.
        prometheus) command -v prometheus >/dev/null && command -v promtool >/dev/null || pkgs+=(prometheus) ;;
        alertmanager) alertmanager_bin >/dev/null || pkgs+=(prometheus-alertmanager) ;;
        # Debian ships pgbench with the server (postgresql-NN); postgresql-contrib elsewhere.
        pgbench)
            if [[ -z "$(find_pg_bin)" || ! -x "$(find_pg_bin)/pgbench" ]] && ! command -v pgbench >/dev/null; then
                pkgs+=(postgresql-contrib)
            fi
            ;;
        *) die "ensure_packages: unknown need '$need'" ;;
        esac
    done
    ((${#pkgs[@]})) || return 0
    if ((EUID != 0)); then
        die "missing packages: ${pkgs[*]}; install them (sudo apt-get install ${pkgs[*]}) or run as root"
    fi
    command -v apt-get >/dev/null || die "missing packages: ${pkgs[*]}, and apt-get is not available to install them"
    log "installing ${pkgs[*]} with apt-get"
    apt-get update -q
    # Ubuntu and newer Debian have no postgresql-15: take the distribution's.
    if [[ " ${pkgs[*]} " == *" postgresql-15 "* ]] && ! apt-cache show postgresql-15 >/dev/null 2>&1; then
        pkgs=("${pkgs[@]/postgresql-15/postgresql}")
    fi
    # The packages' maintainer scripts would start system-wide Postgres, Redis, nginx,
    # Prometheus and Alertmanager on 5432/6379/80/9090/9093; this project runs its own, so forbid that start
    # (Debian's policy-rc.d protocol: exit 101 = action not allowed) unless a
    # policy is already in place.
    local policy=/usr/sbin/policy-rc.d made_policy=0 rc=0
    if [[ ! -e "$policy" ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        made_policy=1
    fi
    apt-get install -y -q --no-install-recommends "${pkgs[@]}" || rc=$?
    ((made_policy)) && rm -f "$policy"
    ((rc == 0)) || die "apt-get install ${pkgs[*]} failed (exit $rc)"
}

# Runs a command in a session of its own and waits for it in a way that a
# signal interrupts (bash runs traps only between foreground commands, so a
# long build would otherwise delay Ctrl-C). CHILD_PID names it meanwhile, so
# a trap can signal its whole process group.
CHILD_PID=""
run_child() {
    local status=0
    setsid "$@" </dev/null &
    CHILD_PID=$!
    wait "$CHILD_PID" || status=$?
    return "$status"
}

# Ends what is left of the process group of the last run_child.
end_child() {
    [[ -n "$CHILD_PID" ]] || return 0
    kill -TERM -- "-$CHILD_PID" 2>/dev/null || true
    wait_gone "$CHILD_PID" 5 || true
    kill -KILL -- "-$CHILD_PID" 2>/dev/null || true
    CHILD_PID=""
}

# `docker-compose config -q` validates docker-compose.yml without an engine.
compose_check() {
    local compose=(docker-compose)
    if ! command -v docker-compose >/dev/null; then
        if command -v docker >/dev/null && docker compose version >/dev/null 2>&1; then
            compose=(docker compose)
        else
            ensure_packages docker-compose
        fi
    fi
    log "checking docker-compose.yml: ${compose[*]} config -q"
    # It has no default admin password: valid with one, refused without.
    (cd "$ROOT" && ADMIN_PASSWORD=compose-check-password "${compose[@]}" config -q) || die "docker-compose.yml is not valid"
    if (cd "$ROOT" && env -u ADMIN_PASSWORD "${compose[@]}" config -q) >/dev/null 2>&1; then
        die "docker-compose.yml must refuse to start without ADMIN_PASSWORD"
    fi
}

# Creates the project-local .venv on first use. Its output goes to stderr: the helpers below
# answer on stdout.
venv_ensure() {
    local venv="$ROOT/.venv"
    [[ ! -x "$venv/bin/pip" ]] || return 0
    ensure_packages python3-venv >&2
    python3 -m venv "$venv" >&2 || die "python3 -m venv $venv failed"
}

# The path of <command> in the project-local .venv, installing <requirement> (a pip
# requirement such as 'schemathesis>=4.32,<5') into it with pip first when the command is
# missing; the .venv is created on first use.
venv_tool() {
    local command="$1" requirement="$2" venv="$ROOT/.venv"
    if [[ ! -x "$venv/bin/$command" ]]; then
        venv_ensure
        log "installing $requirement into .venv with pip"
        "$venv/bin/pip" install -q --disable-pip-version-check "$requirement" >&2 || die "pip install $requirement failed"
    fi
    printf '%s' "$venv/bin/$command"
}

# The path of the .venv's python, once each <module>=<requirement> pair given can be imported
# (pip installs the requirements of those that cannot), e.g. venv_python 'aiohttp=aiohttp>=3.9,<4'.
venv_python() {
    local pair module missing=() python="$ROOT/.venv/bin/python3"
    venv_ensure
    for pair in "$@"; do
        module="${pair%%=*}"
        "$python" -c "import $module" 2>/dev/null || missing+=("${pair#*=}")
    done
    if ((${#missing[@]})); then
        log "installing ${missing[*]} into .venv with pip"
        "$python" -m pip install -q --disable-pip-version-check "${missing[@]}" >&2 || die "pip install ${missing[*]} failed"
    fi
    printf '%s' "$python"
}

# `kubernetes-validate --strict` over deploy/k8s, from the project-local .venv.
k8s_check() {
    local validate files=()
    validate="$(venv_tool kubernetes-validate kubernetes-validate)"
    local f
    for f in "$ROOT"/deploy/k8s/*.yaml; do
        [[ "$(basename "$f")" == kustomization.yaml ]] || files+=("$f")
    done
    ((${#files[@]})) || die "no manifests in deploy/k8s"
    log "checking Kubernetes manifests: kubernetes-validate --strict deploy/k8s/*.yaml"
    "$validate" --strict --quiet "${files[@]}" || die "deploy/k8s has invalid manifests"
}

require_swift() {
    command -v swift >/dev/null ||
        die "the Swift toolchain (6.2 or newer) is not on PATH; install it from swift.org"
}

# ---------------------------------------------------------------------------
# Secrets.

# Creates the secrets file with one random password per database, once, and
# adds any that is missing (e.g. servicekit_test); then loads it.
ensure_secrets() {
    local names=("$@") name var
    mkdir -p "$RUN_DIR"
    (
        umask 077
        touch "$SECRETS_FILE"
    )
    chmod 600 "$SECRETS_FILE"
    for name in "${names[@]}"; do
        var="$(env_name "$name")_DB_PASSWORD"
        grep -q "^${var}=" "$SECRETS_FILE" && continue
        # Hex: safe in a URL and in SQL without escaping.
        printf '%s=%s\n' "$var" "$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')" >>"$SECRETS_FILE"
    done
    # Service client secrets (for service tokens from auth; the gateway's vouches
    # for client addresses) and the keys that
    # encrypt profile PII, cards and webhook secrets: random once, kept with the
    # data they protect.
    for name in "${SHOP_DB_SERVICES[@]}" api-gateway; do
        var="SHOP_$(env_name "$name")_CLIENT_SECRET"
        grep -q "^${var}=" "$SECRETS_FILE" && continue
        printf '%s=%s\n' "$var" "$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')" >>"$SECRETS_FILE"
    done
    for var in SHOP_USER_PII_KEY SHOP_PAYMENT_CARD_KEY SHOP_NOTIFICATION_WEBHOOK_KEY; do
        grep -q "^${var}=" "$SECRETS_FILE" && continue
        printf '%s=%s\n' "$var" "$(head -c 32 /dev/urandom | base64 | tr -d '\n')" >>"$SECRETS_FILE"
    done
    # The admin's password (auth refuses to start without one): 24 random bytes, hex.
    if ! grep -q "^SHOP_ADMIN_PASSWORD=" "$SECRETS_FILE"; then
        printf '%s=%s\n' SHOP_ADMIN_PASSWORD "$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')" >>"$SECRETS_FILE"
    fi
    # Loaded, not exported: a service gets only its own database URL.
    # shellcheck disable=SC1090
    source "$SECRETS_FILE"
}

# postgres://role:password@127.0.0.1:port/db for a database name.
database_url() {
    local var
    var="$(env_name "$1")_DB_PASSWORD"
    printf 'postgres://%s:%s@127.0.0.1:%s/%s' "$1" "${!var}" "$PG_PORT" "$1"
}

# ---------------------------------------------------------------------------
# TLS: a certificate authority of this run folder and a server certificate it signed.

# Makes, once per run folder, in $RUN_DIR/tls: ca.pem (a local certificate authority, its key
# in ca-key.pem) and server.pem / server-key.pem (for localhost, 127.0.0.1 and ::1, signed by
# that authority). With `other`, also other-ca.pem: an unrelated authority, for tests of a
# client that must refuse the server. Keys are EC P-256, readable by their owner only.
tls_ensure_certificates() {
    TLS_DIR="$RUN_DIR/tls"
    local need_other=0
    [[ "${1:-}" == other ]] && need_other=1
    if [[ -s "$TLS_DIR/ca.pem" && -s "$TLS_DIR/server.pem" && -s "$TLS_DIR/server-key.pem" ]] &&
        { ((!need_other)) || [[ -s "$TLS_DIR/other-ca.pem" ]]; }; then
        return 0
    fi
    ensure_packages openssl
    mkdir -p "$TLS_DIR"
    chmod 700 "$TLS_DIR"
    log "making a local certificate authority and server certificate in $TLS_DIR"
    (
        cd "$TLS_DIR" || exit 1
        umask 077
        local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
        if [[ ! -s ca.pem || ! -s server.pem || ! -s server-key.pem ]]; then
            openssl req -x509 "${ec[@]}" -days 3650 -subj "/CN=swift-shop local CA" -keyout ca-key.pem -out ca.pem 2>/dev/null || exit 1
            openssl req -new "${ec[@]}" -subj "/CN=localhost" -keyout server-key.pem -out server.csr 2>/dev/null || exit 1
            printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" "basicConstraints=critical,CA:FALSE" \
                "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >server.ext
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 825 -sha256 \
                -extfile server.ext -out server.pem 2>/dev/null || exit 1
            rm -f server.csr server.ext ca.srl
        fi
        if ((need_other)) && [[ ! -s other-ca.pem ]]; then
            openssl req -x509 "${ec[@]}" -days 3650 -subj "/CN=swift-shop unrelated CA" -keyout other-ca-key.pem -out other-ca.pem 2>/dev/null || exit 1
        fi
        chmod 644 ./*.pem
        chmod 600 ./*-key.pem
    ) || die "openssl could not make the certificates in $TLS_DIR"
}

# ---------------------------------------------------------------------------
# PostgreSQL.

# Runs a command as the Postgres OS user, from a directory that user can
# read (it may not be able to enter the caller's working directory).
as_pg() {
    (
        cd "$PG_HOME" || exit
        if ((EUID == 0)); then
            runuser -u "$PG_OS_USER" -- "$@"
        else
            "$@"
        fi
    )
}

# Decides where the Postgres files live: .run/<mode>/pg, owned by the
# Postgres OS user. When that user cannot reach it (a clone under /root, say)
# or the socket path would be too long for a unix socket, the files go to
# /var/tmp/swift-shop-<hash>-<mode> and .run/<mode>/pg is a symlink to it.
pg_prepare_home() {
    local link="$RUN_DIR/pg" alt hash
    PG_BIN="$(find_pg_bin)"
    [[ -n "$PG_BIN" ]] || die "PostgreSQL 15+ server binaries not found under /usr/lib/postgresql"
    mkdir -p "$RUN_DIR"
    if [[ -L "$link" ]]; then
        mkdir -p "$(readlink "$link")"
    else
        mkdir -p "$link"
        ((EUID != 0)) || chown "$PG_OS_USER:" "$link"
        chmod 700 "$link"
        PG_HOME="$link"
        if ! pg_home_usable; then
            hash="$(printf '%s' "$RUN_DIR" | md5sum | cut -c1-10)"
            alt="/var/tmp/swift-shop-$hash-$SHOP_MODE"
            warn "user '$PG_OS_USER' cannot use $link (a parent folder is closed to it, or the path is too long for a unix socket); keeping the Postgres files in $alt"
            rm -rf "$link"
            mkdir -p "$alt"
            ln -s "$alt" "$link"
        fi
    fi
    pg_paths
    ((EUID != 0)) || chown "$PG_OS_USER:" "$PG_HOME"
    chmod 700 "$PG_HOME"
    pg_home_usable || die "user '$PG_OS_USER' cannot write to $PG_HOME"
}

# Sets PG_HOME, PG_DATA, PG_SOCK, PG_LOG from .run/<mode>/pg (a folder, or a
# symlink to one) without creating anything; PG_HOME is empty when absent.
pg_paths() {
    PG_HOME=""
    if [[ -L "$RUN_DIR/pg" ]]; then
        PG_HOME="$(readlink "$RUN_DIR/pg")"
    elif [[ -d "$RUN_DIR/pg" ]]; then
        PG_HOME="$RUN_DIR/pg"
    fi
    PG_DATA="$PG_HOME/data"
    PG_SOCK="$PG_HOME/sock"
    PG_LOG="$PG_HOME/postgres.log"
    PG_BIN="${PG_BIN:-$(find_pg_bin)}"
}

pg_home_usable() {
    # 107 bytes is the unix socket path limit; ".s.PGSQL.NNNNN" needs 15.
    ((${#PG_HOME} + 20 < 100)) || return 1
    if ((EUID == 0)); then
        (cd / && runuser -u "$PG_OS_USER" -- test -w "$PG_HOME" -a -x "$PG_HOME")
    else
        [[ -w "$PG_HOME" && -x "$PG_HOME" ]]
    fi
}

# initdb on first use; then (re)writes the settings that may change per run.
pg_init() {
    if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
        log "initialising PostgreSQL in $PG_DATA"
        rm -rf "$PG_DATA"
        as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
            --auth-local=peer --auth-host=scram-sha-256 >"$PG_HOME/initdb.log" 2>&1 ||
            die "initdb failed, see $PG_HOME/initdb.log"
        printf "\n# swift-shop: settings written by scripts/lib.sh on every start\ninclude_if_exists = 'shop.conf'\n" |
            as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null
    fi
    local have want
    have="$(cat "$PG_DATA/PG_VERSION")"
    want="$("$PG_BIN/pg_ctl" --version | sed -E 's/.* ([0-9]+)(\.[0-9]+)*.*/\1/')"
    [[ "$have" == "$want" ]] ||
        die "$PG_DATA was made by PostgreSQL $have, but $PG_BIN is $want; run 'make reset'"
    # Client authentication: the postgres superuser only through the unix
    # socket as the postgres OS user (peer); everybody else with a password,
    # hashed with SCRAM.
    as_pg tee "$PG_DATA/pg_hba.conf" >/dev/null <<'EOF'
# TYPE  DATABASE  USER      ADDRESS        METHOD
local   all       postgres                 peer
local   all       all                      scram-sha-256
host    all       all       127.0.0.1/32   scram-sha-256
host    all       all       ::1/128        scram-sha-256
EOF
    local extra=""
    if [[ "$SHOP_MODE" == test ]]; then
        # Throw-away data: durability only costs time.
        extra=$'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n'
    fi
    if [[ "${INFRA_TLS:-0}" == 1 ]]; then
        # TLS beside plain connections (pg_hba's `host` lines match both): a client chooses.
        pg_install_tls
        extra+="ssl = on"$'\n'"ssl_cert_file = '$PG_HOME/tls/server.pem'"$'\n'
        extra+="ssl_key_file = '$PG_HOME/tls/server-key.pem'"$'\n'"ssl_min_protocol_version = 'TLSv1.2'"$'\n'
    fi
    as_pg tee "$PG_DATA/shop.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCK'
password_encryption = 'scram-sha-256'
max_connections = 300
$extra
EOF
    as_pg mkdir -p "$PG_SOCK"
}

# Copies the server certificate and key where the Postgres OS user may read them (Postgres
# refuses a key file that others can read).
pg_install_tls() {
    local dir="$PG_HOME/tls"
    mkdir -p "$dir"
    cp "$TLS_DIR/server.pem" "$TLS_DIR/server-key.pem" "$dir/"
    chmod 700 "$dir"
    chmod 600 "$dir/server-key.pem"
    ((EUID != 0)) || chown -R "$PG_OS_USER:" "$dir"
}

pg_pid() {
    [[ -n "${PG_HOME:-}" && -f "$PG_DATA/postmaster.pid" ]] && head -n1 "$PG_DATA/postmaster.pid"
}

pg_running() {
    local pid
    pid="$(pg_pid 2>/dev/null)" || return 1
    pid_matches "$pid" postgres
}

pg_start() {
    if pg_running; then
        log "PostgreSQL already running (pid $(pg_pid)) on 127.0.0.1:$PG_PORT"
        return
    fi
    port_in_use "$PG_PORT" && die "port $PG_PORT is taken by another program; set $PG_PORT_VAR to a free one"
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT (log: $PG_LOG)"
    # pg_ctl puts the server in a session of its own (setsid), so a Ctrl-C
    # reaches only the supervisor, which then stops the server itself.
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 -s start ||
        die "PostgreSQL did not start; see $PG_LOG"
}

pg_stop() {
    [[ -n "${PG_HOME:-}" ]] || return 0
    pg_running || return 0
    local pid
    pid="$(pg_pid)"
    log "stopping PostgreSQL (pid $pid)"
    # A fast shutdown writes a checkpoint; on two loaded cores that can take well over 5 s.
    if [[ -z "$PG_BIN" ]] || ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 -s stop; then
        warn "PostgreSQL did not stop in 30 s; killing it"
        # The postmaster leads its own process group (pg_ctl starts it with setsid): kill the
        # backends with it, and wait until the last of them is gone.
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
        wait_group_gone "$pid" 10 || warn "processes of PostgreSQL's group $pid are still there"
    fi
}

# Waits (up to $2 s) until no process is left in process group $1.
wait_group_gone() {
    local group="$1" deadline
    deadline=$(($(now_ms) + $2 * 1000))
    while pgrep -g "$group" >/dev/null 2>&1; do
        (($(now_ms) < deadline)) || return 1
        sleep 0.1
    done
}

# psql as the superuser through the unix socket; SQL on stdin.
pg_superuser_psql() {
    as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d postgres
}

# Creates (or updates) the role and database of each name. The SQL comes from
# deploy/postgres/init-databases.sh, which docker-compose uses too; it reads
# the passwords from the environment and goes to psql on stdin, never argv.
pg_provision() {
    local db_list="$*" sql
    log "ensuring databases and roles: $db_list"
    sql="$(
        set -a
        # shellcheck disable=SC1090
        source "$SECRETS_FILE"
        SHOP_DATABASES="$db_list" bash "$ROOT/deploy/postgres/init-databases.sh" --print-sql
    )"
    printf '%s\n' "$sql" | pg_superuser_psql >/dev/null
}

# ---------------------------------------------------------------------------
# Redis.

redis_pidfile() { printf '%s/redis.pid' "$REDIS_DIR"; }

redis_running() {
    local pid
    [[ -f "$(redis_pidfile)" ]] || return 1
    pid="$(cat "$(redis_pidfile)")"
    pid_matches "$pid" redis-server
}

redis_start() {
    mkdir -p "$REDIS_DIR" "$LOG_DIR"
    if redis_running; then
        log "Redis already running (pid $(cat "$(redis_pidfile)")) on 127.0.0.1:$REDIS_PORT"
        return
    fi
    port_in_use "$REDIS_PORT" && die "port $REDIS_PORT is taken by another program; set $REDIS_PORT_VAR to a free one"
    local tls_conf=""
    if [[ "${INFRA_TLS:-0}" == 1 ]]; then
        port_in_use "$REDIS_TLS_PORT" && die "port $REDIS_TLS_PORT (Redis TLS) is taken by another program"
        # TLS on a port of its own beside the plain one; clients need no certificate of their own.
        tls_conf="tls-port $REDIS_TLS_PORT
tls-cert-file \"$TLS_DIR/server.pem\"
tls-key-file \"$TLS_DIR/server-key.pem\"
tls-ca-cert-file \"$TLS_DIR/ca.pem\"
tls-auth-clients no
tls-protocols \"TLSv1.2 TLSv1.3\""
    fi
    # The streams are the event bus: an append-only file keeps them across a restart.
    cat >"$REDIS_DIR/redis.conf" <<EOF
# Written by scripts/lib.sh on every start.
bind 127.0.0.1
port $REDIS_PORT
protected-mode yes
daemonize yes
pidfile "$(redis_pidfile)"
logfile "$LOG_DIR/redis.log"
dir "$REDIS_DIR"
dbfilename dump.rdb
save ""
appendonly yes
appendfsync everysec
$tls_conf
EOF
    log "starting Redis on 127.0.0.1:$REDIS_PORT${tls_conf:+ and with TLS on 127.0.0.1:$REDIS_TLS_PORT} (log: $LOG_DIR/redis.log)"
    # daemonize: Redis detaches into its own session and writes its pid file.
    redis-server "$REDIS_DIR/redis.conf" </dev/null >/dev/null 2>&1 || die "Redis did not start; see $LOG_DIR/redis.log"
    local i
    for ((i = 0; i < 100; i++)); do
        if [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]; then
            return 0
        fi
        sleep 0.1
    done
    die "Redis did not answer on 127.0.0.1:$REDIS_PORT within 10 s; see $LOG_DIR/redis.log"
}

redis_stop() {
    [[ -n "${REDIS_DIR:-}" ]] || return 0
    redis_running || return 0
    stop_server_pid Redis "$(cat "$(redis_pidfile)")" 3
    rm -f "$(redis_pidfile)"
}

# Stops the server of <pid> (named <name>): SIGTERM, then SIGKILL after <grace> seconds.
stop_server_pid() {
    local name="$1" pid="$2" grace="$3"
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" "$grace"; then
        warn "$name did not stop in $grace s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
        wait_gone "$pid" 2 || true
    fi
}

# ---------------------------------------------------------------------------
# Prometheus and Alertmanager: make run's monitoring (SHOP_MONITORING=0 goes without).
#
# $PROM_DIR holds prometheus.yml (written at every start), data/ (the TSDB, kept for a day)
# and targets/<service>.json, the file_sd target list of each service's scrape job that the
# supervisor rewrites whenever an instance starts or stops. $AM_DIR holds Alertmanager's
# data/ and, unless the repository has deploy/monitoring/alertmanager/alertmanager.yml, the
# configuration written here. Both listen on 127.0.0.1 only and log to $LOG_DIR.

# The rules Prometheus evaluates (deploy/monitoring, checked and unit-tested by make test): a
# glob, so that a checkout without them still starts.
PROM_RULES_GLOB='deploy/monitoring/prometheus/rules/*.yml'
AM_REPO_CONFIG=deploy/monitoring/alertmanager/alertmanager.yml

# The Alertmanager executable: Debian calls it prometheus-alertmanager.
alertmanager_bin() {
    local name
    for name in prometheus-alertmanager alertmanager; do
        command -v "$name" && return 0
    done
    return 1
}

prometheus_pidfile() { printf '%s/prometheus.pid' "$PROM_DIR"; }
alertmanager_pidfile() { printf '%s/alertmanager.pid' "$AM_DIR"; }

# The pid of the server of <pid file> when its command line holds <argument>, its data folder
# in this run folder (so neither a reused pid nor another run folder's server matches).
monitor_pid() {
    local pidfile="$1" argument="$2" pid
    [[ -f "$pidfile" ]] || return 1
    pid="$(cat "$pidfile" 2>/dev/null)" || return 1
    pid_matches "$pid" "$argument" || return 1
    printf '%s' "$pid"
}

prometheus_pid() { monitor_pid "$(prometheus_pidfile)" "--storage.tsdb.path=$PROM_DIR/data"; }
alertmanager_pid() { monitor_pid "$(alertmanager_pidfile)" "--storage.path=$AM_DIR/data"; }

# The configuration Alertmanager runs with: the repository's, or a local one (one receiver
# that sends nothing: firing alerts are listed by its API, amtool alert query).
alertmanager_config() {
    if [[ -f "$ROOT/$AM_REPO_CONFIG" ]]; then
        printf '%s' "$ROOT/$AM_REPO_CONFIG"
    else
        printf '%s' "$AM_DIR/alertmanager.yml"
    fi
}

# <text> as a YAML double-quoted scalar (a path may hold anything).
yaml_quote() {
    local text="${1//\\/\\\\}"
    printf '"%s"' "${text//\"/\\\"}"
}

# Writes <file> through a temporary file and a rename: a reader (Prometheus's file_sd
# watcher) sees the old content or the new, never half of it. The content comes on stdin.
write_atomically() {
    local file="$1"
    cat >"$file.tmp.$$" && mv -f "$file.tmp.$$" "$file"
}

# The scrape targets of one service's job: host:port words (none: an empty list).
prometheus_write_targets() {
    local svc="$1" target list=""
    shift
    [[ -d "$PROM_DIR/targets" ]] || return 0
    for target in "$@"; do list+="${list:+, }\"$target\""; done
    if [[ -n "$list" ]]; then
        printf '[{"targets": [%s]}]\n' "$list"
    else
        printf '[]\n'
    fi | write_atomically "$PROM_DIR/targets/$svc.json"
}

# prometheus.yml: every 5 s, one scrape job per service (job = the service's name, instance =
# 127.0.0.1:port) over its targets file, and one each for Prometheus and Alertmanager; the
# repository's rules; alerts to the local Alertmanager. Arguments: the gateway's scheme (http
# or https) and, for https, the authority that signed its certificate (empty: not verified,
# it is our own child on loopback).
prometheus_write_config() {
    local gateway_scheme="$1" gateway_ca="$2" svc
    {
        cat <<EOC
# Written by scripts/lib.sh at every start of make run: edits are lost.
global:
  scrape_interval: 5s
  scrape_timeout: 4s
  evaluation_interval: 5s
rule_files:
  - $(yaml_quote "$ROOT/$PROM_RULES_GLOB")
alerting:
  alertmanagers:
    - static_configs:
        - targets: ["127.0.0.1:$AM_PORT"]
scrape_configs:
EOC
        for svc in "${SHOP_SERVICES[@]}"; do
            printf '  - job_name: %s\n' "$svc"
            if [[ "$svc" == api-gateway && "$gateway_scheme" == https ]]; then
                printf '    scheme: https\n    tls_config:\n'
                if [[ -n "$gateway_ca" ]]; then
                    printf '      ca_file: %s\n' "$(yaml_quote "$gateway_ca")"
                else
                    printf '      insecure_skip_verify: true\n'
                fi
            fi
            printf '    file_sd_configs:\n      - files: [%s]\n' "$(yaml_quote "$PROM_DIR/targets/$svc.json")"
        done
        # Themselves too, as docker compose's configuration does: InstanceDown covers them.
        printf '  - job_name: prometheus\n    static_configs:\n      - targets: ["127.0.0.1:%s"]\n' "$PROM_PORT"
        printf '  - job_name: alertmanager\n    static_configs:\n      - targets: ["127.0.0.1:%s"]\n' "$AM_PORT"
    } | write_atomically "$PROM_DIR/prometheus.yml"
}

# Waits up to <seconds> for GET <url> to answer 200, while <pid> runs; false otherwise.
monitor_wait_ready() {
    local url="$1" pid="$2" deadline
    deadline=$(($(now_ms) + $3 * 1000))
    while ! curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; do
        kill -0 "$pid" 2>/dev/null || return 1
        (($(now_ms) < deadline)) || return 1
        sleep 0.2
    done
}

# Stops the server of <pid> (named <name>): SIGTERM, then SIGKILL after 10 s.
monitor_stop_pid() {
    stop_server_pid "$1" "$2" 10
}

# Starts <name> with <command...>, in a session of its own (a Ctrl-C reaches only the
# supervisor, which stops it), its output appended to $LOG_DIR/<log name>; writes <pid file>
# and waits up to 60 s for <ready URL>. Dies with the end of its log when it does not come up.
# Sets LAUNCHED_PID.
LAUNCHED_PID=""
monitor_launch() {
    local name="$1" log_name="$2" pidfile="$3" ready_url="$4" pid
    shift 4
    (exec setsid "$@") </dev/null >>"$LOG_DIR/$log_name" 2>&1 &
    pid=$!
    printf '%s\n' "$pid" >"$pidfile"
    if ! monitor_wait_ready "$ready_url" "$pid" 60; then
        kill -0 "$pid" 2>/dev/null && monitor_stop_pid "$name" "$pid"
        rm -f "$pidfile"
        tail -n 5 "$LOG_DIR/$log_name" | sed 's/^/    /' >&2 || true
        die "$name did not start (not ready at $ready_url within 60 s); see $LOG_DIR/$log_name (last lines above)"
    fi
    LAUNCHED_PID="$pid"
}

# A server of this run folder that an earlier supervisor left (it was killed): it runs with
# that run's configuration, so it goes.
# Arguments: its name, the function that finds its pid, its pid file.
monitor_stop_leftover() {
    local name="$1" pidfile="$3" pid
    pid="$("$2")" || return 0
    monitor_stop_pid "$name (left by an earlier run)" "$pid"
    rm -f "$pidfile"
}

alertmanager_start() {
    local config bin
    bin="$(alertmanager_bin)" || die "Alertmanager (prometheus-alertmanager) is not installed"
    mkdir -p "$AM_DIR/data" "$LOG_DIR"
    monitor_stop_leftover Alertmanager alertmanager_pid "$(alertmanager_pidfile)"
    port_in_use "$AM_PORT" &&
        die "port $AM_PORT (Alertmanager) is taken by another program; set SHOP_ALERTMANAGER_PORT to a free one (or SHOP_MONITORING=0 to run without monitoring)"
    config="$(alertmanager_config)"
    if [[ "$config" == "$AM_DIR/alertmanager.yml" ]]; then
        write_atomically "$config" <<'EOC'
# Written by scripts/lib.sh (the repository has no deploy/monitoring/alertmanager/alertmanager.yml):
# alerts are grouped and kept, nothing is sent; amtool alert query lists them.
route:
  receiver: local
  group_by: [alertname, job]
receivers:
  - name: local
EOC
    fi
    log "starting Alertmanager on 127.0.0.1:$AM_PORT (config: $config, log: $LOG_DIR/alertmanager.log)"
    # --cluster.listen-address= : one local instance, no gossip port.
    monitor_launch Alertmanager alertmanager.log "$(alertmanager_pidfile)" "http://127.0.0.1:$AM_PORT/-/ready" \
        "$bin" --config.file="$config" --storage.path="$AM_DIR/data" \
        --web.listen-address="127.0.0.1:$AM_PORT" --cluster.listen-address= --data.retention=24h
}

# Prometheus's configuration, checked before anything is started. Arguments: those of
# prometheus_write_config.
prometheus_prepare() {
    local svc check
    mkdir -p "$PROM_DIR/data" "$PROM_DIR/targets" "$LOG_DIR"
    monitor_stop_leftover Prometheus prometheus_pid "$(prometheus_pidfile)"
    port_in_use "$PROM_PORT" &&
        die "port $PROM_PORT (Prometheus) is taken by another program; set SHOP_PROMETHEUS_PORT to a free one (or SHOP_MONITORING=0 to run without monitoring)"
    # Nothing runs yet: every job starts with no target (the supervisor adds them).
    rm -f "$PROM_DIR"/targets/*
    for svc in "${SHOP_SERVICES[@]}"; do prometheus_write_targets "$svc"; done
    prometheus_write_config "$@"
    # The rule files too: a broken one is named here rather than in Prometheus's log.
    check="$(promtool check config "$PROM_DIR/prometheus.yml" 2>&1)" ||
        die "Prometheus's configuration or rules are not valid (promtool check config $PROM_DIR/prometheus.yml):"$'\n'"$check"
}

# Starts Prometheus with what prometheus_prepare wrote.
prometheus_start() {
    log "starting Prometheus on 127.0.0.1:$PROM_PORT (config: $PROM_DIR/prometheus.yml, log: $LOG_DIR/prometheus.log)"
    monitor_launch Prometheus prometheus.log "$(prometheus_pidfile)" "http://127.0.0.1:$PROM_PORT/-/ready" \
        prometheus --config.file="$PROM_DIR/prometheus.yml" --storage.tsdb.path="$PROM_DIR/data" \
        --storage.tsdb.retention.time=1d --web.listen-address="127.0.0.1:$PROM_PORT"
}

# Stops this run folder's Prometheus and Alertmanager, found by their pid files.
monitoring_stop() {
    [[ -n "${PROM_DIR:-}" ]] || return 0
    local pid job=""
    if pid="$(prometheus_pid)"; then
        monitor_stop_pid Prometheus "$pid" &
        job=$!
    fi
    if pid="$(alertmanager_pid)"; then monitor_stop_pid Alertmanager "$pid"; fi
    [[ -z "$job" ]] || wait "$job" || true
    rm -f "$(prometheus_pidfile)" "$(alertmanager_pidfile)"
}

# All servers at once (Postgres, Redis, and make run's Prometheus and Alertmanager): each may
# take a moment to stop.
infra_stop() {
    pg_stop &
    local pg_job=$!
    monitoring_stop &
    local monitoring_job=$!
    redis_stop || true
    wait "$pg_job" || true
    wait "$monitoring_job" || true
}

# Everything a mode needs: packages, secrets, Postgres with its databases
# and roles, Redis. Arguments: the database names to provision.
infra_up() {
    # INFRA_TLS=1 (make test): Postgres and Redis offer TLS too, with certificates from tls_ensure_certificates.
    [[ "${INFRA_TLS:-0}" != 1 ]] || tls_ensure_certificates other
    pg_prepare_home
    ensure_secrets "$@"
    pg_init
    pg_start
    pg_provision "$@"
    redis_start
}

# The database names a mode provisions.
service_db_names() {
    local s
    for s in "${SHOP_DB_SERVICES[@]}"; do db_name "$s" && printf ' '; done
}

# ---------------------------------------------------------------------------
# Stopping whatever a mode left running, by the pid files under .run/<mode>.

# Services started by a supervisor that is gone: pids/<service>.pid. Each
# service leads its own process group, so the whole group is signalled.
stop_leftover_services() {
    local f pid svc pids=()
    [[ -d "$PID_DIR" ]] || return 0
    for f in "$PID_DIR"/*.pid; do
        [[ -e "$f" ]] || continue
        svc="$(basename "$f" .pid)"
        svc="${svc%@*}" # order@2 runs the order executable
        pid="$(cat "$f")"
        if pid_matches "$pid" "$svc"; then
            log "stopping leftover $svc (pid $pid)"
            kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
            pids+=("$pid")
        fi
        rm -f "$f"
    done
    for pid in "${pids[@]}"; do
        if ! wait_gone "$pid" 5; then
            kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
        fi
    done
}

# Stops everything of the current mode: its supervisor (which stops the rest
# itself), then anything still left: services, Postgres, Redis.
stop_mode() {
    local pid
    [[ -d "$RUN_DIR" ]] || return 0
    if [[ -f "$RUN_DIR/supervisor.pid" ]]; then
        pid="$(cat "$RUN_DIR/supervisor.pid")"
        if pid_matches "$pid" scripts/run.sh; then
            log "stopping the running 'make run' (pid $pid)"
            kill -TERM "$pid" 2>/dev/null || true
            if ! wait_gone "$pid" 15; then
                warn "supervisor $pid did not stop in 15 s; killing it"
                kill -KILL "$pid" 2>/dev/null || true
            fi
        fi
        rm -f "$RUN_DIR/supervisor.pid"
    fi
    stop_leftover_services
    pg_paths
    infra_stop
}

# The file that marks a folder as a run folder of this project; `make reset` deletes a
# SHOP_RUN_DIR only when it carries it (a mistyped SHOP_RUN_DIR=$HOME must not be wiped).
RUN_MARKER=.swift-shop-run

# Creates the run folder of the mode and marks it as ours.
make_run_dir() {
    mkdir -p "$RUN_DIR"
    [[ -e "$RUN_DIR/$RUN_MARKER" ]] || printf 'A run folder of swift-shop (scripts/lib.sh); make reset deletes it.\n' >"$RUN_DIR/$RUN_MARKER"
}

# Deletes .run/<mode>, and the Postgres folder outside it if there is one.
wipe_mode() {
    local target
    [[ -e "$RUN_DIR" ]] || return 0
    if [[ "$RUN_DIR" != "$ROOT/.run/$SHOP_MODE" && ! -e "$RUN_DIR/$RUN_MARKER" ]]; then
        die "refusing to delete $RUN_DIR: it has no $RUN_MARKER, so it is not a run folder of this project"
    fi
    if [[ -L "$RUN_DIR/pg" ]]; then
        target="$(readlink "$RUN_DIR/pg")"
        [[ "$target" != /var/tmp/swift-shop-* ]] || rm -rf "$target"
    fi
    rm -rf "$RUN_DIR"
}
