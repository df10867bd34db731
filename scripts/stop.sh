#!/usr/bin/env bash
# `make stop`: stops whatever `make run` or `make test` left running, found
# by the pid files under .run/ (a supervisor, services, Postgres, Redis).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

for mode in dev test; do
    shop_init "$mode"
    stop_mode
done
log "nothing of this project is running any more"
