#!/usr/bin/env bash
# `make stop`: stops whatever `make run` or `make test` left running, found
# by the pid files under .run/ (a supervisor, services, Postgres, Redis), or only
# what a `make run` with the same SHOP_RUN_DIR started.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# With SHOP_RUN_DIR, only the `make run` stack kept there: a second stack (the smoke test's)
# is stopped without touching a developer's own or `make test`'s servers.
modes=(dev test)
[[ -z "${SHOP_RUN_DIR:-}" ]] || modes=(dev)
for mode in "${modes[@]}"; do
    shop_init "$mode"
    stop_mode
done
log "nothing of this project is running any more"
