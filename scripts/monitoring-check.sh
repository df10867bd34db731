#!/usr/bin/env bash
# Offline checks of deploy/monitoring (run by `make test`; needs no running Prometheus):
#   - promtool check config on prometheus/prometheus.compose.yml (and so its rules),
#   - promtool check rules and promtool test rules on prometheus/rules and prometheus/tests,
#   - every Grafana dashboard query parsed by promtool (written as recording rules),
#   - scripts/monitoring_check.py: dashboards' structure; every metric, label and label value the
#     dashboards and rules name is in deploy/monitoring/metrics.md; every alert tested firing
#     (each severity) and not firing; deploy/k8s's copies of the rules and dashboards current;
#     the PodMonitor selects every service,
#   - amtool check-config on alertmanager/alertmanager.yml, and its routes by severity.
# Installs Debian's prometheus (promtool) and prometheus-alertmanager (amtool) when missing.
#
#   scripts/monitoring-check.sh                   all of the above
#   scripts/monitoring-check.sh --exported FILE   only: every metric the dashboards and rules use
#                                                 is in FILE (names scraped from the running
#                                                 services' /metrics, one a line)
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
shop_init dev

CHECKER="$ROOT/scripts/monitoring_check.py"

usage() {
    printf 'usage: %s [--exported FILE]\n' "$0" >&2
    exit 2
}

# Runs a command quietly; prints its output and dies when it fails.
quiet() {
    local what="$1" output
    shift
    if ! output="$("$@" 2>&1)"; then
        printf '%s\n' "$output" >&2
        die "$what failed: $*"
    fi
}

check_exported() {
    local file="$1"
    [[ -r "$file" ]] || die "--exported: cannot read $file"
    log "metrics used by deploy/monitoring vs the names the services export ($file)"
    python3 "$CHECKER" exported "$file" || die "dashboards or rules use metrics that no service exports (above)"
}

# promtool comes with Debian's prometheus, amtool with prometheus-alertmanager.
ensure_tools() {
    ensure_packages prometheus alertmanager
    command -v promtool >/dev/null || die "promtool is missing (Debian package prometheus)"
    command -v amtool >/dev/null || die "amtool is missing (Debian package prometheus-alertmanager)"
}

check_all() {
    local tmp queries
    ensure_tools
    tmp="$(mktemp -d)"
    # shellcheck disable=SC2064 # the path is fixed now
    trap "rm -rf '$tmp'" EXIT
    cd "$ROOT"

    local rules=(deploy/monitoring/prometheus/rules/*.yml) tests=(deploy/monitoring/prometheus/tests/*.yml)
    log "promtool check config deploy/monitoring/prometheus/prometheus.compose.yml (and the ${#rules[@]} rule files it loads)"
    quiet "promtool check config" promtool check config deploy/monitoring/prometheus/prometheus.compose.yml
    log "promtool check rules ${rules[*]}"
    quiet "promtool check rules" promtool check rules "${rules[@]}"
    log "promtool test rules ${tests[*]} ($(cat "${tests[@]}" | grep -c '^  - name:') test cases)"
    quiet "promtool test rules" promtool test rules "${tests[@]}"

    log "dashboards, metric catalogue, test coverage, Kubernetes copies (scripts/monitoring_check.py)"
    queries="$tmp/dashboard-queries.yml"
    python3 "$CHECKER" static --exprs-out="$queries" || die "deploy/monitoring has problems (above)"
    log "promtool check rules on every dashboard query ($(grep -c -- '- record:' "$queries") queries)"
    quiet "promtool check rules (dashboard queries)" promtool check rules "$queries"

    local am=deploy/monitoring/alertmanager/alertmanager.yml severity
    log "amtool check-config $am, and its routes for severity page and ticket"
    quiet "amtool check-config" amtool check-config "$am"
    for severity in page ticket; do
        quiet "the route of severity=$severity" amtool config routes test --config.file="$am" \
            --verify.receivers="$severity" alertname=Check "severity=$severity"
    done
    log "deploy/monitoring is consistent"
}

case "${1:-}" in
"") check_all ;;
--exported)
    (($# == 2)) || usage
    check_exported "$2"
    ;;
*) usage ;;
esac
