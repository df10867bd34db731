#!/usr/bin/env bash
# `make logs`: the services' logs of the `make run` stack (.run/dev/logs, or SHOP_RUN_DIR's),
# readable, one line per entry: time, instance, level, message, then the ids and metadata.
#
#   make logs                   follows every service's log and the supervisor's (tail -F),
#                               from the last 10 lines of each; Ctrl-C ends it
#   make logs ID=<id>           every line of every service whose requestId or traceId is <id>,
#                               in time order: one request (or one trace) across all its hops
#   scripts/logs.sh [<id>]      the same
#
# The services log JSON lines (Sources/ServiceKit/Observability/JSONLogHandler.swift): time,
# level, service, instance, message, requestId, traceId, spanId, metadata. Anything else in a
# log (a crash's last words) is shown as it is when following, and skipped when searching.
# Needs jq (installed with apt when missing, as root).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
shop_init dev

ID="${1:-${ID:-}}"

# jq: one log line as text. $unit names the file's instance (product@2); the ids and the
# metadata follow the message as key=value, strings bare, anything else as compact JSON.
# shellcheck disable=SC2016 # jq's variables, not the shell's
JQ_FORMAT='
def pad($n): . + ([range(length; $n)] | map(" ") | join(""));
def text: if type == "string" then . else tojson end;
def entry($unit; $time):
    ($time | text) + " " + ($unit | pad(12)) + " " + ((.level // "?") | ascii_upcase | pad(7))
    + (.message // "" | text)
    + ([(to_entries[] | select(.key | IN("time", "level", "service", "instance", "message", "metadata") | not)),
        ((.metadata // {}) | objects | to_entries[])]
       | map("  " + .key + "=" + (.value | text)) | join(""));
'

# The log files of the service instances (product.log, product@2.log, ...).
service_logs() {
    local file name
    for file in "$LOG_DIR"/*.log; do
        [[ -e "$file" ]] || continue
        name="$(basename "$file" .log)"
        [[ " ${SHOP_SERVICES[*]} " == *" ${name%@*} "* ]] && printf '%s\n' "$file"
    done
}

# Every line whose requestId or traceId is $ID (at the top level, or in the metadata), sorted
# by time (ISO 8601 UTC with milliseconds: the text order is the time order; sort -s keeps
# the order of a file's lines within a millisecond).
search() {
    local files
    mapfile -t files < <(service_logs)
    ((${#files[@]})) || die "no service logs in $LOG_DIR: start the stack with 'make run' (with the same SHOP_RUN_DIR)"
    local found
    found="$(jq -R -r --arg id "$ID" "$JQ_FORMAT"'
        (input_filename | sub("^.*/"; "") | sub("\\.log$"; "")) as $unit
        | try fromjson catch null
        | objects
        | select((.requestId // .metadata.requestId?) == $id or (.traceId // .metadata.traceId?) == $id)
        | entry($unit; .time // "")' "${files[@]}" | LC_ALL=C sort -s -k1,1)"
    [[ -n "$found" ]] || die "no log line in $LOG_DIR/<service>.log has requestId or traceId '$ID'"
    printf '%s\n' "$found"
}

# tail -F over the service logs (each service's, even when not written yet: a service's log
# appears at its first start) and the supervisor's; tail marks each switch of file with a
# '==> path <==' line, which tells the next lines' instance.
follow() {
    local files svc
    mapfile -t files < <(service_logs)
    for svc in "${SHOP_SERVICES[@]}"; do
        [[ " ${files[*]} " == *" $LOG_DIR/$svc.log "* ]] || files+=("$LOG_DIR/$svc.log")
    done
    files+=("$LOG_DIR/supervisor.log")
    [[ -d "$LOG_DIR" ]] || die "no logs in $LOG_DIR: start the stack with 'make run' (with the same SHOP_RUN_DIR)"
    log "following $LOG_DIR/*.log (Ctrl-C ends)"
    tail -n 10 -F "${files[@]}" 2>/dev/null | jq -n -R -r --unbuffered "$JQ_FORMAT"'
        foreach inputs as $line ({unit: "", line: null};
            if ($line | test("^==> .* <==$")) then
                .unit = ($line | sub("^==> (.*/)?"; "") | sub("\\.log <==$"; "")) | .line = null
            elif $line == "" then .line = null
            else .line = $line end;
            select(.line != null)
            | .unit as $unit
            | .line as $raw
            | (try ($raw | fromjson) catch null)
            | if type == "object" then entry($unit; (.time // "")[11:23])
              else ($unit | pad(12)) + " " + $raw end)'
}

main() {
    ensure_packages jq
    if [[ -n "$ID" ]]; then search; else follow; fi
}

main "$@"
