#!/usr/bin/env bash
# `make compose-check`: validates docker-compose.yml (no Docker engine needed;
# installs the docker-compose package when missing).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
shop_init dev

compose_check
log "docker-compose.yml is valid"
