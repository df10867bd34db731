#!/usr/bin/env bash
# Creates one database and one login role per service, each role able to
# connect only to its own database.
#
# Used in two places, so the rules live in one file:
#  - docker-compose mounts it into /docker-entrypoint-initdb.d/, where the
#    postgres image runs it once, on an empty data volume, as the postgres
#    user with a local server (no arguments: it pipes the SQL to psql);
#  - scripts/lib.sh (make run, make test) calls it with --print-sql and
#    feeds the SQL to its own psql.
#
# Names: SHOP_DATABASES (default: the six service databases), each used as
# both the database and the role name. The password of NAME comes from the
# environment variable NAME upper-cased + _DB_PASSWORD, e.g.
# SHOP_AUTH_DB_PASSWORD for shop_auth. Running it again is harmless: it
# creates what is missing and resets passwords and privileges.

shop_init_die() {
    printf 'init-databases: %s\n' "$*" >&2
    exit 1
}

shop_print_sql() {
    local name var password
    local names="${SHOP_DATABASES:-shop_auth shop_user shop_product shop_order shop_payment shop_notification}"
    # Hash new passwords with SCRAM whatever the server's default.
    printf "SET password_encryption = 'scram-sha-256';\n"
    for name in $names; do
        # Plain lower-case identifiers only: no quoting surprises below.
        [[ "$name" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || shop_init_die "invalid database name '$name'"
        var="${name^^}_DB_PASSWORD"
        password="${!var:-}"
        [[ -n "$password" ]] || shop_init_die "$var is not set (password of role $name)"
        password="${password//\'/\'\'}"
        cat <<SQL
SELECT 'CREATE ROLE "$name"' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$name')\\gexec
ALTER ROLE "$name" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '$password';
SELECT 'CREATE DATABASE "$name" OWNER "$name"' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$name')\\gexec
ALTER DATABASE "$name" OWNER TO "$name";
-- By default every role may connect to every database: only the owner may.
REVOKE ALL ON DATABASE "$name" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE "$name" TO "$name";
SQL
    done
}

# Inside the postgres image's entrypoint: POSTGRES_USER / POSTGRES_DB name
# the superuser and its database; the server listens on its unix socket.
shop_docker_init() {
    local sql
    # All of the SQL first, so that a missing password changes nothing.
    sql="$(shop_print_sql)"
    printf '%s\n' "$sql" | psql -X -q -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" >/dev/null
    printf 'init-databases: created %s\n' "${SHOP_DATABASES:-the service databases}"
}

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
    # Sourced: the entrypoint does that when the file lost its executable
    # bit. A subshell keeps our shell options out of the entrypoint.
    (
        set -euo pipefail
        shop_docker_init
    ) || exit 1
else
    set -euo pipefail
    case "${1:-}" in
    --print-sql) shop_print_sql ;;
    "") shop_docker_init ;;
    *) shop_init_die "usage: $0 [--print-sql]" ;;
    esac
fi
