#!/usr/bin/env bash
# `make reset`: stops the `make run` stack and deletes .run/dev, or SHOP_RUN_DIR when
# set (databases, Redis data, generated passwords, logs). The next `make run` starts afresh.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
shop_init dev

stop_mode
wipe_mode
log "removed $RUN_DIR"
